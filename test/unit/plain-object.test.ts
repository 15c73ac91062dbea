// plainConstructor (lib/plain-object.ts): objects made by `new` that are plain objects to everyone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { plainConstructor } from "../../lib/plain-object";

interface Point {
  x: number;
  label: string;
}

const PointCtor = plainConstructor(function (this: Point, x: number, label: string) {
  this.x = x;
  this.label = label;
});

test("plainConstructor: an instance is a plain object, equal to the literal with the same fields in the same order", () => {
  const p = new PointCtor(1, "a");
  assert.equal(Object.getPrototypeOf(p), Object.prototype);
  assert.equal(p.constructor, Object);
  assert.deepEqual(Object.getOwnPropertyNames(p), ["x", "label"]);
  assert.deepEqual(p, { x: 1, label: "a" });
  assert.equal(JSON.stringify(p), '{"x":1,"label":"a"}');
  assert.equal(inspect(p), "{ x: 1, label: 'a' }");
  // Spread and structuredClone (what copies of a message do) give the same plain object.
  assert.deepEqual({ ...p }, p);
  assert.deepEqual(structuredClone(p), { x: 1, label: "a" });
});

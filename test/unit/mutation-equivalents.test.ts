// The equivalent-mutant list that scripts/mutation.js leaves out of the kill rates stays true to
// the code: every entry names a line still in its file (when the line changes, the mutant must be
// judged again), says why, and is listed once; and mutants are matched by their code, not their
// line number.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");

interface Key {
  file: string;
  code: string;
  at: string;
  mutator: string;
  replacement: string;
  in?: string;
}
interface Entry extends Key {
  why: string;
}
interface Mutant {
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
  mutatorName: string;
  replacement?: string;
}
// The scripts are plain CommonJS outside the build: loaded from the repo by path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const match = require(path.join(root, "scripts", "mutation-match.js")) as {
  keyOf(file: string, source: string, m: Mutant): Key;
  same(e: Key, k: Key): boolean;
  snippet(text: string): string;
  staleEntries(entries: Entry[], readFile: (file: string) => string): Entry[];
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const entries = require(path.join(root, "scripts", "mutation-equivalents.js")) as Entry[];

const read = (f: string): string => fs.readFileSync(path.join(root, f), "utf8");

test("every listed equivalent mutant names a line still in its file", () => {
  const stale = match.staleEntries(entries, read).map((e) => `${e.file}: ${e.code}`);
  assert.deepEqual(stale, []);
});

test("every listed equivalent mutant is complete, says why, and is listed once", () => {
  const seen = new Set<string>();
  for (const e of entries) {
    for (const k of ["file", "code", "at", "mutator", "replacement", "why"] as const) assert.equal(typeof e[k], "string", `${k} of ${JSON.stringify(e)}`);
    assert.ok(e.why.trim().length > 10, `no reason given for ${JSON.stringify(e)}`);
    assert.ok(e.code.length > 0 && e.at.length > 0 && e.mutator.length > 0, JSON.stringify(e));
    assert.ok(e.in === undefined || (typeof e.in === "string" && e.in.length > 0), `in of ${JSON.stringify(e)}`);
    const id = JSON.stringify([e.file, e.code, e.at, e.mutator, e.replacement, e.in]);
    assert.ok(!seen.has(id), `listed twice: ${id}`);
    seen.add(id);
  }
});

test("a mutant is keyed by its line's text and the code it replaces, wherever the line is", () => {
  const source = "const a = 1;\n  if (x > 0 && y) {\n    go();\n  }\n";
  const cond: Mutant = { location: { start: { line: 2, column: 7 }, end: { line: 2, column: 12 } }, mutatorName: "EqualityOperator", replacement: "x >= 0" };
  const key = match.keyOf("src/f.ts", source, cond);
  assert.deepEqual(key, { file: "src/f.ts", code: "if (x > 0 && y) {", at: "x > 0", mutator: "EqualityOperator", replacement: "x >= 0" });
  // The same line two lines further down is the same mutant.
  const moved = match.keyOf("src/f.ts", `//\n//\n${source}`, { ...cond, location: { start: { line: 4, column: 7 }, end: { line: 4, column: 12 } } });
  assert.ok(match.same({ ...key }, moved));
  // Another replacement, mutator, file or line text is another mutant.
  assert.ok(!match.same(key, { ...key, replacement: "x < 0" }));
  assert.ok(!match.same(key, { ...key, mutator: "ConditionalExpression" }));
  assert.ok(!match.same(key, { ...key, file: "src/g.ts" }));
  assert.ok(!match.same(key, match.keyOf("src/f.ts", source.replace("&& y", "&& z"), cond)));
  // A block spanning lines is written on one line.
  const block: Mutant = { location: { start: { line: 2, column: 19 }, end: { line: 4, column: 4 } }, mutatorName: "BlockStatement", replacement: "{}" };
  assert.equal(match.keyOf("src/f.ts", source, block).at, "{ go(); }");
  assert.equal(match.snippet("a".repeat(100)), `${"a".repeat(79)}…`);
});

test("a line written in more than one function is keyed with the function it is in; an entry without it names the line in every function", () => {
  const source = [
    "function f(xs) {",
    "  for (const x of xs) if (x) return x;",
    "}",
    "class C {",
    "  g(xs) {",
    "    for (const x of xs) if (x) return x;",
    "  }",
    "}",
    "const h = (xs) => {",
    "  for (const x of xs) if (x) return x;",
    "};",
  ].join("\n");
  const at = (line: number): Mutant => {
    const column = source.split("\n")[line - 1].indexOf("(x)") + 2;
    return { location: { start: { line, column }, end: { line, column: column + 1 } }, mutatorName: "ConditionalExpression", replacement: "true" };
  };
  const keys = [2, 6, 10].map((line) => match.keyOf("src/f.ts", source, at(line)));
  assert.deepEqual(
    keys.map((k) => [k.code, k.at, k.in]),
    [
      ["for (const x of xs) if (x) return x;", "x", "f"],
      ["for (const x of xs) if (x) return x;", "x", "g"],
      ["for (const x of xs) if (x) return x;", "x", "h"],
    ],
  );
  const { in: _, ...anywhere } = keys[0];
  assert.deepEqual(
    keys.map((k) => [match.same(keys[0], k), match.same(anywhere, k)]),
    [
      [true, true],
      [false, true],
      [false, true],
    ],
  );
  // A line written once has no `in`.
  assert.equal(
    match.keyOf("src/f.ts", "const a = 1;\nif (a > 0) go();\n", { ...at(2), location: { start: { line: 2, column: 5 }, end: { line: 2, column: 10 } } }).in,
    undefined,
  );
});

test("an entry whose line is gone from its file, or whose file is gone, is stale", () => {
  const e = (file: string, code: string): Entry => ({ file, code, at: "x", mutator: "M", replacement: "y", why: "a reason long enough" });
  const files: Record<string, string> = { "src/f.ts": "  if (x > 0) {\n  }\n" };
  const readFile = (f: string): string => {
    if (!(f in files)) throw new Error("ENOENT");
    return files[f];
  };
  const stale = match.staleEntries([e("src/f.ts", "if (x > 0) {"), e("src/f.ts", "if (x >= 0) {"), e("src/gone.ts", "if (x > 0) {")], readFile);
  assert.deepEqual(
    stale.map((s) => `${s.file}: ${s.code}`),
    ["src/f.ts: if (x >= 0) {", "src/gone.ts: if (x > 0) {"],
  );
});

// EmitTurns: the shard readers of one consumer get one event-loop turn each, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EmitTurns } from "../../lib/sls/emit-turns";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

test("one waiter is released per event-loop turn, first come first served", async () => {
  const turns = new EmitTurns();
  const seen: string[] = [];
  const all = ["a", "b", "c"].map((k) => turns.next().then(() => seen.push(k)));
  assert.deepEqual([...seen], [], "never in the calling turn");
  await turn();
  assert.deepEqual([...seen], ["a"]);
  await turn();
  assert.deepEqual([...seen], ["a", "b"]);
  // A waiter arriving now queues behind c.
  const late = turns.next().then(() => seen.push("d"));
  await turn();
  assert.deepEqual([...seen], ["a", "b", "c"]);
  await Promise.all([...all, late]);
  assert.deepEqual([...seen], ["a", "b", "c", "d"]);
  // Idle again: the next waiter gets the very next turn.
  const again = turns.next().then(() => seen.push("e"));
  await turn();
  await again;
  assert.deepEqual(seen.slice(4), ["e"]);
});

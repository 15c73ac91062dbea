// Split and merge while consuming, in an order-preserving group: nothing lost, nothing duplicated,
// and every key's logs arrive in write order although the key moves from parent to children to the
// merged shard.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { start, type Emulator } from "../../emulator/index";
import { helper, until } from "../support/red-helper";
import { sink } from "../support/sink-control";
import { consumerFlow } from "../support/sls-fixtures";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import sinkNode = require("../support/settling-sink");

const LOGSTORE = "resize";
const KEYS = Array.from({ length: 8 }, (_, i) => `user-${i}`);
let emu: Emulator;

before(async () => {
  emu = await start({ port: 0 });
  emu.createLogstore(LOGSTORE, { shards: 2 });
});
after(async () => {
  await emu.close();
});
afterEach(async () => {
  await helper.unload();
  sink.reset();
});

let seq = 0;
const kseq = new Map<string, number>();
/** One log group of 5 logs per key, routed by the key's MD5 like a hash-keyed PutLogs. */
function writeRound(): void {
  for (const key of KEYS) {
    const logs = [];
    for (let i = 0; i < 5; i++) {
      const k = kseq.get(key) ?? 0;
      kseq.set(key, k + 1);
      logs.push({
        time: 1_800_000_000,
        contents: [
          ["seq", String(seq++)],
          ["key", key],
          ["kseq", String(k)],
        ] as Array<[string, string]>,
      });
    }
    emu.putLogs(LOGSTORE, { logs, tags: [] }, { hashKey: createHash("md5").update(key).digest("hex") });
  }
}

test("split and merge during consumption: nothing lost, per-key order kept (order-preserving group)", { timeout: 60_000 }, async () => {
  for (let r = 0; r < 100; r++) writeRound();
  sink.hold = true;
  const { flow, credentials } = consumerFlow(emu, { logstore: LOGSTORE, group: "ordered", order: true, maxInFlight: 300 });
  await helper.load([connNode, consumerNode, sinkNode], flow, credentials);
  await until(() => sink.held.length >= 300, 10_000, "a full window");
  // Split shard 0 while it still has unread data, and write more: keys of its range go to the children.
  const children = emu.split(LOGSTORE, 0);
  assert.equal(children.length, 2);
  for (let r = 0; r < 100; r++) writeRound();
  sink.hold = false;
  sink.releaseHeld();
  await until(() => sink.seqs().length >= 1000, 10_000, "consumption goes on");
  sink.hold = true;
  await until(() => sink.held.length >= 300, 10_000, "a full window again");
  const merged = emu.merge(LOGSTORE, children[0]);
  for (let r = 0; r < 100; r++) writeRound();
  sink.hold = false;
  sink.releaseHeld();
  await until(() => new Set(sink.seqs()).size >= seq, 30_000, `all ${seq} logs`);
  const seqs = sink.seqs();
  assert.equal(seqs.length, seq, "exactly once");
  assert.equal(new Set(seqs).size, seq);
  // Per key, kseq arrives in write order.
  const lastK = new Map<string, number>();
  const shardsSeen = new Set<number>();
  for (const m of sink.received) {
    const p = m.payload as Record<string, string>;
    const k = Number(p.kseq);
    assert.equal(k, (lastK.get(p.key) ?? -1) + 1, `key ${p.key}: kseq ${k} after ${lastK.get(p.key)}`);
    lastK.set(p.key, k);
    shardsSeen.add(m.sls.shard as number);
  }
  assert.ok(shardsSeen.has(children[0]) && shardsSeen.has(children[1]) && shardsSeen.has(merged), `read from ${[...shardsSeen]}`);
});

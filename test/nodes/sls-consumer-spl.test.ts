// sls-consumer with an SPL query, through a real Node-RED runtime and the emulator (which applies
// the statement on PullLogs as SLS does): only the matching logs arrive, projected; checkpoints
// still reach the end of every shard; a statement SLS refuses shows its error in the status.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, type Emulator } from "../../emulator/index";
import { helper, statusText, until } from "../support/red-helper";
import { sink } from "../support/sink-control";
import { consumerFlow, putSeq } from "../support/sls-fixtures";
import type { TestNode } from "../support/node-red";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import sinkNode = require("../support/settling-sink");
import { coreNode } from "../../support/node-red-runtime";
const catchNode = coreNode("common/25-catch.js");

const NODES = [connNode, consumerNode, sinkNode, catchNode];
let emu: Emulator;
let n = 0;

before(async () => {
  emu = await start({ port: 0, shards: 2 });
});
after(() => emu.close());
afterEach(async () => {
  await helper.unload();
  sink.reset();
});

function fresh(): string {
  const name = `spl${++n}`;
  emu.createLogstore(name, { shards: 3 });
  return name;
}

function atEnd(logstore: string, group: string): boolean {
  const ls = emu.getLogstore(logstore);
  if (!ls.groups.has(group)) return false;
  const cps = emu.checkpoints(logstore, group);
  return cps.length === 3 && cps.every((c) => c.checkpoint === ls.shard(c.shard).cursor(ls.shard(c.shard).endSeq));
}

test("a where/extend/project query: matching logs arrive projected, the others never, checkpoints at the end", async () => {
  const logstore = fresh();
  putSeq(emu, 0, 3000, 10, 3, logstore);
  const query = "* | where cast(seq as bigint) % 7 = 0 and key <> 'k1' | extend bucket = cast(seq as bigint) / 100 | project seq, bucket, text = msg";
  const { flow, credentials } = consumerFlow(emu, { logstore, group: "spl", consumer: { query } });
  await helper.load(NODES, flow, credentials);
  // Groups go round-robin to 3 shards with keys k0, k1, k2: k1 is shard 1.
  const expected = new Set<number>();
  for (let s = 0; s < 3000; s += 7) if (Math.floor(s / 10) % 3 !== 1) expected.add(s);
  await until(() => atEnd(logstore, "spl"), 20_000, "checkpoints at the end of every shard");
  await until(() => new Set(sink.seqs()).size >= expected.size, 10_000, `${expected.size} logs`);
  // At least once: a shard read again after a reassignment (a loaded machine can miss the 2 s
  // group timeout) repeats logs, but only matching ones ever arrive.
  assert.deepEqual(new Set(sink.seqs()), expected, "exactly the matching logs");
  const m = sink.received.find((r) => (r.payload as Record<string, unknown>).seq === "714")!;
  const { __time__, __topic__, __source__, ...fields } = m.payload as Record<string, unknown>;
  assert.deepEqual({ __time__, __topic__, __source__ }, { __time__: 1_800_000_714, __topic__: "topic-a", __source__: "10.0.0.1" });
  assert.deepEqual(
    Object.fromEntries(Object.entries(fields).filter(([k]) => !k.startsWith("__tag__:"))),
    { seq: "714", bucket: "7", text: "event number 714 for k2" },
    "projected fields; key and msg gone",
  );
  assert.equal(m.sls.shard, 2);
  assert.equal(statusText(helper.getNode("cons")).startsWith("3 shards"), true);
});

test("a query nothing matches: nothing arrives, the checkpoints still cover the whole range", async () => {
  const logstore = fresh();
  putSeq(emu, 0, 1500, 10, 3, logstore);
  const { flow, credentials } = consumerFlow(emu, { logstore, group: "none", consumer: { query: "* | where seq = 'never'" } });
  await helper.load(NODES, flow, credentials);
  await until(() => atEnd(logstore, "none"), 20_000, "checkpoints at the end");
  assert.equal(sink.received.length, 0);
});

test("a statement SLS refuses: its code in the status and at Catch, nothing read, no checkpoint moves", async () => {
  const logstore = fresh();
  putSeq(emu, 0, 300, 10, 3, logstore);
  const { flow, credentials } = consumerFlow(emu, { logstore, group: "bad", consumer: { query: "* | where seq > 100" } });
  await helper.load(NODES, flow, credentials);
  const cons = helper.getNode("cons") as unknown as TestNode;
  await until(() => statusText(cons) === "ParameterInvalid", 10_000, "ParameterInvalid in the status");
  const err = cons.error.args.map((a) => a[0] as Error).find((e) => /ParameterInvalid/.test(e.message))!;
  assert.match(err.message, /PullLogs .*: ParameterInvalid: invalid SPL statement: line 1:15: '>' cannot be applied to varchar, bigint/);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(sink.received.length, 0);
  const ls = emu.getLogstore(logstore);
  const cps = emu.checkpoints(logstore, "bad");
  assert.ok(
    cps.every((c) => c.checkpoint === "" || c.checkpoint === ls.shard(c.shard).cursor(0)),
    `no checkpoint past the start: ${JSON.stringify(cps)}`,
  );
});

test("logs SLS cannot evaluate the query on are left out by SLS: a Catch-able report counts them", async () => {
  const logstore = fresh();
  putSeq(emu, 0, 300, 10, 3, logstore);
  // "msg" is text: the cast fails for every log but those where seq ends in 0 (the OR stops there).
  const query = "* | where seq like '%0' or cast(msg as bigint) > 0";
  const { flow, credentials } = consumerFlow(emu, { logstore, group: "failing", consumer: { query } });
  flow.push(
    { id: "catch", z: "tab", x: 100, y: 200, type: "catch", scope: null, uncaught: false, wires: [["caught"]] } as never,
    { id: "caught", z: "tab", x: 300, y: 200, type: "test-settling-sink" } as never,
  );
  await helper.load(NODES, flow, credentials);
  await until(() => atEnd(logstore, "failing"), 20_000, "checkpoints at the end");
  await until(() => sink.received.some((m) => (m.payload as Record<string, unknown>).code === "SplEvaluationFailed"), 10_000, "a SplEvaluationFailed report");
  const report = sink.received.map((m) => m.payload as Record<string, unknown>).find((p) => p.code === "SplEvaluationFailed")!;
  assert.equal(report.level, "warning");
  assert.ok(Number(report.logs) > 0 && Number(report.logs) <= 270, `${String(report.logs)} logs counted`);
  const seqs = sink.seqs().filter((x) => !Number.isNaN(x));
  assert.deepEqual(
    [...new Set(seqs)].sort((a, b) => a - b),
    Array.from({ length: 30 }, (_, i) => i * 10),
    "the logs that matched arrive",
  );
});

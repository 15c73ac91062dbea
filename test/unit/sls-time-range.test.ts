// The consumer-group engine with a time range (a backfill) and with checkpoints moved by someone
// else (a reset), against the in-memory SLS: what is read, when "done" comes, what is committed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DeliveryWindow, claimToken } from "../../lib/delivery";
import type { RangeDone, ShardDone } from "../../lib/sls/consumer-group";
import { compareCursors, reached } from "../../lib/sls/time-range";
import { groupLag, resetGroup } from "../../lib/sls/checkpoint-reset";
import { SlsError } from "../../lib/sls/errors";
import { FakeSls, seqGroup } from "../support/fake-sls";
import { until } from "../support/until";
import { engineGroup as group } from "../support/engine-group";
import { engineSink } from "../support/engine-sink";

const sink = engineSink;

/** Groups of one log each: seq i received at time 1000 + 10 i, on shard i % shards. */
function timed(api: FakeSls, n: number, shards: number): void {
  for (let i = 0; i < n; i++) api.put(i % shards, seqGroup(i, i + 1), 1000 + 10 * i);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

test("cursors compare as numbers when they are numeric, else only for equality", () => {
  const c = (n: number): string => btoa(String(1_700_000_000_000_000_000n + BigInt(n)));
  assert.equal(compareCursors(c(5), c(10)), -1);
  assert.equal(compareCursors(c(10), c(5)), 1);
  assert.equal(compareCursors(c(5), c(5)), 0);
  assert.equal(compareCursors("opaque", "opaque"), 0);
  assert.equal(compareCursors("opaque", c(5)), undefined);
  assert.equal(reached(c(10), c(5)), true);
  assert.equal(reached(c(4), c(5)), false);
  assert.equal(reached("opaque", c(5)), false);
});

test("a range [from, to): each shard read from the start time to the end time's cursor, once; done per shard and overall; the group stops", async () => {
  const api = new FakeSls(3);
  timed(api, 60, 3); // seq i at 1000 + 10 i
  const win = new DeliveryWindow({ maxInFlight: 7, claimTimeoutMs: 0 });
  const s = sink();
  const cg = group(api, s.deliver, { window: win, start: { from: "time", time: 1100 }, end: { time: 1400, settleSec: 0 }, pullCount: 2 });
  const shardDone: ShardDone[] = [];
  let done: RangeDone | undefined;
  cg.on("shardDone", (d) => shardDone.push(d));
  cg.on("done", (d) => (done = d));
  await cg.start();
  await until(() => done !== undefined, 5000, "done");
  // [1100, 1400): seqs 10..39, each once.
  assert.deepEqual(
    [...s.seqs].sort((a, b) => a - b),
    range(10, 40),
  );
  assert.deepEqual(shardDone.map((d) => d.shard).sort(), [0, 1, 2]);
  assert.deepEqual(
    shardDone.map((d) => d.logs),
    [10, 10, 10],
  );
  // Each checkpoint is the end time's cursor: the shard's first group received at or after 1400.
  assert.deepEqual(
    [0, 1, 2].map((sh) => api.checkpointIndex(sh)),
    [14, 13, 13],
  );
  assert.equal(done!.logs, 30);
  assert.deepEqual(
    done!.shards.map((x) => x.done),
    [true, true, true],
  );
  assert.equal(cg.stats().range?.done, true);
  await until(() => cg.stopped, 2000, "the group stops by itself");
  const calls = api.calls.length;
  const beats = api.count("heartbeat");
  await new Promise((r) => setTimeout(r, 200)); // heartbeats every 30 ms, polls every 5 ms
  assert.equal(api.calls.length, calls, "nothing more asked of SLS once done");
  assert.equal(api.count("heartbeat"), beats);
  win.close();
});

test("a shard is done only once what was read from it settled; a checkpoint past the end reads nothing", async () => {
  const api = new FakeSls(2);
  timed(api, 40, 2);
  await api.updateCheckpoint("p", "l", "g", "x", 1, api.cursorOf(1, 18), true); // past the end (index 15)
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const s = sink({ hold: true });
  const cg = group(api, s.deliver, { window: win, start: { from: "begin" }, end: { time: 1300, settleSec: 0 } });
  const shardDone: number[] = [];
  cg.on("shardDone", (d) => shardDone.push(d.shard));
  let done = false;
  cg.on("done", () => (done = true));
  await cg.start();
  await until(() => shardDone.includes(1), 5000, "shard 1 done");
  assert.equal(api.calls.filter((c) => c.action === "pullLogs" && c.shard === 1).length, 0, "no pull of a shard already past the end");
  assert.equal(api.checkpointIndex(1), 18, "its checkpoint is left where it was");
  await until(() => s.seqs.length === 15, 5000, "shard 0 read to its end");
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(shardDone, [1], "shard 0 is not done while its logs are unsettled");
  assert.equal(done, false);
  for (const t of s.held.splice(0)) claimToken(t)!.settle();
  await until(() => done, 5000, "done");
  assert.deepEqual(
    s.seqs,
    range(0, 15).map((i) => i * 2),
  );
  assert.equal(api.checkpointIndex(0), 15);
  win.close();
});

test("a restart mid-range resumes from the checkpoints: every log of the range delivered, none outside it", async () => {
  const api = new FakeSls(2);
  timed(api, 100, 2);
  const end = { time: 1800, settleSec: 0 };
  const win1 = new DeliveryWindow({ maxInFlight: 20, claimTimeoutMs: 0 });
  const s1 = sink({ hold: true });
  const cg1 = group(api, s1.deliver, { window: win1, start: { from: "time", time: 1200 }, end, pullCount: 2 });
  await cg1.start();
  await until(() => s1.seqs.length >= 20, 5000, "a full window");
  for (const t of s1.held.splice(0, 10)) claimToken(t)!.settle();
  await until(() => api.checkpointIndex(0) > 10 || api.checkpointIndex(1) > 10, 5000, "a commit inside the range");
  await cg1.stop();
  win1.close(); // the unsettled rest is cancelled: read again after the restart
  const win2 = new DeliveryWindow({ maxInFlight: 20, claimTimeoutMs: 0 });
  const s2 = sink();
  const cg2 = group(api, s2.deliver, { window: win2, start: { from: "time", time: 1200 }, end, pullCount: 2 });
  let done = false;
  cg2.on("done", () => (done = true));
  await cg2.start();
  await until(() => done, 5000, "done after the restart");
  const all = new Set([...s1.seqs, ...s2.seqs]);
  assert.deepEqual(
    [...all].sort((a, b) => a - b),
    range(20, 80),
  );
  assert.ok(s2.seqs.length < 60, "the second run resumed, it did not start over");
  win2.close();
});

test("an end time still to come: reads what arrives until it passes, then is done", async () => {
  const api = new FakeSls(1);
  const t0 = Math.floor(Date.now() / 1000);
  api.put(0, seqGroup(0, 1), t0 - 5);
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const s = sink();
  const end = t0 + 2;
  const cg = group(api, s.deliver, { window: win, start: { from: "begin" }, end: { time: end, settleSec: 0 } });
  let doneAt = 0;
  cg.on("done", () => (doneAt = Date.now()));
  await cg.start();
  await until(() => s.seqs.length === 1, 5000, "the first log");
  api.put(0, seqGroup(1, 2), t0);
  await until(() => s.seqs.length === 2, 5000, "a log received before the end time");
  await until(() => doneAt > 0, 8000, "done once the end time passed");
  assert.ok(doneAt / 1000 >= end, "not done before the end time");
  assert.deepEqual(s.seqs, [0, 1]);
  win.close();
});

test("a shard the server takes back once its end is committed, before the reader saw its last logs settle, still reports done, once", async () => {
  // SLS hands out no readonly shard consumed to its end: once the periodic commit stored shard 0's
  // end, the next heartbeat no longer lists it, while the reader still waits to see its logs settle.
  const api = new FakeSls(2);
  timed(api, 40, 2); // all inside the range: each shard's end cursor is its end
  api.assign = () => (api.checkpointIndex(0) >= 20 ? [1] : [0, 1]);
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const s = sink({ hold: true });
  // The reader looks at its settlement every second: commits (40 ms) and heartbeats (30 ms) come first.
  const cg = group(api, s.deliver, { window: win, start: { from: "begin" }, end: { time: 2000, settleSec: 0 }, idlePollMs: 1000 });
  const shardDone: ShardDone[] = [];
  let done: RangeDone | undefined;
  cg.on("shardDone", (d) => shardDone.push(d));
  cg.on("done", (d) => (done = d));
  await cg.start();
  await until(() => s.seqs.length === 40, 5000, "both shards read to their end");
  for (const t of s.held.splice(0)) claimToken(t)!.settle();
  await until(() => done !== undefined, 5000, "done");
  assert.equal(api.checkpointIndex(0), 20);
  assert.deepEqual(
    shardDone.map((d) => [d.shard, d.logs]).sort((a, b) => a[0] - b[0]),
    [
      [0, 20],
      [1, 20],
    ],
    "every shard reports done once",
  );
  assert.deepEqual(
    done!.finished.map((d) => d.shard),
    [0, 1],
  );
  assert.equal(done!.logs, 40);
  win.close();
});

test("a consumer dropped by the server while a shard's end commit is in flight still reports that shard done", async () => {
  const api = new FakeSls(2);
  timed(api, 40, 2);
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  let gated = false;
  const update = api.updateCheckpoint.bind(api);
  api.updateCheckpoint = async (p, l, g, consumer, shard, cursor, force) => {
    if (shard === 0 && api.cursorOf(0, 20) === cursor && !gated) {
      gated = true;
      await gate;
    }
    return update(p, l, g, consumer, shard, cursor, force);
  };
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const s = sink();
  const cg = group(api, s.deliver, { window: win, start: { from: "begin" }, end: { time: 2000, settleSec: 0 } });
  const shardDone: number[] = [];
  let done: RangeDone | undefined;
  cg.on("shardDone", (d) => shardDone.push(d.shard));
  cg.on("done", (d) => (done = d));
  await cg.start();
  await until(() => gated, 5000, "shard 0's end commit sent");
  // The server forgot this consumer (its heartbeats came too late): the next one is refused; once
  // re-registered it is given shard 1 only (shard 0, readonly at its end, is never handed out again).
  const beats = api.count("heartbeat");
  api.fail("heartbeat", new SlsError("NotExistConsumerWithBody", "consumer not exist", { status: 400 }));
  api.assign = () => [1];
  await until(() => api.count("heartbeat") > beats + 1, 5000, "the refused heartbeat");
  open();
  await until(() => done !== undefined, 5000, "done");
  assert.equal(api.checkpointIndex(0), 20);
  assert.deepEqual([...shardDone].sort(), [0, 1], "every shard reports done once");
  win.close();
});

test("a checkpoint moved by someone else is adopted, never written over; commits resume after the hold", async () => {
  const api = new FakeSls(1);
  for (let i = 0; i < 10; i++) api.put(0, seqGroup(i, i + 1));
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const s = sink();
  const cg = group(api, s.deliver, { window: win, resetHoldMs: 1500 });
  const moved: Array<{ shard: number; to: string }> = [];
  cg.on("moved", (m) => moved.push(m));
  await cg.start();
  await until(() => s.seqs.length === 10 && api.checkpointIndex(0) === 10, 5000, "caught up");
  // A reset to index 3, as a forced write without consumer.
  await api.updateCheckpoint("p", "l", "g", "", 0, api.cursorOf(0, 3), true);
  await until(() => s.seqs.length === 17, 5000, "logs 3..9 read again");
  assert.deepEqual(s.seqs.slice(10), range(3, 10));
  assert.deepEqual(moved, [{ shard: 0, from: api.cursorOf(0, 10), to: api.cursorOf(0, 3) }]);
  assert.equal(api.checkpointIndex(0), 3, "no commit while holding (the reset is checked by its read-back)");
  await until(() => api.checkpointIndex(0) === 10, 5000, "commits resume after the hold");
  await cg.stop();
  win.close();
});

test("reset: forced writes to the position, a commit that slipped in is written over, lag per shard", async () => {
  const api = new FakeSls(2);
  for (let i = 0; i < 10; i++) {
    api.put(0, seqGroup(i, i + 1), 1000 + i);
    api.put(1, seqGroup(100 + i, 101 + i), 1000 + i);
  }
  await api.updateCheckpoint("p", "l", "g", "c1", 0, api.cursorOf(0, 4), true);
  const lag = await groupLag(api, { project: "p", logstore: "l", group: "g" }, () => 1100_000);
  assert.deepEqual(
    lag.map((l) => [l.shard, l.behind, l.oldestUnread, l.lagSec]),
    [
      [0, 6, 1004, 96],
      [1, undefined, undefined, undefined],
    ],
  );
  // A live consumer's commit (its check came before the reset) lands right after the reset's write.
  let slipped = false;
  const r = await resetGroup(api, {
    project: "p",
    logstore: "l",
    group: "g",
    position: { to: "end" },
    fenceMs: 10,
    onWritten: async () => {
      if (slipped) return;
      slipped = true;
      await api.updateCheckpoint("p", "l", "g", "c1", 0, api.cursorOf(0, 5), true);
    },
  });
  assert.equal(r.repaired, 1);
  assert.deepEqual(r.shards, [
    { shard: 0, previous: api.cursorOf(0, 4), checkpoint: api.cursorOf(0, 10) },
    { shard: 1, previous: "", checkpoint: api.cursorOf(1, 10) },
  ]);
  assert.deepEqual([api.checkpointIndex(0), api.checkpointIndex(1)], [10, 10]);
  const forced = api.calls.filter((c) => c.action === "updateCheckpoint").length;
  assert.equal(forced, 1 + 2 + 1 + 1, "setup, two writes, the slipped commit, one repair");
});

// sls-consumer in a real Node-RED runtime against the SLS emulator: steady state, batch mode,
// redeploy, SIEM outage, SLS faults and a wrong secret. Logs carry sequence numbers.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, type Emulator } from "../../emulator/index";
import { helper, statusText, until } from "../support/red-helper";
import { sink } from "../support/sink-control";
import { LOGSTORE, consumerFlow, putSeq } from "../support/sls-fixtures";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import ackNode = require("../../nodes/sls-ack");
import sinkNode = require("../support/settling-sink");
import { catchNode } from "../support/node-red";

const NODES = [connNode, consumerNode, ackNode, sinkNode, catchNode];
let emu: Emulator;

before(async () => {
  emu = await start({ port: 0, logstore: LOGSTORE, shards: 4 });
});
after(async () => {
  await emu.close();
});
afterEach(async () => {
  await helper.unload();
  sink.reset();
  emu.faults.clear();
});

function counts(seqs: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of seqs) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

/** Every seq in [0, n) arrived at least once; returns the number of duplicates. */
function assertAll(n: number, seqs: number[]): number {
  const c = counts(seqs);
  const missing = [];
  for (let i = 0; i < n; i++) if (!c.has(i)) missing.push(i);
  assert.deepEqual(missing.slice(0, 20), [], `missing ${missing.length} seqs`);
  assert.equal(c.size, n, "no seq outside the written range");
  return seqs.length - n;
}

function checkpointsAtEnd(logstore: string, group: string): boolean {
  const ls = emu.getLogstore(logstore);
  const cps = emu.checkpoints(logstore, group);
  return cps.length > 0 && cps.every((c) => c.checkpoint === ls.shard(c.shard).cursor(ls.shard(c.shard).endSeq));
}

test("steady state: every log exactly once, fields and msg.sls exact, checkpoints at the end", async () => {
  const group = "steady";
  putSeq(emu, 0, 2000, 10, 4);
  const { flow, credentials } = consumerFlow(emu, { group });
  await helper.load(NODES, flow, credentials);
  await until(() => sink.received.length >= 2000, 20_000, "2000 logs");
  await until(() => checkpointsAtEnd(LOGSTORE, group), 10_000, "checkpoints at the end");
  assert.equal(assertAll(2000, sink.seqs()), 0, "exactly once");
  const m = sink.received.find((r) => (r.payload as Record<string, unknown>).seq === "15")!;
  // seq 15 is the 6th log of group #1 (seqs 10..19), the first group written to shard 1.
  const shard = emu.getLogstore(LOGSTORE).shard(1);
  assert.deepEqual(m.payload, {
    seq: "15",
    key: "k1",
    msg: "event number 15 for k1",
    __time__: 1_800_000_015,
    __topic__: "topic-a",
    __source__: "10.0.0.1",
    "__tag__:host": "web-1",
    "__tag__:env": "test",
    "__tag__:__receive_time__": (m.payload as Record<string, unknown>)["__tag__:__receive_time__"],
  });
  assert.match(String((m.payload as Record<string, unknown>)["__tag__:__receive_time__"]), /^\d{10}$/);
  const { token, ...meta } = m.sls;
  assert.equal(typeof token, "string");
  assert.deepEqual(meta, {
    project: emu.project,
    logstore: LOGSTORE,
    consumerGroup: group,
    shard: 1,
    cursor: shard.cursor(0),
    index: 5,
    time: 1_800_000_015,
    timeNs: 15,
    topic: "topic-a",
    source: "10.0.0.1",
    tags: { host: "web-1", env: "test", __receive_time__: (m.payload as Record<string, unknown>)["__tag__:__receive_time__"] },
  });
  // Per shard, logs arrive in write order.
  const perShard = new Map<number, number[]>();
  for (const r of sink.received)
    perShard.set(r.sls.shard as number, [...(perShard.get(r.sls.shard as number) ?? []), Number((r.payload as Record<string, unknown>).seq)]);
  for (const seqs of perShard.values())
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
  await until(() => /^4 shards · \d+ logs\/s$/.test(statusText(helper.getNode("cons"))), 3000, "status with 4 shards");
  const t0 = Date.now();
  await helper.unload();
  assert.ok(Date.now() - t0 < 3000, `closed in ${Date.now() - t0} ms`);
});

let lsCount = 0;
/** A fresh logstore with `shards` shards, so each test starts from an empty store. */
function freshLogstore(shards = 4): string {
  const name = `ls${++lsCount}`;
  emu.createLogstore(name, { shards });
  return name;
}

test("batch mode: one message per batch with parallel records, one token each", async () => {
  const logstore = freshLogstore(2);
  putSeq(emu, 0, 300, 50, 2, logstore);
  const { flow, credentials } = consumerFlow(emu, { logstore, group: "batch", output: "batch", maxInFlight: 120 });
  await helper.load(NODES, flow, credentials);
  await until(() => sink.seqs().length >= 300, 10_000, "300 logs");
  assert.equal(assertAll(300, sink.seqs()), 0);
  for (const m of sink.received) {
    const p = m.payload as Array<Record<string, unknown>>;
    const recs = m.sls.records as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(p) && p.length > 0 && p.length <= 120, `chunk of ${p.length}`);
    assert.equal(recs.length, p.length);
    assert.equal(typeof m.sls.token, "string");
    assert.deepEqual(Object.keys(m.sls).sort(), ["consumerGroup", "cursor", "logstore", "project", "records", "shard", "token"]);
    assert.equal(recs[0].cursor, m.sls.cursor);
    p.forEach((f, i) => assert.equal(recs[i].time, f.__time__));
  }
  const first = sink.received.find((m) => (m.payload as Array<Record<string, unknown>>)[0].seq === "50")!;
  assert.equal(first.sls.shard, 1);
  assert.deepEqual((first.sls.records as object[])[0], {
    cursor: emu.getLogstore(logstore).shard(1).cursor(0),
    index: 0,
    time: 1_800_000_050,
    timeNs: 50,
    topic: "topic-a",
    source: "10.0.0.1",
    tags: { host: "web-1", env: "test", __receive_time__: (first.payload as Array<Record<string, unknown>>)[0]["__tag__:__receive_time__"] },
  });
});

test("redeploy mid-stream resumes from the checkpoint: nothing lost, duplicates at most one window", async () => {
  const logstore = freshLogstore(4);
  putSeq(emu, 0, 3000, 10, 4, logstore);
  const maxInFlight = 200;
  const opts = { logstore, group: "restart", maxInFlight, consumerName: "restart-1" };
  const { flow, credentials } = consumerFlow(emu, opts);
  sink.hold = true; // a slow SIEM: tokens pile up until released
  await helper.load(NODES, flow, credentials);
  await until(() => sink.held.length >= maxInFlight, 10_000, "a full window");
  const firstRound = sink.received.length;
  assert.ok(firstRound <= maxInFlight + 10, `emitted ${firstRound} with a window of ${maxInFlight}`);
  // Deliver half of what is out, then redeploy while the rest is still unsettled.
  for (const c of sink.held.splice(0, 100)) c.settle();
  await until(() => sink.held.length >= maxInFlight, 10_000, "window full again");
  await helper.unload();
  // The first shard's settled groups were committed on close.
  assert.ok(emu.checkpoints(logstore, "restart").some((c) => c.checkpoint && emu.getLogstore(logstore).shard(c.shard).seqOf(c.checkpoint) > 0));
  sink.hold = false;
  sink.held = [];
  putSeq(emu, 3000, 4000, 10, 4, logstore);
  await helper.load(NODES, consumerFlow(emu, opts).flow, credentials);
  await until(() => new Set(sink.seqs()).size >= 4000, 20_000, "all 4000 seqs");
  const dups = assertAll(4000, sink.seqs());
  // Checkpoints stop at log-group boundaries: at most one window plus one partly settled group per shard.
  assert.ok(dups <= maxInFlight + 4 * 9, `${dups} duplicates > window ${maxInFlight} + 4 partial groups`);
  assert.ok(dups > 0, "the unsettled window was delivered again");
});

test("SIEM outage: reading stops when the window is full, memory stays bounded, everything arrives after", async () => {
  const logstore = freshLogstore(4);
  putSeq(emu, 0, 20_000, 100, 4, logstore);
  const maxInFlight = 1000;
  sink.hold = true;
  const { flow, credentials } = consumerFlow(emu, { logstore, group: "outage", maxInFlight });
  await helper.load(NODES, flow, credentials);
  await until(() => sink.received.length >= maxInFlight, 10_000, "a full window");
  await until(() => statusText(helper.getNode("cons")).startsWith("waiting for delivery"), 3000, "waiting status");
  const pulls = emu.faults.add({ actions: ["PullLogs"] }); // counts pulls without changing them
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(sink.received.length <= maxInFlight + 1000, `emitted ${sink.received.length} during the outage`);
  const hits = emu.faults.list().find((f) => f.id === pulls)!.hits;
  assert.ok(hits <= 4, `${hits} pulls while the window was full (one prefetch per shard at most)`);
  sink.hold = false;
  sink.releaseHeld();
  await until(() => new Set(sink.seqs()).size >= 20_000, 30_000, "all logs after the outage");
  assert.equal(assertAll(20_000, sink.seqs()), 0);
  await until(() => /^4 shards/.test(statusText(helper.getNode("cons"))), 3000, "running status");
});

test("SLS faults (500, 503, 403 throttling, dropped connections, latency) are retried; nothing lost", async () => {
  const logstore = freshLogstore(4);
  putSeq(emu, 0, 3000, 20, 4, logstore);
  const e = emu.faults.errors;
  emu.faults.add({ actions: ["PullLogs"], rate: 0.08, error: e.internal });
  emu.faults.add({ actions: ["PullLogs"], rate: 0.05, error: e.busy });
  emu.faults.add({ actions: ["PullLogs", "GetCheckPoint", "GetCursor"], rate: 0.05, error: e.readQuota });
  emu.faults.add({ actions: ["PullLogs"], rate: 0.05, drop: "after" });
  emu.faults.add({ actions: ["ConsumerGroupHeartBeat", "ConsumerGroupUpdateCheckPoint"], rate: 0.2, drop: "before" });
  emu.faults.add({ rate: 0.3, latencyMs: 30 });
  const { flow, credentials } = consumerFlow(emu, { logstore, group: "faults", maxInFlight: 1000 });
  await helper.load(
    NODES,
    flow.concat([
      { id: "catcher", z: "tab", x: 1, y: 1, type: "catch", scope: ["cons"], wires: [["caught"]] },
      { id: "caught", z: "tab", x: 1, y: 1, type: "helper" },
    ] as object[]),
    credentials,
  );
  const caught: Array<{ payload: { code: string } }> = [];
  helper.getNode("caught").on("input", (m: unknown) => caught.push(m as { payload: { code: string } }));
  await until(() => new Set(sink.seqs()).size >= 3000, 30_000, "all logs despite faults");
  assert.equal(assertAll(3000, sink.seqs()), 0, "pull faults never cause duplicates");
  emu.faults.clear();
  await until(() => checkpointsAtEnd(logstore, "faults"), 10_000, "checkpoints at the end");
  assert.ok(caught.length > 0, "failures were reported to Catch");
  for (const c of caught)
    assert.ok(["InternalServerError", "ServerBusy", "ReadQuotaExceed", "SocketHangUp", "ECONNRESET", "NetworkError"].includes(c.payload.code), c.payload.code);
});

test("wrong secret: status shows the SLS code, backs off, recovers once the credential is fixed", async () => {
  const logstore = freshLogstore(2);
  putSeq(emu, 0, 100, 10, 2, logstore);
  const counter = emu.faults.add({}); // counts every request
  const bad = consumerFlow(emu, { logstore, group: "auth", secret: "wrong-secret" });
  await helper.load(NODES, bad.flow, bad.credentials);
  await until(() => statusText(helper.getNode("cons")) === "SignatureNotMatch", 5000, "the SLS error code in the status");
  const n0 = emu.faults.list().find((f) => f.id === counter)!.hits;
  await new Promise((r) => setTimeout(r, 2000));
  const n1 = emu.faults.list().find((f) => f.id === counter)!.hits;
  assert.ok(n1 - n0 <= 8, `${n1 - n0} requests in 2 s with a wrong secret`);
  assert.equal(sink.received.length, 0);
  // Fix the credential (redeploy of the connection with the right secret).
  const good = consumerFlow(emu, { logstore, group: "auth" });
  await helper.setFlows(good.flow, "full", good.credentials);
  await until(() => sink.seqs().length >= 100, 10_000, "logs after the fix");
  assert.equal(assertAll(100, sink.seqs()), 0);
});

test("sls-ack settles tokens of flows that deliver elsewhere; acknowledge on emit: tokens only pace, checkpoints follow emission", async () => {
  const logstore = freshLogstore(1);
  putSeq(emu, 0, 50, 10, 1, logstore);
  const { flow, credentials } = consumerFlow(emu, { logstore, group: "ack", maxInFlight: 10 });
  const cons = flow.find((n) => (n as { id: string }).id === "cons") as { wires: string[][] };
  cons.wires = [["ack"]];
  flow.push({ id: "ack", z: "tab", x: 1, y: 1, type: "sls-ack", wires: [["h"]] }, { id: "h", z: "tab", x: 1, y: 1, type: "helper" });
  await helper.load(NODES, flow, credentials);
  const got: number[] = [];
  helper.getNode("h").on("input", (m: unknown) => got.push(Number((m as { payload: { seq: string } }).payload.seq)));
  await until(() => got.length >= 50 && checkpointsAtEnd(logstore, "ack"), 10_000, "all logs acknowledged");
  assert.deepEqual(
    got,
    Array.from({ length: 50 }, (_, i) => i),
  );
  await helper.unload();
  // The sink claims and never settles (held): in emit mode the checkpoint still reaches the end.
  sink.hold = true;
  const emit = consumerFlow(emu, { logstore, group: "ack-emit", ackMode: "emit" });
  await helper.load(NODES, emit.flow, emit.credentials);
  await until(() => sink.received.length >= 50 && checkpointsAtEnd(logstore, "ack-emit"), 10_000, "all logs");
  assert.ok(sink.received.every((m) => typeof m.sls.token === "string"));
  assert.equal(sink.held.length, 50);
});

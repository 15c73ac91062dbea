// sls-consumer with an end time (a backfill) through the real runtime and the emulator: a range
// [T1, T2) across a shard split and a merge delivers exactly the logs received in it, once each,
// reports done per shard and overall on the second output, leaves the live group alone, and stops.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, type Emulator } from "../../emulator/index";
import { helper, type TestNode } from "../support/node-red";
import { until } from "../support/red-helper";
import { sink } from "../support/sink-control";
import { consumerFlow, seqGroup } from "../support/sls-fixtures";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import sinkNode = require("../support/settling-sink");

const NODES = [connNode, consumerNode, sinkNode];
const T1 = Math.floor(Date.now() / 1000) - 7200;
const T2 = T1 + 1000;
let emu: Emulator;

before(async () => {
  emu = await start({ port: 0 });
});
after(async () => {
  await emu.close();
});
afterEach(async () => {
  await helper.unload();
  sink.reset();
});

/** Writes seq from..to-1, one log group of 5 logs each, round-robin over the shards, received at `time`. */
function write(logstore: string, shards: number[], from: number, to: number, time: number): void {
  let i = 0;
  for (let s = from; s < to; s += 5, i++) emu.putLogs(logstore, seqGroup(s, Math.min(to, s + 5)), { shard: shards[i % shards.length], receiveTime: time });
}

/**
 * Shards 0 and 1; before T1: seq 0-39; in the range: 40-99 (from T1 exactly), then shard 0 splits
 * into 2 and 3: 100-199; at T2 exactly and after: 200-259; 2 and 3 merge into 4 (after T2 only):
 * 260-279. The range holds 40..199.
 */
function history(logstore: string): { parent: number; children: number[]; merged: number } {
  emu.createLogstore(logstore, { shards: 2 });
  write(logstore, [0, 1], 0, 40, T1 - 100);
  write(logstore, [0, 1], 40, 70, T1);
  write(logstore, [0, 1], 70, 100, T1 + 100);
  const children = emu.split(logstore, 0);
  write(logstore, [1, ...children], 100, 200, T1 + 500);
  write(logstore, [1, ...children], 200, 220, T2);
  write(logstore, [1, ...children], 220, 260, T2 + 100);
  const merged = emu.merge(logstore, children[0]);
  write(logstore, [1, merged], 260, 280, T2 + 200);
  return { parent: 0, children, merged };
}

interface DoneMsg {
  topic: string;
  payload: Record<string, unknown>;
}

function backfillFlow(logstore: string, group: string, extra: Record<string, unknown> = {}): { flow: object[]; credentials: Record<string, object> } {
  const { flow, credentials } = consumerFlow(emu, {
    logstore,
    group,
    maxInFlight: 50,
    consumer: { start: "time", startTime: new Date(T1 * 1000).toISOString(), to: String(T2), ...extra },
  });
  const cons = flow.find((n) => (n as { id: string }).id === "cons") as { wires: string[][] };
  cons.wires = [["sink"], ["done"]];
  flow.push({ id: "done", z: "tab", x: 300, y: 200, type: "helper" });
  return { flow, credentials };
}

function collectDone(): DoneMsg[] {
  const out: DoneMsg[] = [];
  helper.getNode("done").on("input", (m: DoneMsg) => out.push(m));
  return out;
}

/** The node's own calls of a method (the helper spies on the prototype: every node's calls are in one spy). */
const callsOf = (n: TestNode, m: "status" | "error"): unknown[][] =>
  (n[m] as unknown as { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> })
    .getCalls()
    .filter((c) => c.thisValue === n)
    .map((c) => c.args);
const lastStatus = (n: TestNode): string => String((callsOf(n, "status").at(-1)?.[0] as { text?: string } | undefined)?.text ?? "");

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

test(
  "a backfill of [T1, T2) across a split and a merge: exactly the logs received in it, once each; done per shard and overall; the live group untouched; then it stops",
  { timeout: 60_000 },
  async () => {
    const { children, merged } = history("range");
    // A live group's checkpoints, which the backfill must leave alone.
    const ls = emu.getLogstore("range");
    emu.createConsumerGroup("range", "live");
    for (const s of [1, merged]) ls.commit("live", s, ls.cursorFrom(s, "end"), "", true);
    const liveBefore = JSON.stringify(emu.checkpoints("range", "live"));

    const { flow, credentials } = backfillFlow("range", "live-backfill");
    await helper.load(NODES, flow, credentials);
    const done = collectDone();
    await until(() => done.some((m) => m.topic === "done"), 30_000, "the overall done message");
    assert.deepEqual(
      [...sink.seqs()].sort((a, b) => a - b),
      range(40, 200),
      "exactly the range, once each",
    );

    const shardDone = done.filter((m) => m.topic === "shard-done").map((m) => m.payload);
    assert.deepEqual(shardDone.map((p) => p.shard).sort(), [0, 1, ...children, merged].sort(), "every shard reports done once");
    const logsByShard = Object.fromEntries(shardDone.map((p) => [p.shard, p.logs]));
    assert.equal(logsByShard[merged], 0, "the merged shard holds nothing of the range");
    assert.equal(
      Object.values(logsByShard).reduce((a: number, b) => a + (b as number), 0),
      160,
    );
    const overall = done.find((m) => m.topic === "done")!.payload;
    assert.equal(overall.logs, 160);
    assert.deepEqual((overall.allShards as number[]).sort(), [0, 1, ...children, merged].sort());
    assert.equal(overall.from, new Date(T1 * 1000).toISOString().replace(".000Z", "Z"));
    assert.equal(overall.to, new Date(T2 * 1000).toISOString().replace(".000Z", "Z"));
    assert.equal(done.indexOf(done.find((m) => m.topic === "done")!), done.length - 1, "overall done comes last");

    // Each shard's checkpoint is its end cursor for T2.
    for (const cp of emu.checkpoints("range", "live-backfill")) assert.equal(cp.checkpoint, ls.cursorFrom(cp.shard, String(T2)), `shard ${cp.shard}`);
    assert.equal(JSON.stringify(emu.checkpoints("range", "live")), liveBefore, "the live group's checkpoints are untouched");

    const cons = helper.getNode("cons");
    await until(() => /^done · 160 logs/.test(lastStatus(cons)), 5000, "status done");
    // Stopped: no pull and no heartbeat any more (heartbeats are every 0.2 s).
    const counter = emu.faults.add({ actions: ["PullLogs", "ConsumerGroupHeartBeat", "GetCheckPoint", "GetCursor"] });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(emu.faults.list().find((f) => f.id === counter)!.hits, 0, "nothing asked of SLS once done");
    emu.faults.remove(counter);
  },
);

test("a backfill stopped midway resumes from its checkpoints after a redeploy: every log of the range, none outside it", { timeout: 60_000 }, async () => {
  history("resume");
  sink.hold = true;
  const first = backfillFlow("resume", "resume-backfill");
  await helper.load(NODES, first.flow, first.credentials);
  await until(() => sink.held.length >= 50, 10_000, "a full window");
  for (const c of sink.held.splice(0, 30)) c.settle();
  await until(() => emu.checkpoints("resume", "resume-backfill").some((c) => c.checkpoint !== ""), 10_000, "a commit");
  await helper.unload(); // tokens still held go back to the source: read again after the restart
  const firstRun = sink.seqs();
  sink.reset();
  const second = backfillFlow("resume", "resume-backfill");
  await helper.load(NODES, second.flow, second.credentials);
  const done = collectDone();
  await until(() => done.some((m) => m.topic === "done"), 30_000, "done after the restart");
  const all = new Set([...firstRun, ...sink.seqs()]);
  assert.deepEqual(
    [...all].sort((a, b) => a - b),
    range(40, 200),
  );
  assert.ok(sink.seqs().length < 160, "the second run resumed from the checkpoints");
});

test("a backfill in the group of a live consumer of this runtime does not start", async () => {
  emu.createLogstore("shared", { shards: 1 });
  const { flow, credentials } = backfillFlow("shared", "siem");
  flow.push({ ...(flow.find((n) => (n as { id: string }).id === "cons") as object), id: "live", name: "live reader", to: "", wires: [["sink"]] });
  await helper.load(NODES, flow, credentials);
  const cons = helper.getNode("cons");
  await until(() => callsOf(cons, "error").length > 0, 5000, "an error");
  assert.match(String(callsOf(cons, "error")[0][0]), /consumer group "siem" is read by the live sls-consumer live reader/);
  assert.equal(lastStatus(cons), "sls-consumer.status.live-group");
});

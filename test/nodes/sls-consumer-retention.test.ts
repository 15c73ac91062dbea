// sls-consumer against the logstore's TTL, in a real Node-RED runtime: a consumer whose unsettled
// logs near their retention warns (status, log, Catch); one that comes back after SLS expired data
// it had not read says how much was skipped, and that count is exactly what never arrived.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, type Emulator } from "../../emulator/index";
import { helper, until } from "../support/red-helper";
import { sink } from "../support/sink-control";
import { consumerFlow, seqGroup } from "../support/sls-fixtures";
import type { TestNode } from "../support/node-red";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import sinkNode = require("../support/settling-sink");
import { coreNode } from "../../support/node-red-runtime";
const catchNode = coreNode("common/25-catch.js");

const NODES = [connNode, consumerNode, sinkNode, catchNode];
const DAY = 86_400;
let emu: Emulator;

before(async () => {
  emu = await start({ port: 0, shards: 1 });
});
after(() => emu.close());
afterEach(async () => {
  await helper.unload();
  sink.reset();
});

/** Logs that reached Catch (with its msg.payload), through a second settling sink. */
function withCatch(flow: object[]): object[] {
  return [
    ...flow,
    { id: "catch", z: "tab", x: 100, y: 200, type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", z: "tab", x: 300, y: 200, type: "test-settling-sink" },
  ];
}

function caught(code: string): Array<Record<string, unknown>> {
  return sink.received.map((m) => m.payload as Record<string, unknown>).filter((p) => p && !Array.isArray(p) && p.code === code);
}

/** Ten logs with seq from..from+9 and 1 KB each. */
function bigGroup(from: number): ReturnType<typeof seqGroup> {
  const g = seqGroup(from, from + 10);
  for (const l of g.logs) l.contents.push(["pad", "x".repeat(1000)]);
  return g;
}

function statusOf(n: TestNode): string {
  const calls = (n.status as unknown as { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> }).getCalls().filter((c) => c.thisValue === n);
  return (calls.at(-1)?.args[0] as { text?: string } | undefined)?.text ?? "";
}

test("logs held past 80 % of the TTL: a warning in the status, the log and at Catch; it clears once delivered", async () => {
  emu.createLogstore("old", { shards: 1, ttl: 30 });
  const now = Math.floor(Date.now() / 1000);
  for (let g = 0; g < 20; g++) emu.putLogs("old", seqGroup(g * 10, g * 10 + 10), { shard: 0, receiveTime: now - 25 * DAY });
  sink.hold = true;
  const { flow, credentials } = consumerFlow(emu, { logstore: "old", group: "warn", maxInFlight: 30 });
  await helper.load(NODES, withCatch(flow), credentials);
  const cons = helper.getNode("cons") as unknown as TestNode;
  await until(() => caught("RetentionRisk").length > 0, 10_000, "a RetentionRisk warning at Catch");
  const w = caught("RetentionRisk")[0];
  assert.deepEqual(
    { level: w.level, shard: w.shard, retentionSec: w.retentionSec, percent: w.percent },
    { level: "warning", shard: 0, retentionSec: 30 * DAY, percent: 83 },
  );
  assert.ok(Math.abs(Number(w.ageSec) - 25 * DAY) < 60);
  await until(() => statusOf(cons) === "shard 0: lag at 83% of retention", 5000, "the warning in the status");
  const logged = cons.error.args.map((a) => String(a[0])).find((t) => /RetentionRisk|retention/.test(t))!;
  assert.match(logged, /shard 0: logs not yet delivered are 25\.0 d old, 83% of the logstore's 30\.0 d retention/);
  // The SIEM comes back: everything settles, the consumer catches up, the warning clears.
  sink.hold = false;
  sink.releaseHeld();
  await until(() => sink.seqs().filter((s) => !Number.isNaN(s)).length >= 200, 10_000, "all 200 logs");
  await until(() => /^1 shards · /.test(statusOf(cons)), 10_000, "a green status again");
  assert.equal(caught("RetentionRisk").length, 1, "one warning (repeats only after 10 minutes)");
});

test("data SLS expired before it was read: the count skipped is reported, and is exactly what never arrived", async () => {
  emu.createLogstore("expiring", { shards: 1, ttl: 1 });
  const now = Math.floor(Date.now() / 1000);
  // 300 groups of 10 logs (10 KB a group) that expire 4 s from now, then 50 groups of fresh logs.
  // A consumer whose window is full stops reading after about two pulls of at most 1 MB.
  for (let g = 0; g < 300; g++) emu.putLogs("expiring", bigGroup(g * 10), { shard: 0, receiveTime: now - DAY + 4 });
  for (let g = 300; g < 350; g++) emu.putLogs("expiring", bigGroup(g * 10), { shard: 0 });
  // The SIEM is away: the consumer reads what fits its window, then waits.
  sink.hold = true;
  const { flow, credentials } = consumerFlow(emu, { logstore: "expiring", group: "loss", maxInFlight: 20 });
  await helper.load(NODES, withCatch(flow), credentials);
  const cons = helper.getNode("cons") as unknown as TestNode;
  await until(() => sink.held.length >= 20, 10_000, "a full window").catch((e: Error) => {
    throw new Error(
      `${e.message}: ${statusOf(cons)} held ${sink.held.length} received ${sink.received.length} ${JSON.stringify(cons.error.args.slice(0, 3).map((a) => String(a[0])))}`,
    );
  });
  const s = emu.getLogstore("expiring").shard(0);
  await until(() => s.firstSeq === 300, 10_000, "the old groups expired in SLS");
  sink.hold = false;
  sink.releaseHeld();
  await until(() => caught("DataExpired").length > 0, 10_000, "a DataExpired report at Catch").catch((e: Error) => {
    throw new Error(
      `${e.message}: ${statusOf(cons)} held ${sink.held.length} seqs ${sink.seqs().length} ${JSON.stringify(cons.error.args.slice(0, 4).map((a) => String(a[0])))}`,
    );
  });
  await until(() => new Set(sink.seqs().filter((x) => x >= 3000)).size === 500, 10_000, "the retained logs");
  const loss = caught("DataExpired")[0];
  const got = new Set(sink.seqs().filter((x) => !Number.isNaN(x)));
  const missing = Array.from({ length: 3500 }, (_, i) => i).filter((i) => !got.has(i));
  assert.ok(missing.length > 0 && missing.every((i) => i < 3000), "only expired logs are missing");
  assert.equal(loss.skippedLogs, missing.length, `reported ${String(loss.skippedLogs)} skipped logs, ${missing.length} never arrived`);
  assert.equal(loss.skippedLogGroups, missing.length / 10);
  assert.equal(loss.toCursor, s.cursor(300));
  const logged = cons.error.args.map((a) => String(a[0])).find((t) => /expired/.test(t))!;
  assert.match(logged, new RegExp(`shard 0: SLS expired ${missing.length / 10} log group\\(s\\) \\(about ${missing.length} logs\\) before it was read`));
  await until(() => new RegExp(`· ${missing.length} logs expired unread$`).test(statusOf(cons)), 5000, "the loss in the status").catch((e: Error) => {
    throw new Error(`${e.message}: "${statusOf(cons)}"`);
  });
});

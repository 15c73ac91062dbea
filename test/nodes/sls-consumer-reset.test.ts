// The sls-consumer dialog's checkpoint reset through the real runtime and the emulator: the lag
// per shard for the confirmation, then a reset that the running flow and a consumer of the same
// group in another Node-RED process both pick up without a restart (they read from the reset
// position, never write their old one over it). The admin API acts only on a deployed node's
// group, with JSON bodies.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, type Emulator } from "../../emulator/index";
import { helper, type TestNode } from "../support/node-red";
import { helper as redHelper, until } from "../support/red-helper";
import { sink } from "../support/sink-control";
import { consumerFlow, putSeq, seqGroup } from "../support/sls-fixtures";
import { spawnMember, stopMember } from "../support/consumer-member";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import sinkNode = require("../support/settling-sink");

const NODES = [connNode, consumerNode, sinkNode];
let emu: Emulator;

before(async () => {
  emu = await start({ port: 0 });
  await helper.startServer();
});
after(async () => {
  await helper.stopServer();
  await emu.close();
});
afterEach(async () => {
  await helper.unload();
  sink.reset();
});

interface Reply {
  ok: boolean;
  code?: string;
  message?: string;
  consumerGroup?: string;
  shards?: Array<{ shard: number; checkpoint: string; previous?: string; behind?: number; lagSec?: number; consumer?: string }>;
  repaired?: number;
}

async function post(path: string, body: object): Promise<Reply> {
  const r = await redHelper.request().post(path).send(body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as Reply;
}

const callsOf = (n: TestNode, m: "warn" | "error"): unknown[][] =>
  (n[m] as unknown as { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> })
    .getCalls()
    .filter((c) => c.thisValue === n)
    .map((c) => c.args);

test(
  "a reset to the oldest log moves the running flow and another instance's consumer of the group; the confirmation shows the lag per shard",
  { timeout: 90_000 },
  async () => {
    emu.createLogstore("reset", { shards: 2 });
    putSeq(emu, 0, 200, 10, 2, "reset");
    const other = spawnMember(emu, "there", { logstore: "reset", group: "live-cg" });
    try {
      await other.ready;
      const { flow, credentials } = consumerFlow(emu, { logstore: "reset", group: "live-cg", consumerName: "here" });
      await helper.load(NODES, flow, credentials);
      const all = (): Set<number> => new Set([...sink.seqs(), ...other.seqs]);
      const ls = emu.getLogstore("reset");
      const atEnd = (): boolean => emu.checkpoints("reset", "live-cg").every((c) => c.checkpoint === ls.cursorFrom(c.shard, "end"));
      await until(() => all().size === 200 && atEnd(), 30_000, "both consumers read everything and committed the end");
      const granted = (): string => JSON.stringify(emu.consumers("reset", "live-cg").map((c) => [c.name, c.granted.length]));
      await until(
        () =>
          granted() ===
          JSON.stringify([
            ["here", 1],
            ["there", 1],
          ]),
        20_000,
        "one shard each",
      );
      const here0 = sink.seqs().length;
      const there0 = other.seqs.length;

      const req = { id: "cons", connection: "conn", project: emu.project, logstore: "reset", consumerGroup: "live-cg" };
      const lag = await post("/sls-consumer/checkpoints", req);
      assert.equal(lag.ok, true, JSON.stringify(lag));
      assert.equal(lag.consumerGroup, "live-cg");
      assert.deepEqual(
        lag.shards!.map((s) => [s.shard, s.behind, s.lagSec]),
        [
          [0, 0, 0],
          [1, 0, 0],
        ],
      );

      const reset = await post("/sls-consumer/reset", { ...req, position: "begin" });
      assert.equal(reset.ok, true, JSON.stringify(reset));
      assert.deepEqual(
        reset.shards!.map((s) => [s.shard, s.previous, s.checkpoint]),
        [0, 1].map((s) => [s, ls.cursorFrom(s, "end"), ls.cursorFrom(s, "begin")]),
      );
      // Both consumers read their shard again from the oldest log, without a restart.
      await until(() => new Set([...sink.seqs().slice(here0), ...other.seqs.slice(there0)]).size === 200, 30_000, "all 200 logs read again after the reset");
      const cons = helper.getNode("cons");
      assert.ok(
        callsOf(cons, "warn").some((a) => /checkpoint was moved by someone else/.test(String(a[0]))),
        "the node says so",
      );
      // And their commits go on from there (after the hold that keeps them off a reset being checked).
      await until(atEnd, 40_000, "checkpoints at the end again");
    } finally {
      await stopMember(other);
    }
  },
);

test(
  "reset to a time; the admin API refuses a dialog that does not show the deployed group, an undeployed node, a bad position, and non-JSON bodies",
  { timeout: 60_000 },
  async () => {
    emu.createLogstore("guard", { shards: 1 });
    const t = Math.floor(Date.now() / 1000) - 600;
    emu.putLogs("guard", seqGroup(0, 1), { shard: 0, receiveTime: t - 100 });
    emu.putLogs("guard", seqGroup(1, 2), { shard: 0, receiveTime: t });
    const { flow, credentials } = consumerFlow(emu, { logstore: "guard", group: "guard-cg" });
    await helper.load(NODES, flow, credentials);
    const ls = emu.getLogstore("guard");
    await until(
      () => sink.seqs().length === 2 && emu.checkpoints("guard", "guard-cg")[0].checkpoint === ls.cursorFrom(0, "end"),
      10_000,
      "both logs, committed",
    );
    const req = { id: "cons", connection: "conn", project: emu.project, logstore: "guard", consumerGroup: "guard-cg" };

    const other = await post("/sls-consumer/reset", { ...req, consumerGroup: "someone-else", position: "begin" });
    assert.deepEqual([other.ok, other.code], [false, "DeployFirst"]);
    assert.match(other.message!, /consumerGroup is not the deployed node's/);
    const unknown = await post("/sls-consumer/checkpoints", { ...req, id: "nope" });
    assert.deepEqual([unknown.ok, unknown.code], [false, "DeployFirst"]);
    const bad = await post("/sls-consumer/reset", { ...req, position: "time", time: "yesterday" });
    assert.deepEqual([bad.ok, bad.code], [false, "ParameterInvalid"]);
    const form = await (redHelper.request().post("/sls-consumer/reset") as unknown as { type(t: string): { send(b: object): Promise<{ status: number }> } })
      .type("form")
      .send({ ...req, position: "begin" });
    assert.equal(form.status, 415);
    assert.equal(emu.checkpoints("guard", "guard-cg")[0].checkpoint, ls.cursorFrom(0, "end"), "nothing was reset by the refused requests");

    const ok = await post("/sls-consumer/reset", { ...req, position: "time", time: new Date(t * 1000).toISOString() });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.shards![0].checkpoint, ls.cursorFrom(0, String(t)), "the group's checkpoint is the first log group received at the time");
    await until(() => sink.seqs().length === 3, 10_000, "the log received at that time read again");
    assert.deepEqual(sink.seqs(), [0, 1, 1]);
  },
);

// sls-consumer's "start at time", through a real Node-RED runtime and the emulator's GetCursor: in
// every shard the first log delivered is the first whose receive time is at or after T, for each
// accepted spelling of T (ISO 8601 with a zone, without one = UTC, unix seconds); a time that does
// not parse stops the node instead of reading from the beginning.
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

const NODES = [connNode, consumerNode, sinkNode];
const SHARDS = 3;
const GROUPS = 30;
/** Shard s receives group k at BASE + 10 k + OFFSET[s] (unix s). */
const OFFSET = [0, 3, 6];
let emu: Emulator;
let base: number;
let savedTz: string | undefined;

before(async () => {
  // A local zone far from UTC: a time without a zone must still be read as UTC.
  savedTz = process.env.TZ;
  process.env.TZ = "Asia/Shanghai";
  emu = await start({ port: 0, shards: 1 });
  emu.createLogstore("timed", { shards: SHARDS });
  base = Math.floor(Date.now() / 1000) - 3600;
  for (let k = 0; k < GROUPS; k++) {
    for (let s = 0; s < SHARDS; s++) {
      const first = s * 1000 + k * 10;
      emu.putLogs("timed", seqGroup(first, first + 10, `k${s}`), { shard: s, receiveTime: base + 10 * k + OFFSET[s] });
    }
  }
});
after(async () => {
  await emu.close();
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});
afterEach(async () => {
  await helper.unload();
  sink.reset();
});

/** The first seq of each shard whose group was received at or after t. */
function expectedFirst(t: number): number[] {
  return OFFSET.map((off, s) => {
    const k = Math.max(0, Math.ceil((t - base - off) / 10));
    return s * 1000 + k * 10;
  });
}

const isoUtc = (t: number): string => new Date(t * 1000).toISOString().replace(".000Z", "Z");
const isoNoZone = (t: number): string => isoUtc(t).replace("Z", "");
const isoPlus8 = (t: number): string => new Date((t + 8 * 3600) * 1000).toISOString().replace(".000Z", "+08:00");

let group = 0;
async function firstDelivered(startTime: string): Promise<number[]> {
  const { flow, credentials } = consumerFlow(emu, { logstore: "timed", group: `start${++group}`, consumer: { start: "time", startTime } });
  await helper.load(NODES, flow, credentials);
  const t = Number(/^\d+$/.test(startTime) ? startTime : NaN);
  const want = expectedFirst(Number.isNaN(t) ? Math.ceil(Date.parse(/Z|[+-]\d\d:\d\d$/.test(startTime) ? startTime : startTime + "Z") / 1000) : t);
  const total = want.reduce((n, first, s) => n + (s * 1000 + GROUPS * 10 - first), 0);
  await until(() => new Set(sink.seqs()).size >= total, 15_000, `${total} logs from ${startTime}`);
  const firsts: number[] = [];
  for (let s = 0; s < SHARDS; s++) {
    const seqs = sink.received.filter((m) => m.sls.shard === s).map((m) => Number((m.payload as Record<string, unknown>).seq));
    firsts.push(seqs[0]);
    assert.equal(Math.min(...seqs), seqs[0], `shard ${s}: nothing older arrives later`);
  }
  assert.equal(new Set(sink.seqs()).size, total, "every log from the start time on (at least once)");
  return firsts;
}

test("start at an ISO time with Z: in every shard the first log is the first received at or after it", async () => {
  const t = base + 155;
  assert.deepEqual(await firstDelivered(isoUtc(t)), expectedFirst(t));
  assert.deepEqual(expectedFirst(t), [160, 1160, 2150], "the shards start at different groups");
});

test("start at an ISO time without a zone: UTC, whatever the machine's zone", async () => {
  const t = base + 156; // shard 2's group 15 was received exactly then: included
  assert.deepEqual(await firstDelivered(isoNoZone(t)), expectedFirst(t));
  assert.deepEqual(expectedFirst(t), [160, 1160, 2150]);
});

test("start at unix seconds, and at an ISO time with an offset", async () => {
  assert.deepEqual(await firstDelivered(String(base + 201)), expectedFirst(base + 201));
  await helper.unload();
  sink.reset();
  assert.deepEqual(await firstDelivered(isoPlus8(base + 44)), expectedFirst(base + 44));
});

test("a start time that does not parse: the node does not start (no silent begin)", async () => {
  const { flow, credentials } = consumerFlow(emu, { logstore: "timed", group: "badstart", consumer: { start: "time", startTime: "yesterday" } });
  await helper.load(NODES, flow, credentials);
  const cons = helper.getNode("cons") as unknown as TestNode;
  await until(() => cons.status.args.some((a) => /startTime/.test(JSON.stringify(a[0]))), 5000, "a status naming startTime");
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(sink.received.length, 0, "nothing read");
  assert.equal(emu.getLogstore("timed").groups.has("badstart"), false, "the group is not even joined");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { emitBatch, type OutMessage } from "../../lib/sls/consumer-messages";
import { scanLogGroupList, toRecordGroup } from "../../lib/sls/pull-decoder";
import { encodeLogGroup, encodeLogGroupList } from "../../lib/sls/log-group-codec";
import { cursorSequence } from "../../lib/sls/cursor";
import type { Batch, DeliveryContext } from "../../lib/sls/shard-reader";
import type { EmitTurns } from "../../lib/sls/emit-turns";

const c0 = Buffer.from("1800000000000000100").toString("base64");
const GROUPS = [
  toRecordGroup({
    logs: [0, 1, 2].map((i) => ({ time: 100 + i, timeNs: i, contents: [["seq", String(i)]] as Array<[string, string]> })),
    tags: [["host", "h"]],
    topic: "t",
  }),
  toRecordGroup({ logs: [3, 4].map((i) => ({ time: 100 + i, contents: [["seq", String(i)]] as Array<[string, string]> })), tags: [], source: "s" }),
];
const batch: Batch = {
  shard: 2,
  cursor: c0,
  nextCursor: Buffer.from("1800000000000000102").toString("base64"),
  rawSize: 0,
  logCount: 5,
  cursorOf: cursorSequence(c0, 2),
  groups: GROUPS,
};

function ctx(room = Infinity): { ctx: DeliveryContext; issued: Array<[number, number, number | undefined]> } {
  const issued: Array<[number, number, number | undefined]> = [];
  let inFlight = 0;
  return {
    issued,
    ctx: {
      issue(weight, first, last) {
        issued.push([weight, first, last]);
        inFlight += weight;
        return `tok${issued.length}`;
      },
      waitForRoom: async () => {
        inFlight = 0;
      },
      stopped: false,
      get full() {
        return inFlight >= room;
      },
    },
  };
}

const meta = { project: "p", logstore: "l", consumerGroup: "g" };

test("per-log messages: fields, metadata, group cursors and one token per log", async () => {
  const out: OutMessage[][] = [];
  const { ctx: c, issued } = ctx(2);
  let id = 0;
  await emitBatch(batch, c, { meta, mode: "log", maxChunk: 1000, send: (m) => out.push(m), newId: () => `id${id++}` });
  const msgs = out.flat();
  assert.equal(msgs.length, 5);
  assert.deepEqual(
    out.map((o) => o.length),
    [2, 2, 1],
    "flushed whenever the window filled",
  );
  assert.deepEqual(issued, [
    [1, 0, undefined],
    [1, 0, undefined],
    [1, 0, undefined],
    [1, 1, undefined],
    [1, 1, undefined],
  ]);
  assert.deepEqual(msgs[0], {
    _msgid: "id0",
    payload: { seq: "0", __time__: 100, __topic__: "t", __source__: "", "__tag__:host": "h" },
    sls: {
      project: "p",
      logstore: "l",
      consumerGroup: "g",
      shard: 2,
      cursor: c0,
      index: 0,
      time: 100,
      timeNs: 0,
      topic: "t",
      source: "",
      tags: { host: "h" },
      token: "tok1",
    },
  });
  assert.equal(msgs[3].sls.cursor, Buffer.from("1800000000000000101").toString("base64"));
  assert.equal(msgs[4].sls.timeNs, 0);
  assert.deepEqual(
    msgs.map((m) => m.sls.index),
    [0, 1, 2, 0, 1],
    "position of each log in its group",
  );
  assert.equal(msgs[0].sls.tags, msgs[1].sls.tags, "one frozen tags object per log group");
  assert.ok(Object.isFrozen(msgs[0].sls.tags));
  assert.notEqual(msgs[0].sls.tags, msgs[3].sls.tags);
});

test("batch messages: chunks of at most maxChunk records spanning groups, one token per chunk", async () => {
  const out: OutMessage[][] = [];
  const { ctx: c, issued } = ctx();
  await emitBatch(batch, c, { meta, mode: "batch", maxChunk: 4, send: (m) => out.push(m), newId: () => "x" });
  const msgs = out.flat();
  assert.equal(msgs.length, 2);
  assert.deepEqual(issued, [
    [4, 0, 1],
    [1, 1, 1],
  ]);
  assert.equal((msgs[0].payload as object[]).length, 4);
  assert.equal(msgs[1].sls.cursor, Buffer.from("1800000000000000101").toString("base64"));
  assert.deepEqual((msgs[1].sls.records as object[])[0], { cursor: msgs[1].sls.cursor, index: 1, time: 104, timeNs: 0, topic: "", source: "s", tags: {} });
  assert.deepEqual(Object.keys(msgs[0].sls), ["project", "logstore", "consumerGroup", "shard", "cursor", "token", "records"]);
});

test("batch messages: readers sharing a window build a chunk only while it has room (all waiters wake at once)", async () => {
  // A window of 4 shared by three readers; chunks of 4: never more than one chunk unsettled.
  let inFlight = 0;
  let maxSeen = 0;
  let waiters: Array<() => void> = [];
  const unsettled: number[] = [];
  const shared = (): DeliveryContext => ({
    issue(weight) {
      inFlight += weight;
      maxSeen = Math.max(maxSeen, inFlight);
      unsettled.push(weight);
      return "tok";
    },
    waitForRoom: () => (inFlight < 4 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    stopped: false,
    get full() {
      return inFlight >= 4;
    },
  });
  // The sink settles one message per tick and then releases every waiter, like DeliveryWindow.
  const sink = setInterval(() => {
    const w = unsettled.shift();
    if (w === undefined) return;
    inFlight -= w;
    const ws = waiters;
    waiters = [];
    for (const r of ws) r();
  }, 1);
  const sent: number[] = [];
  try {
    await Promise.all(
      [0, 1, 2].map(() =>
        emitBatch(batch, shared(), { meta, mode: "batch", maxChunk: 4, send: (m) => sent.push((m[0].payload as object[]).length), newId: () => "x" }),
      ),
    );
  } finally {
    clearInterval(sink);
  }
  assert.deepEqual([...sent].sort(), [1, 1, 1, 4, 4, 4]);
  assert.ok(maxSeen <= 4 + 3, `at most one chunk plus the readers' last partial ones in flight, saw ${maxSeen}`);
});

test("a reader decodes a log group only once the window has room (records of a waiting reader would outlive the wait)", async () => {
  for (const mode of ["batch", "log"] as const) {
    const decodedWhileFull: number[] = [];
    let full = true;
    let decoded = 0;
    // Groups whose records are built on first read, like PulledGroup.
    const lazy = GROUPS.map((g, gi) => ({
      ...g,
      get records() {
        decoded++;
        if (full) decodedWhileFull.push(gi);
        return g.records;
      },
    }));
    let wake: (() => void) | undefined;
    const c: DeliveryContext = {
      issue: () => "tok",
      waitForRoom: () => new Promise<void>((r) => (wake = r)),
      stopped: false,
      get full() {
        return full;
      },
    };
    const out: OutMessage[] = [];
    const done = emitBatch({ ...batch, groups: lazy }, c, { meta, mode, maxChunk: 100, send: (m) => out.push(...m), newId: () => "x" });
    await new Promise((r) => setImmediate(r));
    assert.equal(decoded, 0, `${mode}: nothing decoded while the window is full`);
    full = false;
    wake!();
    await done;
    assert.deepEqual(decodedWhileFull, [], mode);
    assert.equal(decoded, 2, mode);
    assert.equal(mode === "batch" ? (out[0].payload as object[]).length : out.length, 5, mode);
  }
});

test("per-log: a full chunk is sent, and the reader's turn awaited, before the next group is decoded", async () => {
  const events: string[] = [];
  const lazy = GROUPS.map((g, gi) => ({
    ...g,
    get records() {
      events.push(`decode ${gi}`);
      return g.records;
    },
  }));
  const turns = { next: async () => void events.push("turn") } as unknown as EmitTurns;
  await emitBatch({ ...batch, groups: lazy }, ctx().ctx, {
    meta,
    mode: "log",
    maxChunk: 3, // the first group is exactly one chunk
    send: (m) => events.push(`send ${m.length}`),
    newId: () => "x",
    turns,
  });
  assert.deepEqual(events, ["decode 0", "send 3", "turn", "decode 1", "send 2"]);
});

test("a reader waiting for its turn holds no finished log group (its records can be collected)", async () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  for (const mode of ["batch", "log"] as const) {
    let ref: WeakRef<object> | undefined;
    // Two groups of two logs, chunks of two: the first chunk ends with the first group.
    const groups = [0, 1].map((gi) => ({
      topic: "",
      source: "",
      tags: [] as Array<[string, string]>,
      timeNs: [0, 0],
      get records() {
        const recs = [0, 1].map((i) => ({ __time__: 100, text: `group ${gi} log ${i} `.repeat(20) }));
        if (gi === 0) ref = new WeakRef(recs[0]);
        return recs;
      },
    }));
    let waits = 0;
    let release: (() => void) | undefined;
    const turns = {
      // The first turn is held until the check below; later ones come at once.
      next: () => (waits++ === 0 ? new Promise<void>((r) => (release = r)) : Promise.resolve()),
    } as unknown as EmitTurns;
    // The sink drops every message at once: only the reader could still hold the first group.
    const done = emitBatch({ ...batch, groups, logCount: 4 }, ctx().ctx, { meta, mode, maxChunk: 2, send: () => undefined, newId: () => "x", turns });
    await new Promise((r) => setImmediate(r));
    assert.equal(waits, 1, `${mode}: the reader waits for its turn after the first chunk`);
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    assert.equal(ref!.deref(), undefined, `${mode}: the first group's records were collected while the reader waited`);
    release!();
    await done;
  }
});

test("a reader stopped while it waits for room emits nothing more, in either mode", async () => {
  for (const mode of ["batch", "log"] as const) {
    let inFlight = 0;
    let stopped = false;
    const c: DeliveryContext = {
      issue(weight) {
        inFlight += weight;
        return "tok";
      },
      // The reader is stopped (shard lost, node closing) while it waits.
      waitForRoom: async () => {
        stopped = true;
      },
      get stopped() {
        return stopped;
      },
      get full() {
        return inFlight >= 2;
      },
    };
    const sent: number[] = [];
    await emitBatch(batch, c, {
      meta,
      mode,
      maxChunk: 2,
      send: (m) => sent.push(...m.map((x) => (Array.isArray(x.payload) ? x.payload.length : 1))),
      newId: () => "x",
    });
    // The first chunk of two logs went out; the other three of the five were never emitted.
    assert.deepEqual(sent, mode === "batch" ? [2] : [1, 1], mode);
    assert.equal(inFlight, 2, mode);
  }
});

test("a pulled group is decoded as its records are emitted, not ahead: a 1000-log group in chunks of 200 holds one chunk", async () => {
  for (const mode of ["batch", "log"] as const) {
    const logs = Array.from({ length: 1000 }, (_, i) => ({ time: 100 + i, timeNs: i, contents: [["seq", String(i)]] as Array<[string, string]> }));
    const body = encodeLogGroupList([encodeLogGroup({ logs, tags: [["host", "h"]], topic: "t" })]);
    const g = scanLogGroupList(body, false).at(0)!;
    let decoded = 0;
    const next = g.nextRecord.bind(g);
    g.nextRecord = () => {
      decoded++;
      return next();
    };
    const decodedAtSend: number[] = [];
    const sent: OutMessage[] = [];
    await emitBatch({ ...batch, cursorOf: undefined, logCount: 1000, groups: [g] }, ctx(200).ctx, {
      meta,
      mode,
      maxChunk: 200,
      send: (m) => {
        decodedAtSend.push(decoded);
        sent.push(...m);
      },
      newId: () => "x",
    });
    assert.deepEqual(decodedAtSend, [200, 400, 600, 800, 1000], mode);
    const payloads = mode === "batch" ? sent.flatMap((m) => m.payload as object[]) : sent.map((m) => m.payload);
    assert.deepEqual(payloads[999], { seq: "999", __time__: 1099, __topic__: "t", __source__: "", "__tag__:host": "h" }, mode);
    const meta999 =
      mode === "batch" ? (sent[4].sls.records as Array<{ timeNs: number; index: number }>)[199] : (sent[999].sls as { timeNs: number; index: number });
    assert.deepEqual([meta999.index, meta999.timeNs], [999, 999], mode);
    assert.throws(() => g.nextRecord(), /after release/, `${mode}: the group was released once emitted`);
  }
});

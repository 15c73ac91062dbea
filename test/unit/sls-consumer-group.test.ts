import { test } from "node:test";
import assert from "node:assert/strict";
import { DeliveryWindow, claimToken } from "../../lib/delivery";
import type { ConsumerGroupOptions } from "../../lib/sls/consumer-group";
import { SlsError } from "../../lib/sls/errors";
import { FakeSls, seqGroup } from "../support/fake-sls";
import { until } from "../support/until";
import { engineGroup as group } from "../support/engine-group";
import { engineSink } from "../support/engine-sink";

const sink = engineSink;

test("delivers every log exactly once and commits the end cursor", async () => {
  const api = new FakeSls(2);
  for (let i = 0; i < 50; i++) api.put(i % 2, seqGroup(i * 10, i * 10 + 10));
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const s = sink();
  const cg = group(api, s.deliver, { window: win });
  await cg.start();
  await until(() => s.seqs.length === 500 && api.checkpointIndex(0) === 25 && api.checkpointIndex(1) === 25);
  assert.deepEqual(
    [...s.seqs].sort((a, b) => a - b),
    Array.from({ length: 500 }, (_, i) => i),
  );
  assert.deepEqual(api.groups.get("g"), { name: "g", timeout: 1, order: false });
  await cg.stop();
  const last = api.calls.filter((c) => c.action === "heartbeat").length;
  assert.ok(last >= 2);
  win.close();
});

test("window backpressure: pulling stops while records are unsettled, resumes after", async () => {
  const api = new FakeSls(1);
  for (let i = 0; i < 100; i++) api.put(0, seqGroup(i * 100, i * 100 + 100));
  const win = new DeliveryWindow({ maxInFlight: 250, claimTimeoutMs: 0 });
  const s = sink({ hold: true });
  const cg = group(api, s.deliver, { window: win, pullCount: 1 });
  await cg.start();
  await until(() => s.seqs.length >= 250);
  const pulls = api.count("pullLogs");
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(s.seqs.length, 250, "no record emitted while the window is full");
  assert.ok(api.count("pullLogs") <= pulls + 1, "at most one prefetched pull while waiting");
  assert.equal(cg.stats().waiting, true);
  assert.equal(api.checkpointIndex(0), 0, "nothing settled: checkpoint at the start");
  for (const t of s.held.splice(0)) claimToken(t)!.settle();
  await until(() => s.seqs.length >= 500);
  for (const t of s.held.splice(0, 200)) claimToken(t)!.settle();
  await until(() => api.checkpointIndex(0) === 4);
  await cg.stop();
  win.close();
});

test("5xx, throttling and network errors are retried; nothing is lost or duplicated", async () => {
  const api = new FakeSls(1);
  for (let i = 0; i < 20; i++) api.put(0, seqGroup(i * 5, i * 5 + 5));
  api.fail(
    "pullLogs",
    new SlsError("InternalServerError", "boom", { status: 500 }),
    new SlsError("ShardReadQuotaExceed", "slow", { status: 403 }),
    new SlsError("ECONNRESET", "reset"),
  );
  api.fail("heartbeat", new SlsError("ServerBusy", "busy", { status: 503 }));
  api.fail("getCheckpoints", new SlsError("ECONNRESET", "reset"));
  const win = new DeliveryWindow({ maxInFlight: 1000, claimTimeoutMs: 0 });
  const s = sink();
  const failures: string[] = [];
  const cg = group(api, s.deliver, { window: win, pullCount: 3 });
  cg.on("failure", (e) => failures.push(e.code));
  let recovered = 0;
  cg.on("recovered", () => recovered++);
  await cg.start();
  await until(() => s.seqs.length === 100 && api.checkpointIndex(0) === 20);
  assert.deepEqual(
    s.seqs,
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(failures.sort(), ["ECONNRESET", "ECONNRESET", "InternalServerError", "ServerBusy", "ShardReadQuotaExceed"]);
  assert.ok(recovered >= 1);
  assert.equal(cg.stats().error, undefined);
  await cg.stop();
  win.close();
});

test("resumes from the stored checkpoint; start position used only without one", async () => {
  const api = new FakeSls(2);
  for (let i = 0; i < 10; i++) {
    api.put(0, seqGroup(i, i + 1));
    api.put(1, seqGroup(100 + i, 101 + i));
  }
  await api.updateCheckpoint("p", "l", "g", "x", 0, api.cursorOf(0, 7), true);
  const s = sink();
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const cg = group(api, s.deliver, { window: win, start: { from: "end" } });
  await cg.start();
  await until(() => s.seqs.length === 3 && api.checkpointIndex(1) === 10);
  api.put(1, seqGroup(110, 111));
  await until(() => s.seqs.length === 4);
  assert.deepEqual(s.seqs, [7, 8, 9, 110]);
  await cg.stop();
  win.close();
});

test("InvalidCursor is reported and reading resumes at the oldest retained data, not the end", async () => {
  const api = new FakeSls(1);
  for (let i = 0; i < 10; i++) api.put(0, seqGroup(i, i + 1));
  await api.updateCheckpoint("p", "l", "g", "x", 0, api.cursorOf(0, 2), true);
  api.begin.set(0, 5);
  const s = sink();
  const failures: SlsError[] = [];
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const cg = group(api, s.deliver, { window: win });
  cg.on("failure", (e) => failures.push(e));
  await cg.start();
  await until(() => s.seqs.length === 5);
  assert.deepEqual(s.seqs, [5, 6, 7, 8, 9]);
  assert.equal(failures.length, 1);
  assert.equal(failures[0].code, "InvalidCursor");
  assert.match(failures[0].message, /no longer retained/);
  await cg.stop();
  win.close();
});

test("stop commits settled progress and releases shards with an empty heartbeat", async () => {
  const api = new FakeSls(1);
  for (let i = 0; i < 4; i++) api.put(0, seqGroup(i * 10, i * 10 + 10));
  const win = new DeliveryWindow({ maxInFlight: 1000, claimTimeoutMs: 0 });
  const s = sink({ hold: true });
  const cg = group(api, s.deliver, { window: win, commitIntervalMs: 60_000, pullCount: 1 });
  await cg.start();
  await until(() => s.seqs.length === 40);
  // Settle the first two groups only: the checkpoint may move to group 2, not further.
  for (const t of s.held.slice(0, 20)) claimToken(t)!.settle();
  const hbBefore: number[][] = [];
  const orig = api.heartbeat.bind(api);
  api.heartbeat = async (p, l, g, c, held) => {
    hbBefore.push(held);
    return orig(p, l, g, c, held);
  };
  await cg.stop();
  assert.equal(api.checkpointIndex(0), 2);
  assert.deepEqual(hbBefore.at(-1), []);
  win.close();
});

test("a shard revoked by the server is released after its records settle, and then not listed", async () => {
  const api = new FakeSls(2);
  for (let i = 0; i < 5; i++) api.put(1, seqGroup(i, i + 1));
  let give = [0, 1];
  const bodies: number[][] = [];
  api.assign = (_c, held) => {
    bodies.push(held);
    return give;
  };
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const s = sink();
  const assigned: number[][] = [];
  const cg = group(api, s.deliver, { window: win });
  cg.on("assigned", (a) => assigned.push(a));
  await cg.start();
  await until(() => s.seqs.length === 5);
  give = [0];
  await until(() => api.checkpointIndex(1) === 5 && bodies.length > 0 && JSON.stringify(bodies.at(-1)) === "[0]");
  assert.deepEqual(cg.stats().shards, [0]);
  await cg.stop();
  win.close();
});

test("a commit rejected for ownership (either spelling) stops the shard without more commits", async () => {
  for (const code of ["ConsumerNotMatch", "ConsumerNotExist"]) {
    const api = new FakeSls(1);
    api.put(0, seqGroup(0, 3));
    api.fail("updateCheckpoint", new SlsError(code, "not yours", { status: 400 }));
    const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
    const s = sink();
    let give = [0];
    api.assign = () => give;
    const cg = group(api, s.deliver, { window: win, heartbeatIntervalMs: 10_000 });
    await cg.start();
    await until(() => api.count("updateCheckpoint") >= 1 && cg.stats().shards.length === 0);
    give = [];
    const commits = api.count("updateCheckpoint");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(api.count("updateCheckpoint"), commits, code);
    assert.equal(api.checkpointIndex(0), -1);
    await cg.stop();
    win.close();
  }
});

test("acknowledge on emit: no tokens, checkpoint follows emission", async () => {
  const api = new FakeSls(1);
  for (let i = 0; i < 5; i++) api.put(0, seqGroup(i, i + 1));
  const s = sink();
  const cg = group(api, s.deliver);
  await cg.start();
  await until(() => api.checkpointIndex(0) === 5);
  assert.deepEqual(s.seqs, [0, 1, 2, 3, 4]);
  await cg.stop();
});

test("acknowledge on emit with a flow-control window: the checkpoint follows emission, pulling stops while sinks hold the window", async () => {
  const api = new FakeSls(1);
  for (let i = 0; i < 50; i++) api.put(0, seqGroup(i * 10, i * 10 + 10));
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0, claimedOnly: true });
  // The sink claims every token as it arrives and writes nothing (the SIEM is down).
  const claims: Array<NonNullable<ReturnType<typeof claimToken>>> = [];
  const s = { seqs: [] as number[] };
  const deliver: ConsumerGroupOptions["deliver"] = async (b, ctx) => {
    for (let gi = 0; gi < b.groups.length; gi++) {
      for (const rec of b.groups.at(gi)!.records) {
        await ctx.waitForRoom();
        if (ctx.stopped) return;
        const token = ctx.issue(1, gi);
        s.seqs.push(Number(rec.seq));
        claims.push(claimToken(token)!);
      }
    }
  };
  const cg = group(api, deliver, { window: win, ackOnEmit: true });
  await cg.start();
  await until(() => s.seqs.length >= 100 && win.full);
  const pulls = (): number => api.calls.filter((c) => c.action === "pullLogs").length;
  const n = pulls();
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(s.seqs.length <= 110, `${s.seqs.length} emitted past a full window`);
  assert.ok(pulls() <= n + 1, "no pulling while the sinks hold the window");
  await until(() => api.checkpointIndex(0) >= 9, 2000);
  // Outcomes move nothing: a returned token is not read again; written ones free the window.
  claims.splice(0, 50).forEach((c) => c.release());
  for (const c of claims.splice(0)) c.settle();
  // The SIEM is back: the sink writes what it takes.
  while (s.seqs.length < 500) {
    for (const c of claims.splice(0)) c.settle();
    await new Promise((r) => setTimeout(r, 5));
  }
  for (const c of claims.splice(0)) c.settle();
  await until(() => api.checkpointIndex(0) === 50);
  assert.deepEqual(
    s.seqs,
    Array.from({ length: 500 }, (_, i) => i),
    "each log once: returns are not re-read in emit mode",
  );
  await cg.stop();
  win.close();
});

test("authentication failures back off instead of storming, and recover", async () => {
  const api = new FakeSls(1);
  api.put(0, seqGroup(0, 1));
  const auth = (): SlsError => new SlsError("Unauthorized", "bad key", { status: 401 });
  api.fail("listConsumerGroups", auth(), auth(), auth(), auth(), auth(), auth());
  const s = sink();
  const failures: string[] = [];
  const cg = group(api, s.deliver, { retryBaseMs: 40, retryMaxMs: 80 });
  cg.on("failure", (e) => failures.push(e.code));
  const t0 = Date.now();
  await cg.start();
  await until(() => s.seqs.length === 1);
  assert.equal(api.count("listConsumerGroups"), 7);
  assert.ok(Date.now() - t0 >= 6 * 20, "waited between attempts");
  assert.equal(failures.length, 6);
  await cg.stop();
});

test("heartbeat failures keep shards until timeout + interval, then hand them back", async () => {
  const api = new FakeSls(2);
  for (let i = 0; i < 3; i++) api.put(0, seqGroup(i, i + 1));
  const s = sink();
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const cg = group(api, s.deliver, { window: win, heartbeatIntervalMs: 40, timeoutSec: 1 });
  await cg.start();
  await until(() => s.seqs.length === 3 && cg.stats().shards.length === 2);
  const err = (): SlsError => new SlsError("ECONNRESET", "reset");
  api.fail("heartbeat", ...Array.from({ length: 12 }, err)); // ~480 ms of failures < 1 s + 40 ms
  await until(() => api.count("heartbeat") >= 14);
  assert.deepEqual(cg.stats().shards, [0, 1], "transient failures do not drop shards");
  api.fail("heartbeat", ...Array.from({ length: 60 }, err)); // ~2.4 s > timeout
  await until(() => cg.stats().shards.length === 0, 5000);
  assert.equal(cg.stats().error?.code, "ECONNRESET");
  api.faults.set("heartbeat", []);
  await until(() => cg.stats().shards.length === 2, 5000);
  await cg.stop();
  win.close();
});

test("stop does not wait for a hanging PullLogs: settled progress is committed at once", async () => {
  const api = new FakeSls(1);
  for (let i = 0; i < 3; i++) api.put(0, seqGroup(i, i + 1));
  const s = sink({ hold: true });
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const cg = group(api, s.deliver, { window: win, commitIntervalMs: 60_000, stopTimeoutMs: 5000 });
  let hanging = 0;
  const pull = api.pullLogs.bind(api);
  api.pullLogs = async (p, l, sh, c, o) => {
    const r = await pull(p, l, sh, c, o);
    if (r.count > 0) return r;
    hanging++;
    return new Promise(() => undefined); // the server stalls past our patience
  };
  await cg.start();
  await until(() => s.seqs.length === 3 && hanging > 0);
  for (const t of s.held.splice(0)) claimToken(t)!.settle();
  assert.notEqual(api.checkpointIndex(0), 3, "not committed before stop");
  const t0 = Date.now();
  await cg.stop();
  assert.ok(Date.now() - t0 < 1000, `stop took ${Date.now() - t0} ms`);
  assert.equal(api.checkpointIndex(0), 3);
  win.close();
});

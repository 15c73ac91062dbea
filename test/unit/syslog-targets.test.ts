// Several collectors with real loopback listeners: failover (in order, failback after a healthy
// period, backlog handed over, order per target kept) and balance (round robin, a lost target's
// backlog moves to the others), with targets killed one, two, all and brought back.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SyslogTargets, type TargetsOptions } from "../../lib/syslog/targets";
import { streamReceiver, type StreamReceiver } from "../support/receivers";
import { relpServer } from "../support/relp-server";
import { until } from "../support/until";

const fast = { initialMs: 10, maxMs: 40 };
const msg = (i: number): string => `<14>1 - host app - - - m${i}`;
const seqOf = (f: Buffer | string): number => Number(/ m(\d+)$/.exec(String(f))![1]);

/** Three TCP listeners that can be killed and brought back on the same port. */
async function listeners(n: number): Promise<{ rx: StreamReceiver[]; got: number[][]; kill(i: number): Promise<void>; revive(i: number): Promise<void> }> {
  const got: number[][] = Array.from({ length: n }, () => []);
  const start = (i: number, port?: number): Promise<StreamReceiver> => streamReceiver({ port, onFrame: (f) => got[i].push(seqOf(f)) });
  const rx = await Promise.all(got.map((_, i) => start(i)));
  return {
    rx,
    got,
    kill: (i) => rx[i].close(),
    async revive(i) {
      rx[i] = await start(i, rx[i].port);
    },
  };
}

function targets(ports: number[], extra: Partial<TargetsOptions> = {}): SyslogTargets {
  const t = new SyslogTargets({ protocol: "tcp", targets: ports.map((port) => ({ host: "127.0.0.1", port })), backoff: fast, ...extra });
  t.open();
  return t;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

/** First arrivals at one target are in send order (replayed or handed-over copies may repeat earlier ones). */
function assertOrder(seqs: number[], who: string): void {
  const seen = new Set<number>();
  let last = -1;
  for (const s of seqs) {
    if (seen.has(s)) continue;
    seen.add(s);
    assert.ok(s > last, `${who}: m${s} after m${last}`);
    last = s;
  }
}

test("failover: in order; kill one, two, all; bring them back: nothing lost, order per target kept, failback after the healthy period", async () => {
  const L = await listeners(3);
  const names = L.rx.map((r) => `127.0.0.1:${r.port}`);
  const t = targets(
    L.rx.map((r) => r.port),
    { failbackMs: 300 },
  );
  await until(() => t.stats().down.length === 0, 10_000, "all up");
  await Promise.all(range(0, 100).map((i) => t.send(msg(i))));
  await until(() => L.got[0].length === 100, 10_000, "100 at A");
  assert.deepEqual(L.got[0], range(0, 100), "everything to the first target");
  assert.deepEqual([L.got[1], L.got[2]], [[], []]);
  assert.deepEqual(t.stats().inUse, [names[0]]);

  await L.kill(0);
  await until(() => t.stats().inUse[0] === names[1], 10_000, "B in use");
  await Promise.all(range(100, 200).map((i) => t.send(msg(i))));
  assert.deepEqual(t.stats().down, [names[0]]);

  await L.kill(1);
  await until(() => t.stats().inUse[0] === names[2], 10_000, "C in use");
  await Promise.all(range(200, 300).map((i) => t.send(msg(i))));

  await L.kill(2);
  await until(() => t.stats().down.length === 3 && t.currentState !== "connected", 10_000, "all down");
  const held = range(300, 400).map((i) => t.send(msg(i)));
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(t.stats().queued + t.stats().waiting >= 100, "queued while every target is down (with C's replay window), nothing dropped");

  await L.revive(1);
  await Promise.all(held);
  await until(() => range(300, 400).every((s) => L.got[1].includes(s)), 10_000, "the outage's backlog at B");
  assert.deepEqual(t.stats().inUse, [names[1]], "the first target back takes over, with the backlog");

  await L.revive(0);
  await until(() => t.stats().inUse[0] === names[0], 10_000, "failback to the first target after 300 ms up");
  await Promise.all(range(400, 500).map((i) => t.send(msg(i))));
  await until(() => L.got[0].includes(499), 10_000, "m499 at A");

  await until(() => range(0, 500).every((s) => L.got.some((g) => g.includes(s))), 3000, "all 500 somewhere").catch(() => {});
  const all = new Set(L.got.flat());
  assert.deepEqual(
    range(0, 500).filter((s) => !all.has(s)),
    [],
    "nothing lost",
  );
  L.got.forEach((g, i) => assertOrder(g, names[i]));
  assert.deepEqual(
    L.got[0].filter((s) => s >= 100),
    range(400, 500),
    "A gets only what was sent after the failback",
  );
  assert.ok(
    range(300, 400).every((s) => L.got[1].includes(s)),
    "the backlog of the outage went to B",
  );
  const st = t.stats();
  assert.equal(
    st.sent,
    st.targets.reduce((n, x) => n + x.sent, 0),
  );
  assert.ok(st.targets[0].faults.refused! >= 1 || st.targets[0].faults.disconnected! >= 1, "faults counted by kind per target");
  await t.close();
  await Promise.all(L.rx.map((r) => r.close()));
});

test("balance: round robin over the targets that are up; a lost target's backlog moves to the others; nothing lost", async () => {
  const L = await listeners(3);
  const t = targets(
    L.rx.map((r) => r.port),
    { mode: "balance" },
  );
  await until(() => t.stats().down.length === 0, 10_000, "all up");
  await Promise.all(range(0, 300).map((i) => t.send(msg(i))));
  await until(() => L.got.flat().length === 300, 10_000, "300 received");
  assert.deepEqual(
    L.got.map((g) => g.length),
    [100, 100, 100],
    "one in three each",
  );
  assert.equal(t.stats().inUse.length, 3);

  await L.kill(1);
  await until(() => t.stats().down.length === 1, 10_000, "one down");
  await Promise.all(range(300, 600).map((i) => t.send(msg(i))));
  await until(() => range(300, 600).every((s) => L.got[0].includes(s) || L.got[2].includes(s)), 10_000, "300..599 received");
  assert.ok(
    range(300, 600).every((s) => L.got[0].includes(s) || L.got[2].includes(s)),
    "the two that are up take it all",
  );

  await L.kill(2);
  await until(() => t.stats().down.length === 2, 10_000, "two down");
  await Promise.all(range(600, 700).map((i) => t.send(msg(i))));
  await until(() => L.got[0].includes(699), 10_000, "m699 at A");
  assert.ok(range(600, 700).every((s) => L.got[0].includes(s)));

  await L.kill(0);
  await until(() => t.stats().down.length === 3, 10_000, "all down");
  const held = range(700, 800).map((i) => t.send(msg(i)));
  await L.revive(2);
  await Promise.all(held);
  await until(() => range(700, 800).every((s) => L.got[2].includes(s)), 10_000, "the outage's backlog at C");
  await L.revive(0);
  await L.revive(1);
  await until(() => t.stats().down.length === 0, 10_000, "all back");
  const before = L.got.map((g) => g.length);
  await Promise.all(range(800, 1100).map((i) => t.send(msg(i))));
  await until(() => L.got.reduce((n, g, i) => n + g.length - before[i], 0) >= 300, 10_000, "300 more received");
  assert.deepEqual(
    L.got.map((g, i) => g.length - before[i]),
    [100, 100, 100],
    "spread again once they are back",
  );
  const all = new Set(L.got.flat());
  assert.deepEqual(
    range(0, 1100).filter((s) => !all.has(s)),
    [],
    "nothing lost",
  );
  await t.close();
  await Promise.all(L.rx.map((r) => r.close()));
});

test("balance: a target whose queue is full is skipped while another has room (each target has its own queue and backpressure)", async () => {
  const slow = await relpServer();
  const quick = await relpServer();
  slow.answer = () => "hold";
  const t = new SyslogTargets({
    protocol: "relp",
    mode: "balance",
    targets: [slow, quick].map((x) => ({ host: "127.0.0.1", port: x.port })),
    backoff: fast,
    maxQueueMessages: 10,
  });
  t.open();
  await until(() => t.stats().down.length === 0, 10_000, "both up");
  const ps: Promise<void>[] = [];
  for (let i = 0; i < 100; i++) {
    ps.push(t.send(msg(i)));
    await new Promise((r) => setImmediate(r));
  }
  await quick.waitFor(() => quick.messages().length === 90, "90 at the quick target");
  const st = t.stats();
  assert.equal(st.targets[0].queued, 10, "the slow target holds its bound and no more");
  assert.equal(st.targets[0].waiting, 0, "nothing waits behind it: the others took the rest");
  slow.answer = () => "ok";
  slow.release();
  await Promise.all(ps);
  await t.close();
  await slow.close();
  await quick.close();
});

test("failover with RELP: a target lost with unanswered frames hands exactly those to the next one (0 lost, 0 duplicated)", async () => {
  const a = await relpServer();
  const b = await relpServer();
  let n = 0;
  a.answer = () => (n++ < 40 ? "ok" : "hold");
  const t = new SyslogTargets({ protocol: "relp", targets: [a, b].map((s) => ({ host: "127.0.0.1", port: s.port })), backoff: fast, failbackMs: 60_000 });
  t.open();
  await until(() => t.stats().down.length === 0, 10_000, "both up");
  const ps = range(0, 100).map((i) => t.send(msg(i)));
  await a.waitFor(() => a.messages().length === 100, "100 frames at A");
  for (const s of a.sockets) s.destroy();
  await a.close();
  await Promise.all(ps);
  const atA = a.messages().slice(0, 40).map(seqOf);
  const atB = b.messages().map(seqOf);
  assert.deepEqual(atA, range(0, 40));
  assert.deepEqual(atB, range(40, 100), "exactly the unanswered frames, in order");
  await t.close();
  await b.close();
});

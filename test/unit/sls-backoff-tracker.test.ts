import { test } from "node:test";
import { getEventListeners } from "node:events";
import assert from "node:assert/strict";
import { Backoff, sleep } from "../../lib/backoff";
import { CheckpointTracker } from "../../lib/sls/checkpoint-tracker";
import { SlsError, isOwnershipError, isRetryable, toSlsError } from "../../lib/sls/errors";
import { cursorAt, cursorNumber, cursorRange } from "../../lib/sls/cursor";

test("backoff doubles to its cap with jitter in [cap/2, cap]", () => {
  let r = 0;
  const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => r });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [50, 100, 200, 400, 500]);
  r = 0.999999;
  assert.equal(b.next(), 1000);
  b.reset();
  assert.equal(b.attempts, 0);
  assert.equal(b.next(), 100);
});

test("sleep resolves early on abort", async () => {
  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort(), 10);
  await sleep(10_000, ac.signal);
  assert.ok(Date.now() - t0 < 5000);
});

test("backoff settings: defaults 250 ms .. 30 s; initialMs must be > 0 and maxMs >= initialMs", () => {
  const d = new Backoff({ random: () => 0.999999 });
  assert.deepEqual(
    Array.from({ length: 9 }, () => d.next()),
    [250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000],
  );
  assert.equal(new Backoff({ initialMs: 20_000, random: () => 0.999999 }).next(), 20_000, "maxMs defaults to 30 s");
  assert.equal(new Backoff({ initialMs: 500, maxMs: 500, random: () => 0.999999 }).next(), 500, "maxMs may equal initialMs");
  assert.equal(new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 }).next(40), 40, "a limit below maxMs caps the delay");
  for (const bad of [{ initialMs: 0 }, { initialMs: -5 }, { initialMs: 100, maxMs: 99 }, { initialMs: 40_000 }, { initialMs: NaN }]) {
    assert.throws(() => new Backoff(bad), /backoff needs 0 < initialMs <= maxMs/, JSON.stringify(bad));
  }
});

test("sleep: waits its time (fake clock), resolves at once for 0 or an aborted signal, and leaves no listener on the signal", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const state = (p: Promise<void>): { done: boolean } => {
    const f = { done: false };
    void p.then(() => (f.done = true));
    return f;
  };
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
  const zero = state(sleep(0));
  const negative = state(sleep(-1));
  const ac = new AbortController();
  ac.abort();
  const aborted = state(sleep(1000, ac.signal));
  await flush();
  assert.deepEqual([zero.done, negative.done, aborted.done], [true, true, true], "no timer needed");
  const plain = state(sleep(100));
  const live = new AbortController();
  const withSignal = state(sleep(100, live.signal));
  assert.equal(getEventListeners(live.signal, "abort").length, 1);
  t.mock.timers.tick(99);
  await flush();
  assert.deepEqual([plain.done, withSignal.done], [false, false]);
  t.mock.timers.tick(1);
  await flush();
  assert.deepEqual([plain.done, withSignal.done], [true, true]);
  assert.equal(getEventListeners(live.signal, "abort").length, 0, "a signal used for many sleeps collects no listeners");
  const cut = state(sleep(10_000, live.signal));
  live.abort();
  await flush();
  assert.equal(cut.done, true);
  assert.equal(getEventListeners(live.signal, "abort").length, 0);
});

test("tracker: checkpoint is the next cursor of the longest settled prefix", async () => {
  const t = new CheckpointTracker("c0", true);
  assert.equal(t.needsCommit, false);
  const b1 = t.add("c1");
  const b2 = t.add("c2");
  const b3 = t.add("c3");
  for (const b of [b1, b2, b3]) {
    t.issue(b);
    t.issue(b);
    t.seal(b);
  }
  t.settle(b2);
  t.settle(b2);
  t.settle(b3);
  assert.equal(t.settledCursor, "c0");
  t.settle(b1);
  assert.equal(t.settledCursor, "c0");
  const settled = t.whenSettled();
  t.settle(b1);
  assert.equal(t.settledCursor, "c2");
  assert.equal(t.needsCommit, true);
  t.settle(b3);
  await settled;
  assert.equal(t.settledCursor, "c3");
  assert.equal(t.pending, 0);
  t.markCommitted("c3");
  assert.equal(t.needsCommit, false);
});

test("tracker: an unsealed or cancelled batch blocks the checkpoint; a dropped tail does not", () => {
  const t = new CheckpointTracker("c0", false);
  assert.equal(t.needsCommit, true, "a start position that is not a stored checkpoint needs a commit");
  const b1 = t.add("c1");
  t.issue(b1);
  t.settle(b1);
  assert.equal(t.settledCursor, "c0", "not sealed yet");
  t.seal(b1);
  assert.equal(t.settledCursor, "c1");
  const b2 = t.add("c2");
  t.issue(b2);
  t.seal(b2);
  t.cancel(b2);
  assert.equal(t.settledCursor, "c1");
  const t2 = new CheckpointTracker("x0", true);
  const d1 = t2.add("x1");
  t2.seal(d1);
  const d2 = t2.add("x2");
  t2.issue(d2);
  t2.drop(d2);
  assert.equal(t2.settledCursor, "x1");
  assert.equal(t2.pending, 0);
});

test("tracker: a cancelled token holds the checkpoint before its batch, however many later batches settle", () => {
  const t = new CheckpointTracker("c0", true);
  const b1 = t.add("c1");
  t.issue(b1);
  t.seal(b1);
  const b2 = t.add("c2");
  t.issue(b2);
  t.issue(b2);
  t.seal(b2);
  const b3 = t.add("c3");
  t.issue(b3);
  t.seal(b3);
  t.settle(b1);
  assert.equal(t.settledCursor, "c1");
  t.settle(b2);
  t.cancel(b2); // the window closed with this record unsettled: the batch must be read again
  t.settle(b3);
  assert.equal(t.settledCursor, "c1", "a later batch settling must not carry the checkpoint past the cancelled one");
  const b4 = t.add("c4");
  t.issue(b4);
  t.seal(b4);
  t.settle(b4);
  assert.equal(t.settledCursor, "c1");
  assert.equal(t.pending, 3, "the cancelled batch and everything after it stay tracked");
});

test("tracker: committed cursor, and the receive time of the oldest unsettled batch", () => {
  const stored = new CheckpointTracker("c0", true);
  assert.equal(stored.committedCursor, "c0");
  const fresh = new CheckpointTracker("c0", false);
  assert.equal(fresh.committedCursor, undefined);
  fresh.markCommitted("c0");
  assert.equal(fresh.committedCursor, "c0");
  assert.equal(fresh.needsCommit, false);
  assert.equal(fresh.oldestPendingTime, undefined, "nothing pending");
  const b1 = fresh.add("c1", 1_700_000_000);
  const b2 = fresh.add("c2", 1_700_000_100);
  const b3 = fresh.add("c3"); // time unknown
  assert.equal(fresh.oldestPendingTime, 1_700_000_000);
  fresh.seal(b1);
  assert.equal(fresh.oldestPendingTime, 1_700_000_100);
  fresh.seal(b2);
  assert.equal(fresh.oldestPendingTime, undefined, "unknown time");
  fresh.seal(b3);
  assert.equal(fresh.settledCursor, "c3");
});

test("tracker: dropping a batch that is no longer tracked leaves the others alone", () => {
  const t = new CheckpointTracker("c0", true);
  const b1 = t.add("c1");
  t.seal(b1); // settled and forgotten
  const b2 = t.add("c2");
  t.issue(b2);
  t.drop(b1);
  assert.equal(t.pending, 1);
  t.seal(b2);
  assert.equal(t.settledCursor, "c1");
  t.settle(b2);
  assert.equal(t.settledCursor, "c2");
});

test("tracker: whenSettled resolves at once when nothing is pending, else only when the last batch settles, every time", async () => {
  const t = new CheckpointTracker("c0", true);
  const flag = (p: Promise<void>): { done: boolean } => {
    const f = { done: false };
    void p.then(() => (f.done = true));
    return f;
  };
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  const idle = flag(t.whenSettled());
  await tick();
  assert.equal(idle.done, true, "nothing pending: at once");
  for (const round of [1, 2]) {
    const b1 = t.add(`r${round}a`);
    const b2 = t.add(`r${round}b`);
    t.issue(b1);
    t.issue(b2);
    t.seal(b1);
    t.seal(b2);
    const a = flag(t.whenSettled());
    const b = flag(t.whenSettled());
    t.settle(b1);
    await tick();
    assert.deepEqual([a.done, b.done], [false, false], `round ${round}: one batch still pending`);
    t.settle(b2);
    await tick();
    assert.deepEqual([a.done, b.done], [true, true], `round ${round}: both waiters released`);
  }
});

test("tracker: a batch of groups settles group by group; the checkpoint can stop inside it, and cursors are made only when read", () => {
  const t = new CheckpointTracker("c0", true);
  const made: number[] = [];
  const b = t.addGroups(5, "g5", (k) => {
    made.push(k);
    return `g${k + 1}`;
  });
  t.issue(b, 0);
  t.issue(b, 1, 3); // a batch message spanning groups 1..3
  t.issue(b, 3);
  t.issue(b, 4);
  t.seal(b, 3);
  t.settle(b, 1, 3);
  t.settle(b, 4);
  assert.equal(t.settledCursor, "c0", "group 0 is still out");
  t.settle(b, 0);
  assert.deepEqual(made, [], "no cursor made until one is read");
  assert.equal(t.settledCursor, "g3", "groups 0..2 settled and sealed; 3 is not sealed yet");
  assert.deepEqual(made, [2]);
  t.seal(b);
  assert.equal(t.settledCursor, "g3", "group 3 still has a record out");
  t.settle(b, 3);
  assert.equal(t.settledCursor, "g5", "the last group ends at the batch's next cursor");
  assert.equal(t.pending, 0);
});

test("tracker: a cancelled record stops the checkpoint before its group; a batch cut short keeps its sealed groups", () => {
  const t = new CheckpointTracker("c0", true);
  const b = t.addGroups(4, "g4", (k) => `g${k + 1}`);
  for (let k = 0; k < 4; k++) t.issue(b, k);
  t.seal(b);
  t.cancel(b, 2);
  for (const k of [0, 1, 3]) t.settle(b, k);
  assert.equal(t.settledCursor, "g2");
  assert.equal(t.pending, 1, "a broken batch never settles");

  const u = new CheckpointTracker("c0", true);
  const d = u.addGroups(4, "g4", (k) => `g${k + 1}`);
  for (let k = 0; k < 3; k++) u.issue(d, k);
  u.seal(d, 2);
  u.drop(d, 2); // stopped while emitting group 2: groups 2 and 3 will be read again
  u.settle(d, 2);
  u.settle(d, 1);
  assert.equal(u.settledCursor, "c0");
  const settled = u.whenSettled();
  u.settle(d, 0);
  assert.equal(u.settledCursor, "g2", "the sealed groups settled; nothing past them");
  assert.equal(u.pending, 0);
  return settled;
});

test("tracker: after a cancelled range, the groups and batches after it settle and the checkpoint stays before the range; a later cancel does not move that stop", () => {
  const t = new CheckpointTracker("c0", true);
  const b = t.addGroups(6, "g6", (k) => `g${k + 1}`);
  for (let k = 0; k < 6; k++) t.issue(b, k);
  t.issue(b, 2, 3); // a batch message spanning groups 2..3
  t.seal(b);
  t.cancel(b, 2); // the window closed on the message spanning groups 2..3: both must be read again
  t.cancel(b, 4); // a later group's record cancelled after it
  for (const k of [0, 1, 2, 3, 5]) t.settle(b, k); // every other record of groups 2 and 3 settles
  assert.equal(t.settledCursor, "g2", "checkpoint after group 1, before the cancelled range");
  const later = t.add("c7");
  t.issue(later);
  t.seal(later);
  t.settle(later);
  assert.equal(t.settledCursor, "g2", "a later batch settling does not carry it past the range");
  assert.equal(t.pending, 2);
});

test("tracker: a seal never moves back and covers only the groups named; a group sealed before its first record is issued is not passed", () => {
  const t = new CheckpointTracker("c0", true);
  const b = t.addGroups(5, "g5", (k) => `g${k + 1}`);
  // As the shard reader emits: seal the groups before the one it issues from next.
  t.issue(b, 0);
  t.settle(b, 0);
  assert.equal(t.settledCursor, "c0", "group 0 is not sealed yet");
  t.seal(b, 1);
  assert.equal(t.settledCursor, "g1", "groups 1..4 have nothing out yet but are not sealed");
  assert.equal(t.pending, 1);
  for (const k of [1, 2, 3]) t.issue(b, k);
  t.seal(b, 4);
  t.seal(b, 2); // says less than the seal before it: changes nothing
  for (const k of [3, 2, 1]) t.settle(b, k);
  assert.equal(t.settledCursor, "g4");
  t.issue(b, 4);
  t.seal(b);
  t.settle(b, 4);
  assert.equal(t.settledCursor, "g5");
  assert.equal(t.pending, 0);
});

test("tracker: a batch dropped whole stops being pending at once, even behind an unsettled batch; dropping it again leaves the others alone", async () => {
  const t = new CheckpointTracker("c0", true);
  const b1 = t.add("c1");
  t.issue(b1);
  t.seal(b1);
  const b2 = t.addGroups(3, "x3", (k) => `x${k + 1}`);
  t.issue(b2, 0);
  t.drop(b2); // stopped while emitting its first group: all of it is read again
  assert.equal(t.pending, 1, "only b1");
  t.drop(b2);
  assert.equal(t.pending, 1, "b1 still tracked");
  t.settle(b2, 0); // the dropped batch's record settles late: nothing changes
  assert.equal(t.settledCursor, "c0");
  const settled = t.whenSettled();
  t.settle(b1);
  assert.equal(t.settledCursor, "c1", "never into the dropped batch");
  assert.equal(t.pending, 0);
  await settled;
});

test("errors: SDK shapes map to SlsError with code, status, request id and retryability", () => {
  const sdk = Object.assign(new Error("Unauthorized: AccessKeyId is not valid"), {
    code: "Unauthorized",
    data: { httpCode: 401, statusCode: 401, requestId: "R1" },
  });
  const e = toSlsError(sdk, { project: "p", logstore: "l", shard: 3, host: "p.example" });
  assert.equal(e.code, "Unauthorized");
  assert.equal(e.status, 401);
  assert.equal(e.requestId, "R1");
  assert.equal(e.retryable, false);
  assert.match(e.message, /p\/l shard 3 at p\.example: Unauthorized: AccessKeyId is not valid \(request R1\)/);
  assert.equal(toSlsError(Object.assign(new Error("x"), { code: "ServerBusy", data: { statusCode: 503 } }), {}).retryable, true);
  assert.equal(toSlsError(Object.assign(new Error("x"), { code: "ShardReadQuotaExceed", data: { statusCode: 403 } }), {}).retryable, true);
  assert.equal(toSlsError(Object.assign(new Error("x"), { code: "ProjectForbidden", data: { statusCode: 403 } }), {}).retryable, false);
  assert.equal(toSlsError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), {}).retryable, true);
  const to = toSlsError(Object.assign(new Error("x"), { name: "RequestTimeoutError" }), {});
  assert.equal(to.code, "RequestTimeout");
  assert.equal(to.retryable, true);
  assert.equal(toSlsError(new SyntaxError("Unexpected token <"), {}).code, "BadResponse");
  assert.equal(isRetryable("InternalServerError", 500), true);
  for (const c of ["ConsumerNotExsit", "ConsumerNotExist", "consumernotmatch", "ShardNotExsit"]) assert.equal(isOwnershipError(new SlsError(c, "m")), true, c);
  assert.equal(isOwnershipError(new SlsError("ConsumerGroupNotExist", "m")), false);
});

test("cursor arithmetic follows the base64-of-decimal convention", () => {
  const c = Buffer.from("1700000000000000005").toString("base64");
  assert.equal(cursorNumber(c), 1700000000000000005n);
  assert.equal(Buffer.from(cursorAt(c, 3), "base64").toString(), "1700000000000000008");
  assert.equal(cursorAt("opaque!", 2), "opaque!");
  const r = cursorRange(c, 3)!;
  assert.deepEqual(
    r.map((x) => Buffer.from(x, "base64").toString()),
    ["1700000000000000005", "1700000000000000006", "1700000000000000007", "1700000000000000008"],
  );
  const carry = Buffer.from("1700000000999999999").toString("base64");
  assert.deepEqual(
    cursorRange(carry, 2)!.map((x) => Buffer.from(x, "base64").toString()),
    ["1700000000999999999", "1700000001000000000", "1700000001000000001"],
  );
  assert.deepEqual(
    cursorRange(Buffer.from("42").toString("base64"), 1)!.map((x) => Buffer.from(x, "base64").toString()),
    ["42", "43"],
  );
  assert.equal(cursorRange("opaque!", 2), undefined);
});

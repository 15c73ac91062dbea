import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { ClaimHolder, DeliveryWindow, claimToken, type Claim, type Outcome } from "../../lib/delivery";

function track(): { outcomes: Outcome[]; cb: (o: Outcome) => void } {
  const outcomes: Outcome[] = [];
  return { outcomes, cb: (o) => outcomes.push(o) };
}

test("a claimed token settles once, as delivered, and frees the window", () => {
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const t = track();
  const token = w.issue(3, t.cb);
  assert.equal(w.inFlight, 3);
  const c = claimToken(token);
  assert.ok(c);
  c.settle();
  c.settle();
  assert.deepEqual(t.outcomes, ["delivered"]);
  assert.equal(w.inFlight, 0);
  assert.equal(claimToken(token), null, "settled tokens cannot be claimed again");
  w.close();
});

test("fan-out: settled only when every claim has settled; any failure marks it failed", () => {
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const t = track();
  const token = w.issue(1, t.cb);
  const a = claimToken(token)!;
  const b = claimToken(token)!;
  a.settle(new Error("permanent"));
  assert.deepEqual(t.outcomes, []);
  b.settle();
  assert.deepEqual(t.outcomes, ["failed"]);
  assert.deepEqual(w.stats(), { inFlight: 0, tokens: 0, issued: 1, delivered: 0, failed: 1, expired: 0, returned: 0 });
  w.close();
});

test("unclaimed tokens expire after the claim timeout; claimed ones never do", () => {
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 1000 });
  const t1 = track();
  const t2 = track();
  w.issue(1, t1.cb);
  const claimed = w.issue(1, t2.cb);
  const c = claimToken(claimed)!;
  const now = Date.now();
  w.sweep(now + 500);
  assert.deepEqual(t1.outcomes, []);
  w.sweep(now + 5000);
  assert.deepEqual(t1.outcomes, ["expired"]);
  w.sweep(now + 3_600_000);
  assert.deepEqual(t2.outcomes, []);
  c.settle();
  assert.deepEqual(t2.outcomes, ["delivered"]);
  w.close();
});

test("waitForRoom blocks while the window is full and resumes on settlement", async () => {
  const w = new DeliveryWindow({ maxInFlight: 2, claimTimeoutMs: 0 });
  const tok = [w.issue(1, () => {}), w.issue(1, () => {})];
  assert.equal(w.full, true);
  let released = false;
  const p = w.waitForRoom().then(() => (released = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(released, false);
  claimToken(tok[0])!.settle();
  await p;
  assert.equal(released, true);
  w.close();
});

test("close cancels unsettled tokens and unknown or malformed tokens claim nothing", () => {
  const w = new DeliveryWindow({ maxInFlight: 5, claimTimeoutMs: 0 });
  const t = track();
  const token = w.issue(1, t.cb);
  w.close();
  assert.deepEqual(t.outcomes, ["cancelled"]);
  assert.equal(claimToken(token), null);
  for (const bad of [undefined, 42, "", "nodot", ".1", "abc.x", "ffffffffffff.1"]) assert.equal(claimToken(bad), null);
  assert.throws(() => w.issue(1, () => {}), /closed/);
  assert.throws(() => new DeliveryWindow({ maxInFlight: 0, claimTimeoutMs: 0 }), /maxInFlight/);
});

test("a released claim returns the token: the source must deliver it again; a return wins over delivery", () => {
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const t = track();
  const token = w.issue(2, t.cb);
  const a = claimToken(token)!;
  const b = claimToken(token)!;
  a.settle();
  b.release();
  b.settle(); // a claim ends once
  assert.deepEqual(t.outcomes, ["returned"]);
  assert.equal(w.inFlight, 0);
  assert.equal(w.stats().returned, 1);
  w.close();
});

test("claimToken: tokens of several windows in turn, and malformed sequence numbers", () => {
  const a = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const b = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  try {
    const settled: string[] = [];
    const ta = a.issue(1, (o) => settled.push(`a:${o}`));
    const tb = b.issue(2, (o) => settled.push(`b:${o}`));
    const ta2 = a.issue(1, (o) => settled.push(`a2:${o}`));
    const cb = claimToken(tb)!;
    const ca = claimToken(ta)!;
    assert.equal(cb.token, tb);
    assert.equal(ca.token, ta);
    cb.settle();
    ca.settle(new Error("permanent"));
    claimToken(ta2)!.release();
    assert.deepEqual(settled, ["b:delivered", "a:failed", "a2:returned"]);
    const prefix = ta.slice(0, ta.indexOf(".") + 1);
    for (const bad of [prefix, `${prefix}1x`, `${prefix}-1`, `${prefix} 1`, `${prefix}1.5`, `${prefix}99`, `${prefix}1234567890123456`])
      assert.equal(claimToken(bad), null, bad);
    assert.deepEqual([a.inFlight, b.inFlight], [0, 0]);
  } finally {
    a.close();
    b.close();
  }
});

test("a claim released or settled after its window closed changes nothing: the token ended once, as cancelled", () => {
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const t = track();
  const a = claimToken(w.issue(2, t.cb))!;
  const b = claimToken(w.issue(1, t.cb))!;
  w.close();
  a.release();
  b.settle(new Error("late"));
  assert.deepEqual(t.outcomes, ["cancelled", "cancelled"]);
  assert.equal(w.inFlight, 0);
  assert.deepEqual(w.stats(), { inFlight: 0, tokens: 0, issued: 2, delivered: 0, failed: 0, expired: 0, returned: 0 });
});

test("settings: maxInFlight 1 and claimTimeoutMs 0 are the lowest allowed; below them, or not numbers, is refused by name", () => {
  new DeliveryWindow({ maxInFlight: 1, claimTimeoutMs: 0 }).close();
  for (const bad of [0.5, 0, -1, NaN])
    assert.throws(() => new DeliveryWindow({ maxInFlight: bad, claimTimeoutMs: 0 }), new RegExp(`maxInFlight must be >= 1, got ${bad}`));
  for (const bad of [-1, -0.5, NaN])
    assert.throws(() => new DeliveryWindow({ maxInFlight: 1, claimTimeoutMs: bad }), new RegExp(`claimTimeoutMs must be >= 0, got ${bad}`));
  const w = new DeliveryWindow({ maxInFlight: 7, claimTimeoutMs: 0 });
  assert.equal(w.maxInFlight, 7);
  w.close();
});

test("unclaimed tokens expire by themselves within a quarter of the claim timeout after it (clamped to 50 ms..1 s); 0 means never", (t) => {
  t.mock.timers.enable({ apis: ["setInterval", "Date"], now: 0 });
  for (const [timeout, latest] of [
    [1010, 1010 + 252],
    [100, 100 + 50],
    [20_000, 20_000 + 1000],
  ]) {
    t.mock.timers.setTime(0);
    const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: timeout });
    const unclaimed = track();
    const claimed = track();
    w.issue(1, unclaimed.cb);
    claimToken(w.issue(1, claimed.cb));
    t.mock.timers.tick(timeout - 1);
    assert.deepEqual(unclaimed.outcomes, [], `${timeout}: not before the claim timeout`);
    t.mock.timers.tick(latest - timeout + 1);
    assert.deepEqual(unclaimed.outcomes, ["expired"], `${timeout}: expired by ${latest} ms`);
    assert.deepEqual(claimed.outcomes, [], "a claimed token never expires");
    assert.equal(w.inFlight, 1);
    w.close();
  }
  t.mock.timers.setTime(0);
  const never = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const o = track();
  never.issue(1, o.cb);
  t.mock.timers.tick(3_600_000);
  assert.deepEqual(o.outcomes, []);
  never.close();
});

test("sweep: a token expires exactly when it is claimTimeoutMs old, in issue order", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 5000 });
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 1000 });
  const first = track();
  const second = track();
  w.issue(1, first.cb);
  t.mock.timers.tick(10);
  w.issue(1, second.cb);
  w.sweep(5999);
  assert.deepEqual([first.outcomes, second.outcomes], [[], []]);
  w.sweep(6000);
  assert.deepEqual([first.outcomes, second.outcomes], [["expired"], []]);
  w.sweep(6010);
  assert.deepEqual(second.outcomes, ["expired"]);
  assert.equal(w.stats().expired, 2);
  w.close();
});

test("every token of a window can be claimed, the 12th as well as the 1st; malformed ones never claim a live token", () => {
  const w = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const outcomes: string[] = [];
  const tokens = Array.from({ length: 12 }, (_, i) => w.issue(1, (o) => outcomes.push(`${i + 1}:${o}`)));
  assert.equal(new Set(tokens).size, 12, "tokens are distinct");
  // Malformed tokens while 1, 9, 10 and 12 are live: none of them may claim one.
  const prefix = w.prefix;
  for (const bad of [prefix, `${prefix}1/`, `${prefix}0:`, `${prefix}:`, `${prefix}1 `, `${prefix}+1`, `${prefix}01 `])
    assert.equal(claimToken(bad), null, JSON.stringify(bad));
  assert.equal(w.inFlight, 12);
  for (const i of [12, 1, 10, 9]) claimToken(tokens[i - 1])!.settle();
  assert.deepEqual(outcomes, ["12:delivered", "1:delivered", "10:delivered", "9:delivered"]);
  w.close();
});

test("waitForRoom: at once while there is room; a waiter is released only once the window is below its maximum", async () => {
  const w = new DeliveryWindow({ maxInFlight: 2, claimTimeoutMs: 0 });
  let free = false;
  await w.waitForRoom().then(() => (free = true));
  assert.equal(free, true, "room now: resolves at once");
  const tokens = [w.issue(1, () => {}), w.issue(1, () => {}), w.issue(1, () => {})];
  let released = false;
  void w.waitForRoom().then(() => (released = true));
  claimToken(tokens[0])!.settle(); // 2 in flight: still full
  await new Promise((r) => setImmediate(r));
  assert.equal(released, false, "released while still full");
  claimToken(tokens[1])!.settle();
  await new Promise((r) => setImmediate(r));
  assert.equal(released, true);
  w.close();
});

test("fan-out: each claim ends once; settling one claim twice does not stand in for the other", () => {
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const t = track();
  const token = w.issue(1, t.cb);
  const a = claimToken(token)!;
  const b = claimToken(token)!;
  a.settle();
  a.settle();
  a.release();
  assert.deepEqual(t.outcomes, [], "b has not settled");
  b.settle();
  assert.deepEqual(t.outcomes, ["delivered"]);
  w.close();
});

test("a closed window stops its expiry sweep and is not kept alive by the token lookup", async (t) => {
  t.mock.timers.enable({ apis: ["setInterval"] });
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 1000 });
  const sweeps = t.mock.method(w, "sweep");
  t.mock.timers.tick(1000);
  assert.equal(sweeps.mock.callCount(), 4, "every 250 ms");
  w.close();
  t.mock.timers.tick(10_000);
  assert.equal(sweeps.mock.callCount(), 4, "no sweep after close");
  t.mock.timers.reset();
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  let ref: WeakRef<DeliveryWindow> | undefined;
  (() => {
    const x = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
    claimToken(x.issue(1, () => {}))!.settle();
    x.close();
    ref = new WeakRef(x);
  })();
  await new Promise((r) => setImmediate(r));
  gc();
  assert.equal(ref.deref(), undefined, "a closed window can be collected");
});

test("ClaimHolder: holds live tokens unsettled (the source stops at its window), then gives every one back", () => {
  const w = new DeliveryWindow({ maxInFlight: 3, claimTimeoutMs: 0 });
  const t = track();
  const tokens = [w.issue(1, t.cb), w.issue(2, t.cb)];
  const h = new ClaimHolder();
  assert.equal(h.hold(tokens[0]), true);
  assert.equal(h.hold(tokens[1]), true);
  for (const none of [undefined, "nodot", `${w.prefix}99`]) assert.equal(h.hold(none), false);
  assert.equal(h.size, 2);
  assert.equal(w.full, true);
  w.sweep(Date.now() + 3_600_000);
  assert.deepEqual(t.outcomes, [], "held claims never expire");
  h.releaseAll();
  assert.equal(h.size, 0);
  assert.deepEqual(t.outcomes, ["returned", "returned"]);
  assert.equal(w.inFlight, 0);
  h.releaseAll();
  assert.deepEqual(t.outcomes, ["returned", "returned"], "each is given back once");
  w.close();
});

test("thousands of tokens in flight at once, and one held far behind while the rest flow: each ends once, with its own arg", () => {
  const w = new DeliveryWindow({ maxInFlight: 1_000_000, claimTimeoutMs: 60_000 });
  try {
    const ended = new Map<number, Outcome>();
    const cb = (o: Outcome, arg: number): void => {
      assert.equal(ended.has(arg), false, `token ${arg} ended twice`);
      ended.set(arg, o);
    };
    // 5000 live at once: the ring grows and keeps them all.
    const many = Array.from({ length: 5000 }, (_, i) => w.issue(1, cb, i));
    const claims = many.map((t) => claimToken(t)!);
    claims.forEach((c, i) => (i % 2 ? c.settle() : c.settle(new Error("x"))));
    assert.equal(ended.size, 5000);
    assert.deepEqual([ended.get(0), ended.get(1)], ["failed", "delivered"]);
    // One claimed token held (a sink waiting for its SIEM) while 20 000 more come and go.
    const heldToken = w.issue(3, cb, -1);
    const held = claimToken(heldToken)!;
    w.issue(1, cb, -2); // unclaimed, also left behind
    for (let i = 0; i < 20_000; i++) claimToken(w.issue(1, cb, 10_000 + i))!.settle();
    assert.equal(w.inFlight, 4);
    assert.deepEqual(w.stats().tokens, 2);
    assert.equal(claimToken(heldToken)!.token, heldToken, "a token left behind can still be claimed (fan-out)");
    w.sweep(Date.now() + 60_001);
    assert.equal(ended.get(-2), "expired", "a token left behind still expires unclaimed");
    assert.equal(ended.has(-1), false, "a claimed one never expires");
    held.settle();
    assert.equal(ended.has(-1), false, "its second claim is still open");
    claimToken(heldToken); // settled below through close: a third claim, never ended
    w.close();
    assert.equal(ended.get(-1), "cancelled");
    assert.equal(w.inFlight, 0);
    assert.equal(claimToken(many[4999]), null);
  } finally {
    w.close();
  }
});

test("claimedOnly (flow control): a token weighs from its claim to its settlement; unclaimed ones weigh nothing and the oldest expire", () => {
  const w = new DeliveryWindow({ maxInFlight: 3, claimTimeoutMs: 0, claimedOnly: true });
  const t = track();
  const tokens = Array.from({ length: 5 }, () => w.issue(1, t.cb));
  assert.equal(w.inFlight, 0, "unclaimed tokens weigh nothing");
  assert.equal(w.full, false);
  const claims = tokens.slice(0, 3).map((tok) => claimToken(tok)!);
  assert.equal(w.inFlight, 3);
  assert.equal(w.full, true, "sinks hold maxInFlight records unwritten");
  claims[0].settle();
  assert.equal(w.inFlight, 2);
  claims[1].release();
  assert.equal(w.inFlight, 1);
  assert.deepEqual(t.outcomes, ["delivered", "returned"]);
  // Only the newest 10 000 unclaimed tokens are remembered.
  const first = w.issue(1, t.cb);
  for (let i = 0; i < 10_000; i++) w.issue(1, t.cb);
  assert.equal(claimToken(first), null, "the oldest unclaimed token expired");
  assert.equal(t.outcomes.filter((o) => o === "expired").length, 3, "tokens[3], tokens[4] and first");
  assert.equal(w.inFlight, 1);
  assert.ok(w.stats().tokens <= 10_001);
  w.close();
  assert.equal(w.inFlight, 0);
});

/** Issues, claims and settles `n` tokens: the ring moves on past whatever is still live. */
function flow(w: DeliveryWindow, n: number): void {
  for (let i = 0; i < n; i++) claimToken(w.issue(1, () => {}))!.settle();
}

test("tokens left behind while 1100 more flow settle as their claims say: delivered, failed, returned, fan-out included", () => {
  const w = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const ended: string[] = [];
  const issue = (name: string): string => w.issue(2, (o, arg, weight) => ended.push(`${name}:${o}:${arg}:${weight}`), name.length);
  const one = (name: string): Claim => claimToken(issue(name))!;
  const two = (name: string): [Claim, Claim] => {
    const t = issue(name);
    return [claimToken(t)!, claimToken(t)!];
  };
  const delivered = one("delivered");
  const failed = one("failed");
  const returned = one("returned");
  const [failedBefore, then1] = two("failed-before");
  const [returnedBefore, then2] = two("returned-before");
  const [fanFail1, fanFail2] = two("fan-fail");
  const [fanRet1, fanRet2] = two("fan-return");
  const [fanOk1, fanOk2] = two("fan-ok");
  failedBefore.settle(new Error("permanent"));
  returnedBefore.release();
  flow(w, 1100);
  assert.deepEqual(w.stats(), { inFlight: 16, tokens: 8, issued: 1108, delivered: 1100, failed: 0, expired: 0, returned: 0 });
  delivered.settle();
  failed.settle(new Error("permanent"));
  returned.release();
  then1.settle();
  then2.settle();
  fanFail1.settle(new Error("permanent"));
  fanRet1.release();
  fanOk1.settle();
  assert.deepEqual(ended, [
    "delivered:delivered:9:2",
    "failed:failed:6:2",
    "returned:returned:8:2",
    "failed-before:failed:13:2",
    "returned-before:returned:15:2",
  ]);
  assert.equal(w.inFlight, 6, "three tokens with a claim still open");
  fanFail2.settle();
  fanRet2.settle();
  fanOk2.settle();
  assert.deepEqual(ended.slice(5), ["fan-fail:failed:8:2", "fan-return:returned:10:2", "fan-ok:delivered:6:2"]);
  assert.deepEqual(w.stats(), { inFlight: 0, tokens: 0, issued: 1108, delivered: 1102, failed: 3, expired: 0, returned: 3 });
  w.close();
  assert.equal(ended.length, 8, "nothing is cancelled: every token ended before");
});

test("claimedOnly: a token left behind weighs from its first claim, once, and nothing once it has settled", () => {
  const w = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0, claimedOnly: true });
  const ended: string[] = [];
  const unclaimed = w.issue(3, (o) => ended.push(`unclaimed:${o}`));
  const held = claimToken(w.issue(2, (o) => ended.push(`held:${o}`)))!;
  flow(w, 1100);
  assert.deepEqual([w.inFlight, w.stats().tokens], [2, 2], "only the claimed token weighs");
  const a = claimToken(unclaimed)!;
  assert.equal(w.inFlight, 5, "its first claim puts its weight in");
  const b = claimToken(unclaimed)!;
  assert.equal(w.inFlight, 5, "a second claim adds nothing");
  a.settle();
  b.settle();
  held.settle();
  assert.deepEqual(ended, ["unclaimed:delivered", "held:delivered"]);
  assert.equal(w.inFlight, 0);
  w.close();
});

test("claimedOnly: past 10 000 unclaimed tokens the oldest unclaimed one expires, one left behind first, never a claimed one", () => {
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0, claimedOnly: true });
  const ended: string[] = [];
  const cb = (o: Outcome, arg: number): void => void ended.push(`${arg}:${o}`);
  const held = claimToken(w.issue(1, cb, -1))!; // claimed, left behind
  w.issue(1, cb, -2); // unclaimed, left behind
  flow(w, 20_000);
  const fresh = Array.from({ length: 9_999 }, (_, i) => w.issue(1, cb, i));
  assert.deepEqual(ended, [], "10 000 unclaimed tokens are kept");
  w.issue(1, cb, 9_999);
  assert.deepEqual(ended, ["-2:expired"], "the unclaimed one left behind goes first, the claimed one stays");
  w.issue(1, cb, 10_000);
  w.issue(1, cb, 10_001);
  assert.deepEqual(ended, ["-2:expired", "0:expired", "1:expired"], "then the ring's oldest");
  assert.equal(claimToken(fresh[1]), null);
  const third = claimToken(fresh[3])!;
  w.issue(1, cb, 10_002);
  assert.equal(ended.length, 3, "a claim leaves room for one more unclaimed token");
  w.issue(1, cb, 10_003);
  w.issue(1, cb, 10_004);
  assert.deepEqual(ended.slice(3), ["2:expired", "4:expired"], "a token claimed meanwhile is passed over");
  assert.deepEqual(w.stats(), { inFlight: 2, tokens: 10_002, issued: 30_007, delivered: 20_000, failed: 0, expired: 5, returned: 0 });
  third.settle();
  held.settle();
  assert.deepEqual(ended.slice(5), ["3:delivered", "-1:delivered"]);
  w.close();
});

test("claimedOnly: unclaimed tokens that expire leave room for as many new ones", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 1000 });
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 1000, claimedOnly: true });
  const ended: Outcome[] = [];
  for (let i = 0; i < 100; i++) w.issue(1, (o) => ended.push(o));
  w.sweep(2000);
  assert.equal(ended.length, 100);
  for (let i = 0; i < 10_000; i++) w.issue(1, (o) => ended.push(o));
  assert.equal(ended.length, 100, "none of the next 10 000 expires");
  w.issue(1, (o) => ended.push(o));
  assert.deepEqual(ended.slice(100), ["expired"]);
  w.close();
});

test("sweep: tokens left behind expire by their own age, exactly at the claim timeout, and never once claimed", (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 0 });
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 1000 });
  const ended: string[] = [];
  const cb = (o: Outcome, arg: number): void => void ended.push(`${arg}:${o}`);
  w.issue(1, cb, 1);
  const held = claimToken(w.issue(1, cb, 2))!;
  t.mock.timers.tick(500);
  w.issue(1, cb, 3);
  flow(w, 1100);
  assert.equal(w.stats().tokens, 3);
  w.sweep(999);
  assert.deepEqual(ended, []);
  w.sweep(1000);
  assert.deepEqual(ended, ["1:expired"], "the token issued at 0 expires at 1000, the one issued at 500 not yet");
  w.sweep(1500);
  assert.deepEqual(ended, ["1:expired", "3:expired"]);
  w.sweep(3_600_000);
  held.settle();
  assert.deepEqual(ended, ["1:expired", "3:expired", "2:delivered"]);
  w.close();
});

test("a ring exactly full (1024 live tokens): numbers past the newest claim nothing, and close cancels each token once", () => {
  const w = new DeliveryWindow({ maxInFlight: 5000, claimTimeoutMs: 0 });
  const ended: number[] = [];
  const tokens = Array.from({ length: 1024 }, (_, i) => w.issue(1, (o, arg) => ended.push(arg), i + 1));
  assert.equal(tokens[1023], `${w.prefix}1024`);
  for (const seq of [1025, 1026, 2048, 2049]) assert.equal(claimToken(`${w.prefix}${seq}`), null, `${seq}`);
  assert.equal(w.inFlight, 1024);
  w.close();
  assert.deepEqual(
    ended,
    Array.from({ length: 1024 }, (_, i) => i + 1),
  );
});

test("sweep over a ring exactly full expires each token once", () => {
  const w = new DeliveryWindow({ maxInFlight: 5000, claimTimeoutMs: 1000 });
  const ended: number[] = [];
  for (let i = 1; i <= 1024; i++) w.issue(1, (o, arg) => ended.push(arg), i);
  w.sweep(Date.now() + 1000);
  assert.deepEqual(
    ended,
    Array.from({ length: 1024 }, (_, i) => i + 1),
  );
  assert.deepEqual(w.stats(), { inFlight: 0, tokens: 0, issued: 1024, delivered: 0, failed: 0, expired: 1024, returned: 0 });
  w.close();
});

test("sweep passes over tokens that ended out of order", () => {
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 1000 });
  const ended: string[] = [];
  const cb = (o: Outcome, arg: number): void => void ended.push(`${arg}:${o}`);
  const held = claimToken(w.issue(1, cb, 1))!;
  claimToken(w.issue(1, cb, 2))!.settle();
  w.issue(1, cb, 3);
  w.sweep(Date.now() + 1000);
  assert.deepEqual(ended, ["2:delivered", "3:expired"]);
  held.settle();
  assert.deepEqual(w.stats(), { inFlight: 0, tokens: 0, issued: 3, delivered: 2, failed: 0, expired: 1, returned: 0 });
  w.close();
});

test("memory stays bounded: a token held while 200 000 others flow keeps the ring at its size", () => {
  const w = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const held = claimToken(w.issue(1, () => {}))!;
  flow(w, 2000); // the held token leaves the ring once
  const before = process.memoryUsage().arrayBuffers;
  flow(w, 200_000);
  const grown = process.memoryUsage().arrayBuffers - before;
  // The ring's arrays take 25 bytes a slot: grown to hold 200 000 slots they would take 5 MB.
  assert.ok(grown < 1_000_000, `the window took ${grown} more bytes`);
  assert.deepEqual([w.inFlight, w.stats().tokens], [1, 1]);
  held.settle();
  w.close();
});

test("claimToken: only the token as issued claims it; the same number with leading zeros claims nothing", () => {
  const w = new DeliveryWindow({ maxInFlight: 200, claimTimeoutMs: 0 });
  const ended: string[] = [];
  const tokens = Array.from({ length: 101 }, (_, i) => w.issue(1, (o) => ended.push(`${i + 1}:${o}`)));
  const p = w.prefix;
  for (const bad of [`${p}0`, `${p}01`, `${p}001`, `${p}0100`, `${p}000000000000001`, `${p}0000000000000001`, `${p}00000000000000001`])
    assert.equal(claimToken(bad), null, bad);
  assert.equal(w.inFlight, 101);
  for (const i of [1, 10, 100, 101]) claimToken(tokens[i - 1])!.settle();
  assert.deepEqual(ended, ["1:delivered", "10:delivered", "100:delivered", "101:delivered"]);
  w.close();
});

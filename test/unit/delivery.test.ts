import { test } from "node:test";
import assert from "node:assert/strict";
import { DeliveryWindow, claimToken, type Outcome } from "../../lib/delivery";

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
    for (const bad of [prefix, `${prefix}1x`, `${prefix}-1`, `${prefix} 1`, `${prefix}1.5`, `${prefix}99`, `${prefix}1234567890123456`]) assert.equal(claimToken(bad), null, bad);
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

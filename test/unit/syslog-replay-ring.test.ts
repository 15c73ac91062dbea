import { test } from "node:test";
import assert from "node:assert/strict";
import { ReplayRing } from "../../lib/syslog/replay-ring";

/** The replay window as a plain list of copies: what the ring must always return. */
class Model {
  kept: Array<{ data: Buffer; frames: number; at: number }> = [];
  constructor(
    private readonly windowMs: number,
    private readonly maxBytes: number,
  ) {}
  add(b: Buffer, frames: number, now: number): void {
    if (b.length > this.maxBytes) {
      this.kept = [];
      return;
    }
    this.kept.push({ data: Buffer.from(b), frames, at: now });
    this.prune(now);
  }
  prune(now: number): void {
    let bytes = this.kept.reduce((n, k) => n + k.data.length, 0);
    while (this.kept.length > 0 && (this.kept[0].at < now - this.windowMs || bytes > this.maxBytes)) bytes -= this.kept.shift()!.data.length;
  }
}

function batch(seed: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (seed * 31 + i) & 0xff;
  return b;
}

test("replay ring: keeps the batches of the window in order, as copies, and drops by age and by bytes", () => {
  const r = new ReplayRing(2000, 100);
  r.add(batch(1, 30), 3, 0);
  r.add(batch(2, 30), 2, 500);
  r.add(batch(3, 30), 1, 1000);
  assert.equal(r.bytes, 90);
  r.add(batch(4, 30), 4, 1500); // 120 > 100: the oldest goes
  assert.equal(r.bytes, 90);
  r.prune(2600); // batch 2 (at 500) is older than 2 s
  const taken = r.take(2600);
  assert.deepEqual(taken.map((t) => t.frames), [1, 4]);
  assert.deepEqual(taken.map((t) => t.data), [batch(3, 30), batch(4, 30)]);
  assert.equal(r.bytes, 0);
  assert.deepEqual(r.take(2600), []);
  r.add(batch(5, 101), 9, 3000); // larger than the whole window: nothing is kept
  assert.equal(r.bytes, 0);
});

test("replay ring: what take() returns matches a plain list of copies through thousands of wrap-arounds", () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const [windowMs, maxBytes] of [[2000, 1000], [50, 4096], [10_000, 300]]) {
    const ring = new ReplayRing(windowMs, maxBytes);
    const model = new Model(windowMs, maxBytes);
    let now = 0;
    for (let i = 0; i < 5000; i++) {
      now += rnd(20);
      const b = batch(i, 1 + rnd(Math.floor(maxBytes * 0.6)));
      ring.add(b, 1 + rnd(5), now);
      model.add(b, 0, now);
      if (rnd(500) === 0) {
        // A disconnect: everything kept comes back, byte for byte, and the window starts empty.
        model.prune(now);
        const taken = ring.take(now);
        assert.deepEqual(taken.map((t) => t.data), model.kept.map((k) => k.data), `take() at step ${i}`);
        model.kept = [];
      }
    }
    model.prune(now);
    assert.equal(ring.bytes, model.kept.reduce((n, k) => n + k.data.length, 0));
    assert.deepEqual(ring.take(now).map((t) => t.data), model.kept.map((k) => k.data));
  }
});

test("replay ring: boundaries — an empty batch is not kept, a batch of exactly maxBytes is, one larger empties the window; age exactly windowMs is still inside", () => {
  const r = new ReplayRing(1000, 100);
  r.add(Buffer.alloc(0), 3, 0);
  assert.deepEqual(r.take(0), [], "nothing to replay for an empty write");
  r.add(batch(1, 100), 5, 0);
  assert.equal(r.bytes, 100);
  assert.deepEqual(r.take(1000).map((t) => [t.data, t.frames]), [[batch(1, 100), 5]], "exactly maxBytes, exactly windowMs old");
  r.add(batch(2, 40), 1, 0);
  r.add(batch(3, 40), 1, 0);
  r.add(batch(4, 101), 1, 0);
  assert.equal(r.bytes, 0);
  assert.deepEqual(r.take(0), [], "a batch larger than the window drops it and everything older");
  r.add(batch(5, 10), 1, 0);
  assert.deepEqual(r.take(1001), [], "older than windowMs");
});

test("replay ring: batches whose sizes divide the ring land exactly at its end and wrap; take() still matches the plain list", () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const [maxBytes, sizes] of [
    [100, [10, 20, 25, 40, 50, 100]],
    [64, [1, 2, 8, 16, 32, 64]],
    [90, [30, 45, 60, 90]],
  ] as const) {
    const ring = new ReplayRing(1000, maxBytes);
    const model = new Model(1000, maxBytes);
    let now = 0;
    for (let i = 0; i < 3000; i++) {
      now += rnd(3) === 0 ? rnd(400) : 0;
      const b = batch(i, sizes[rnd(sizes.length)]);
      ring.add(b, 1, now);
      model.add(b, 1, now);
      if (rnd(40) === 0) {
        model.prune(now);
        assert.deepEqual(ring.take(now).map((t) => t.data), model.kept.map((k) => k.data), `maxBytes ${maxBytes}, step ${i}`);
        model.kept = [];
      }
    }
  }
});

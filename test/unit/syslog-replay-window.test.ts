import { test } from "node:test";
import assert from "node:assert/strict";
import { ReplayWindow, type KeptBatch } from "../../lib/syslog/replay-window";
import type { Slab } from "../../lib/syslog/frame-encoder";

/** A window over fake buffers that records what it released: every batch kept is released once, or taken. */
function windowOf(windowMs: number, maxBytes: number): { w: ReplayWindow; released: Map<Slab, number>; slab(): Slab } {
  const released = new Map<Slab, number>();
  const w = new ReplayWindow(windowMs, maxBytes, (s, n) => released.set(s, (released.get(s) ?? 0) + n));
  return { w, released, slab: () => ({ buf: Buffer.alloc(0), live: 0, pooled: true }) };
}

/** The replay window as a plain list: what it must always return. */
class Model {
  kept: Array<{ slab: Slab; length: number; frames: number; at: number }> = [];
  dropped: Array<{ slab: Slab; frames: number }> = [];
  constructor(
    private readonly windowMs: number,
    private readonly maxBytes: number,
  ) {}
  keep(slab: Slab, length: number, frames: number, now: number): void {
    if (length === 0 || length > this.maxBytes) {
      if (length > this.maxBytes) this.dropAll();
      this.dropped.push({ slab, frames });
      return;
    }
    this.kept.push({ slab, length, frames, at: now });
    this.prune(now);
  }
  prune(now: number): void {
    let bytes = this.kept.reduce((n, k) => n + k.length, 0);
    while (this.kept.length > 0 && (this.kept[0].at < now - this.windowMs || bytes > this.maxBytes)) {
      const k = this.kept.shift()!;
      bytes -= k.length;
      this.dropped.push({ slab: k.slab, frames: k.frames });
    }
  }
  dropAll(): void {
    for (const k of this.kept) this.dropped.push({ slab: k.slab, frames: k.frames });
    this.kept = [];
  }
}

const view = (ks: KeptBatch[]): Array<[Slab, number, number]> => ks.map((k) => [k.slab, k.length, k.frames]);

test("replay window: keeps the batches of the window in order where they were written, drops by age and by bytes, and releases what it drops", () => {
  const { w, released, slab } = windowOf(2000, 100);
  const [a, b, c, d, e] = [slab(), slab(), slab(), slab(), slab()];
  w.keep(a, 0, 30, 3, 0);
  w.keep(b, 30, 30, 2, 500);
  w.keep(c, 60, 30, 1, 1000);
  assert.equal(w.bytes, 90);
  w.keep(d, 0, 30, 4, 1500); // 120 > 100: the oldest goes
  assert.equal(w.bytes, 90);
  assert.deepEqual([...released], [[a, 3]]);
  w.prune(2600); // b (at 500) is older than 2 s
  assert.equal(released.get(b), 2);
  const taken = w.take(2600);
  assert.deepEqual(
    taken.map((t) => [t.slab, t.start, t.length, t.frames]),
    [
      [c, 60, 30, 1],
      [d, 0, 30, 4],
    ],
  );
  assert.equal(released.has(c) || released.has(d), false, "taken batches are the caller's to release");
  assert.equal(w.bytes, 0);
  assert.deepEqual(w.take(2600), []);
  w.keep(e, 0, 101, 9, 3000); // larger than the whole window: not kept, released at once
  assert.equal(w.bytes, 0);
  assert.equal(released.get(e), 9);
});

test("replay window: what take() returns and what it releases match a plain list through thousands of batches", () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const [windowMs, maxBytes] of [
    [2000, 1000],
    [50, 4096],
    [10_000, 300],
  ]) {
    const { w, released, slab } = windowOf(windowMs, maxBytes);
    const model = new Model(windowMs, maxBytes);
    let now = 0;
    for (let i = 0; i < 5000; i++) {
      now += rnd(20);
      const s = slab();
      const length = rnd(500) === 0 ? maxBytes + 1 : rnd(Math.floor(maxBytes * 0.6));
      const frames = 1 + rnd(5);
      w.keep(s, 0, length, frames, now);
      model.keep(s, length, frames, now);
      if (rnd(500) === 0) {
        // A disconnect: everything kept comes back, and the window starts empty.
        model.prune(now);
        assert.deepEqual(
          view(w.take(now)),
          model.kept.map((k) => [k.slab, k.length, k.frames]),
          `take() at step ${i}`,
        );
        model.kept = [];
      }
    }
    model.prune(now);
    assert.equal(
      w.bytes,
      model.kept.reduce((n, k) => n + k.length, 0),
    );
    assert.equal(released.size, model.dropped.length);
    for (const d of model.dropped) assert.equal(released.get(d.slab), d.frames);
    w.clear();
    assert.equal(w.bytes, 0);
    assert.equal(released.size, model.dropped.length + model.kept.length, "clear() releases the rest");
  }
});

test("replay window: boundaries — an empty batch is not kept, a batch of exactly maxBytes is, one larger empties the window; age exactly windowMs is still inside", () => {
  const { w, released, slab } = windowOf(1000, 100);
  const empty = slab();
  w.keep(empty, 0, 0, 3, 0);
  assert.deepEqual(w.take(0), [], "nothing to replay for an empty write");
  assert.equal(released.get(empty), 3);
  const full = slab();
  w.keep(full, 0, 100, 5, 0);
  assert.equal(w.bytes, 100);
  assert.deepEqual(view(w.take(1000)), [[full, 100, 5]], "exactly maxBytes, exactly windowMs old");
  const [x, y, z] = [slab(), slab(), slab()];
  w.keep(x, 0, 40, 1, 0);
  w.keep(y, 0, 40, 1, 0);
  w.keep(z, 0, 101, 1, 0);
  assert.equal(w.bytes, 0);
  assert.deepEqual(w.take(0), [], "a batch larger than the window drops it and everything older");
  assert.deepEqual(
    [x, y, z].map((s) => released.get(s)),
    [1, 1, 1],
  );
  w.keep(slab(), 0, 10, 1, 0);
  assert.deepEqual(w.take(1001), [], "older than windowMs");
});

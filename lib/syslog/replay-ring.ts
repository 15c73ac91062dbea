// The sender's replay window: copies of the batches written in the last `windowMs`, at most
// `maxBytes`, re-sent after an unexpected disconnect (they may have died in the receiver's socket
// buffers). The copies live in one buffer allocated once, not as the written batches themselves:
// a batch kept for two seconds outlives two scavenges, and a stream of promoted 64 KiB buffers
// made V8 run full collections for their off-heap memory (end to end, batch: 51–54 → 66 MB/CPU-s
// without any replay window).
//
// Layout: batches are appended at `head`; one that does not fit before the end starts again at
// 0. The kept batches always form one run behind `head`, so whatever a new batch would overwrite
// is the oldest: those are dropped first.

import { Fifo } from "./fifo";

interface Kept {
  start: number;
  length: number;
  frames: number;
  at: number;
}

export class ReplayRing {
  private ring: Buffer | undefined;
  private readonly kept = new Fifo<Kept>();
  private head = 0;
  private keptBytes = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxBytes: number,
  ) {}

  /** Bytes kept for a replay. */
  get bytes(): number {
    return this.keptBytes;
  }

  /** Keeps a copy of a written batch of `frames` frames. */
  add(batch: Buffer, frames: number, now: number): void {
    if (batch.length === 0) return;
    if (batch.length > this.maxBytes) {
      // Larger than the whole window: the byte cap would drop it at once, and everything older
      // with it.
      this.clear();
      return;
    }
    // Twice the cap: the kept run (≤ maxBytes) plus room for the next batch, so a batch rarely
    // has to push out anything younger than the window.
    const ring = (this.ring ??= Buffer.allocUnsafeSlow(2 * this.maxBytes));
    let at = this.head;
    if (at + batch.length > ring.length) at = 0;
    let oldest = this.kept.peek();
    while (oldest && oldest.start < at + batch.length && at < oldest.start + oldest.length) {
      this.dropOldest();
      oldest = this.kept.peek();
    }
    batch.copy(ring, at);
    this.kept.push({ start: at, length: batch.length, frames, at: now });
    this.keptBytes += batch.length;
    this.head = at + batch.length;
    this.prune(now);
  }

  /** Drops what is older than the window or beyond the byte cap. */
  prune(now: number): void {
    const oldestAllowed = now - this.windowMs;
    let oldest = this.kept.peek();
    while (oldest && (oldest.at < oldestAllowed || this.keptBytes > this.maxBytes)) {
      this.dropOldest();
      oldest = this.kept.peek();
    }
  }

  /** Takes everything kept, oldest first, as buffers of their own (the ring is reused). */
  take(now: number): Array<{ data: Buffer; frames: number }> {
    this.prune(now);
    const out = this.kept.drain().map((k) => ({ data: Buffer.from(this.ring!.subarray(k.start, k.start + k.length)), frames: k.frames }));
    this.keptBytes = 0;
    this.head = 0;
    return out;
  }

  clear(): void {
    this.kept.drain();
    this.keptBytes = 0;
    this.head = 0;
  }

  private dropOldest(): void {
    const k = this.kept.shift();
    if (k) this.keptBytes -= k.length;
  }
}

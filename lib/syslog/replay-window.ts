// The sender's replay window: the batches written in the last `windowMs`, at most `maxBytes`, sent
// again after an unexpected disconnect (they may have died in the receiver's socket buffers).
//
// A kept batch stays where it was written, in the frame encoder's buffers: keeping it keeps its
// frames in use, so the encoder does not write over those bytes, and dropping it (too old, over the
// cap) releases them. Nothing is copied per batch. (Keeping the written batches as Buffers of their
// own made V8 promote them and run full collections for their off-heap memory; copying them into
// a ring cost a pass over every byte sent: docs/performance.md, "Figures behind the code's constants".)

import { Fifo } from "./fifo";
import type { Slab } from "./frame-encoder";

/** A written batch: `frames` frames at `slab.buf[start, start + length)`, written at `at`. */
export interface KeptBatch {
  slab: Slab;
  start: number;
  length: number;
  frames: number;
  at: number;
}

export class ReplayWindow {
  private readonly kept = new Fifo<KeptBatch>();
  private keptBytes = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxBytes: number,
    /** Gives frames back to their buffer's owner once they are no longer kept. */
    private readonly release: (slab: Slab, frames: number) => void,
  ) {}

  /** Bytes kept for a replay. */
  get bytes(): number {
    return this.keptBytes;
  }

  /** Keeps a written batch (its frames stay in use until dropped or taken). */
  keep(slab: Slab, start: number, length: number, frames: number, now: number): void {
    if (length === 0 || length > this.maxBytes) {
      // Nothing to replay, or larger than the whole window: the byte cap would drop it at once,
      // and everything older with it.
      if (length > this.maxBytes) this.clear();
      this.release(slab, frames);
      return;
    }
    this.kept.push({ slab, start, length, frames, at: now });
    this.keptBytes += length;
    this.prune(now);
  }

  /** Drops what is older than the window or beyond the byte cap. */
  prune(now: number): void {
    const oldestAllowed = now - this.windowMs;
    let oldest = this.kept.peek();
    while (oldest && (oldest.at < oldestAllowed || this.keptBytes > this.maxBytes)) {
      this.drop();
      oldest = this.kept.peek();
    }
  }

  /** Takes everything kept, oldest first; the caller now holds their frames (and releases them once sent). */
  take(now: number): KeptBatch[] {
    this.prune(now);
    this.keptBytes = 0;
    return this.kept.drain();
  }

  /** Drops everything kept. */
  clear(): void {
    while (this.kept.length > 0) this.drop();
  }

  private drop(): void {
    const k = this.kept.shift()!;
    this.keptBytes -= k.length;
    this.release(k.slab, k.frames);
  }
}

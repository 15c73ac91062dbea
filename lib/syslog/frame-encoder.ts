// Frames written straight into shared buffers ("slabs"): each message is formatted into the slab
// once, framed in place (octet count in front, or LF escaping and trailer), and the frames of a
// batch are consecutive bytes of one slab, so a socket write is a view of the slab: no string per
// message, no Buffer per frame, no copy to join a batch.
//
// A message writer writes one SYSLOG-MSG at a position without checking room byte by byte: writes
// past the end of a typed array are dropped, and the writer returns an end beyond buf.length to
// say it did not fit. The encoder then gives it a fresh (or larger) slab and calls it again.

import { putBytes, putUtf8 } from "./byte-writer";
import type { Framing, Wire } from "./framing";

/** Writes the SYSLOG-MSG (unframed) of one item. */
export interface MessageWriter<T> {
  /**
   * Writes `item` into `buf` from `pos` and returns where it ends; a result beyond `buf.length`
   * means it did not fit (what was written is then ignored and the call repeated with more room).
   * Throws (SyslogFormatError) for items that can never be written.
   */
  write(item: T, buf: Buffer, pos: number): number;
}

/** A message given as bytes or as a string sent as UTF-8. */
export const WIRE_WRITER: MessageWriter<Wire> = {
  write: (msg, buf, pos) => (typeof msg === "string" ? putUtf8(buf, pos, msg) : putBytes(buf, pos, msg)),
};

/** Largest slab: a message that needs more is refused rather than retried for ever. */
const MAX_SLAB = 1 << 30;

const digitsOf = (n: number): number => (n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : String(n).length);

/**
 * A buffer frames are written into, with the number of its frames still in use (encoded and not
 * yet released: queued, being written, or waiting to be sent again).
 */
export interface Slab {
  readonly buf: Buffer;
  live: number;
  /** One of the encoder's own, reused once it holds no frame in use. */
  readonly pooled: boolean;
}

/** Where an encoder stood, to undo frames that were encoded but will not be sent. */
export interface EncoderMark {
  slab: Slab;
  pos: number;
  live: number;
}

export class FrameEncoder {
  private cur: Slab;
  private pos = 0;
  private readonly free: Slab[] = [];
  /** Digits of the octet count reserved in front of the next message (the last frame's). */
  private digits = 3;
  /** The last frame: `buf[start, start + bytes)`, in `slab`. */
  slab: Slab;
  buf: Buffer;
  start = 0;
  bytes = 0;

  /**
   * @param slabBytes size of a slab (larger only for a message that needs it)
   * @param spares empty slabs kept for reuse (a fresh one costs a page fault on every first write):
   *   enough for what stays in use meanwhile (the sender's replay window)
   */
  constructor(
    readonly framing: Framing | "none",
    private readonly slabBytes = 128 * 1024,
    private readonly spares = 4,
  ) {
    this.cur = this.slab = this.newSlab(slabBytes);
    this.buf = this.cur.buf;
  }

  private newSlab(size: number): Slab {
    return { buf: Buffer.allocUnsafeSlow(size), live: 0, pooled: size === this.slabBytes };
  }

  mark(): EncoderMark {
    return { slab: this.cur, pos: this.pos, live: this.cur.live };
  }

  /** Forgets every frame encoded since `m` (their bytes are overwritten by the next ones). */
  rollback(m: EncoderMark): void {
    this.cur = m.slab;
    this.pos = m.pos;
    m.slab.live = m.live;
  }

  /** Forgets the last frame (right after encode). */
  undoLast(): void {
    this.pos = this.start;
    this.slab.live--;
  }

  /**
   * `frames` frames of `slab` are no longer in use (written, or given up). A slab with none left
   * is reused: the current one from its start, another one once it is the current one's successor.
   */
  release(slab: Slab, frames = 1): void {
    if ((slab.live -= frames) > 0 || slab === this.cur || !slab.pooled) return;
    if (this.free.length < this.spares) this.free.push(slab);
  }

  /** Formats and frames one item; the frame is then `buf[start, start + bytes)`. */
  encode<T>(w: MessageWriter<T>, item: T): void {
    let slab = this.cur;
    // Nothing of the current slab in use: write from its start again.
    let pos = slab.live === 0 ? 0 : this.pos;
    for (;;) {
      const buf = slab.buf;
      const from = this.framing === "octet" ? pos + this.digits + 1 : pos;
      const end = from < buf.length ? w.write(item, buf, from) : buf.length + 1;
      if (end <= buf.length && this.frameAt(buf, pos, from, end)) {
        if (slab !== this.cur) {
          const old = this.cur;
          this.cur = slab;
          if (old.live === 0 && old.pooled && this.free.length < this.spares) this.free.push(old);
        }
        slab.live++;
        this.slab = slab;
        this.buf = buf;
        this.start = pos;
        this.pos = pos + this.bytes;
        return;
      }
      // Did not fit: a fresh slab, or a larger one for a message bigger than a slab.
      if (pos === 0) {
        const size = buf.length * 2;
        if (size > MAX_SLAB) throw new RangeError(`a syslog message does not fit in ${MAX_SLAB} bytes`);
        slab = this.newSlab(size);
      } else slab = this.free.pop() ?? this.newSlab(this.slabBytes);
      pos = 0;
    }
  }

  /** Frames the message at slab[from, end) in place; false when the framing needs more room. */
  private frameAt(slab: Buffer, pos: number, from: number, end: number): boolean {
    const n = end - from;
    if (this.framing === "octet") {
      const d = digitsOf(n);
      let at = from;
      if (d !== this.digits) {
        at = pos + d + 1;
        if (at + n > slab.length) return false;
        slab.copyWithin(at, from, end);
        this.digits = d;
      }
      for (let i = at - 2, v = n; i >= pos; i--, v = (v / 10) | 0) slab[i] = 48 + (v % 10);
      slab[at - 1] = 0x20;
      this.bytes = d + 1 + n;
      return true;
    }
    if (this.framing === "lf") {
      // CR, LF and NUL become two-character escapes, so no logged text can end a frame early.
      let extra = 0;
      for (let i = from; i < end; i++) {
        const b = slab[i];
        if (b === 0x0a || b === 0x0d || b === 0x00) extra++;
      }
      if (end + extra + 1 > slab.length) return false;
      this.bytes = n + extra + 1;
      let o = end + extra;
      slab[o] = 0x0a;
      // Shift from the back, escaping as we go; the bytes before the first escape stay put.
      for (let i = end - 1; o > i + 1; i--) {
        const b = slab[i];
        if (b === 0x0a || b === 0x0d || b === 0x00) {
          slab[--o] = b === 0x0a ? 0x6e : b === 0x0d ? 0x72 : 0x30; // n, r, 0
          slab[--o] = 0x5c; // backslash
        } else slab[--o] = b;
      }
      return true;
    }
    this.bytes = n;
    return true;
  }
}

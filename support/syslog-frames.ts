// RFC 6587 frame splitter for the receivers of the tests, the benches and the demo: what a SIEM's
// TCP listener does with the byte stream our sink writes. One splitter for all of them, written for
// speed (a bench receiver must never be the bottleneck): a state machine over each chunk as it
// arrives, no buffer concatenated per chunk, frame bodies skipped unread when only counting.
//
// Framing (docs/syslog-and-siem.md, "Framing"):
// - "octet": octet counting, `MSG-LEN SP MSG`, MSG-LEN = NONZERO-DIGIT *DIGIT, in bytes;
// - "lf": non-transparent framing, each message ends at LF (a CR before it is kept: the frame is
//   exactly what was sent);
// - "auto": as rsyslog's imtcp, per frame: one that starts with a digit is octet-counted, any other
//   ends at LF.
// A malformed length or a frame over maxFrame throws: the stream cannot be resynchronised, so the
// caller closes that connection, as a strict SIEM would.

import { STREAM_MAX_MESSAGE } from "../lib/syslog/limits";

export type Framing = "octet" | "lf" | "auto";

export interface FrameSplitterOptions {
  /** Default "auto". */
  framing?: Framing;
  /** Longest frame accepted, bytes. Default: the longest message the sink sends on a stream. */
  maxFrame?: number;
  /** Called with each complete frame (without length field or LF). Without it frames are only counted. */
  onFrame?: (frame: Buffer) => void;
}

const enum State {
  /** Before the first byte of a frame. */
  Start,
  /** Reading the digits of MSG-LEN. */
  Length,
  /** Reading `need` more bytes of an octet-counted body. */
  Body,
  /** Reading up to the next LF. */
  Line,
}

export class FrameSplitter {
  /** Complete frames so far. */
  frames = 0;
  /** Bytes pushed so far. */
  bytes = 0;
  private readonly framing: Framing;
  private readonly maxFrame: number;
  private readonly onFrame: ((frame: Buffer) => void) | undefined;
  private state = State.Start;
  private len = 0;
  private digits = 0;
  private need = 0;
  /** The pieces of a frame that spans chunks (only when onFrame wants it). */
  private parts: Buffer[] = [];
  /** Bytes of the current frame's body so far. */
  private held = 0;
  /** Stream offset where the last complete frame ended. */
  private endAt = 0;

  constructor(opts: FrameSplitterOptions = {}) {
    this.framing = opts.framing ?? "auto";
    this.maxFrame = opts.maxFrame ?? STREAM_MAX_MESSAGE;
    this.onFrame = opts.onFrame;
  }

  /** Bytes received that are not yet part of a complete frame (length field included). */
  get pending(): number {
    return this.bytes - this.endAt;
  }

  /** Feeds the next bytes of the stream; calls onFrame for each frame it completes. Throws on bad framing. */
  push(chunk: Buffer): void {
    const n = chunk.length;
    const base = this.bytes;
    this.bytes += n;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.Start: {
          const c = chunk[i];
          if (this.framing === "lf" || (this.framing === "auto" && (c < 0x30 || c > 0x39))) {
            this.state = State.Line;
            break;
          }
          if (c === 0x30) throw new Error("bad octet-counted frame: length 0 (a length starts with 1-9)");
          this.state = State.Length;
          break;
        }
        case State.Length: {
          const c = chunk[i++];
          if (c >= 0x30 && c <= 0x39) {
            this.len = this.len * 10 + c - 0x30;
            this.digits++;
            if (this.len > this.maxFrame) throw new Error(`bad octet-counted frame: length ${this.len} or more, over the ${this.maxFrame}-byte limit`);
          } else if (c === 0x20 && this.digits > 0) {
            this.need = this.len;
            this.len = this.digits = 0;
            this.state = State.Body;
          } else {
            throw new Error(`bad octet-counted frame: length field ${JSON.stringify((this.digits > 0 ? String(this.len) : "") + String.fromCharCode(c))}`);
          }
          break;
        }
        case State.Body: {
          const take = Math.min(this.need, n - i);
          this.need -= take;
          if (this.onFrame) this.collect(chunk, i, i + take, this.need === 0);
          this.held += take;
          i += take;
          if (this.need === 0) this.done(base + i);
          break;
        }
        case State.Line: {
          const lf = chunk.indexOf(0x0a, i);
          const end = lf < 0 ? n : lf;
          if (this.held + end - i > this.maxFrame) throw new Error(`frame without LF longer than ${this.maxFrame} bytes`);
          if (this.onFrame) this.collect(chunk, i, end, lf >= 0);
          this.held += end - i;
          if (lf < 0) return;
          i = lf + 1;
          this.done(base + i);
          break;
        }
      }
    }
  }

  private collect(chunk: Buffer, from: number, to: number, complete: boolean): void {
    if (!complete) {
      this.parts.push(chunk.subarray(from, to));
    } else if (this.parts.length === 0) {
      this.onFrame!(chunk.subarray(from, to));
    } else {
      this.parts.push(chunk.subarray(from, to));
      const frame = Buffer.concat(this.parts, this.held + to - from);
      this.parts = [];
      this.onFrame!(frame);
    }
  }

  private done(at: number): void {
    this.frames++;
    this.endAt = at;
    this.held = 0;
    this.state = State.Start;
  }
}

/** Splits a whole byte string into its frames (for tests). */
export function splitFrames(bytes: Buffer, framing: Framing = "auto"): Buffer[] {
  const out: Buffer[] = [];
  const s = new FrameSplitter({ framing, onFrame: (f) => out.push(f) });
  s.push(bytes);
  if (s.pending > 0) throw new Error(`${s.pending} bytes after the last complete frame`);
  return out;
}

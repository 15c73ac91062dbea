// RELP, the Reliable Event Logging Protocol of librelp and rsyslog's omrelp/imrelp, as a channel
// under the syslog sender (README, "Delivery guarantees"). It has no RFC; this follows librelp's
// specification and what its server really does.
//
//   frame    = TXNR SP COMMAND SP DATALEN [SP DATA] LF     (TXNR 1..999999999, then 1 again)
//   open     : the client's first command (txnr 1), its data the offers, one `name=v1,v2` a line;
//              the answer `rsp 200 OK LF <offers>` must offer relp_version and the syslog command
//   syslog   : one message; the collector answers `rsp` with the same txnr, in order: "200 OK"
//              once it took the message, any other code is an error
//   close    : ends the session; answered by an empty `rsp`
//   hints    : txnr 0, never answered; `serverclose` says the collector is closing the session
//
// A librelp collector expects the txnrs of a session to follow each other without a gap, so
// txnrs are numbered per connection: a frame that was not acknowledged when a connection broke is
// sent again on the next one under a new txnr (the sender requeues it).
//
// Delivery: a write is confirmed only when the collector's `rsp 200` for every frame in it came
// back (`progress` reports the frames confirmed so far, so each message's token settles as soon
// as its own answer arrives). At most `windowSize` frames are unanswered at once; frames beyond
// the window wait here and write() returns false until the window has room (backpressure).

import { EventEmitter } from "node:events";
import type net from "node:net";
import { Fifo } from "./fifo";
import { connectStream, describe, endStream, label, TransportError, type Channel, type ChannelOptions } from "./transport";

export interface RelpOptions extends ChannelOptions {
  /** Most unanswered syslog frames. Default 128 (librelp's). */
  windowSize?: number;
  /** No answer at all for this long while frames are unanswered: the session is broken. Default 90 s (omrelp's). */
  ackTimeoutMs?: number;
}

export const RELP_DEFAULT_WINDOW = 128;
const MAX_TXNR = 999_999_999;
/** An answer longer than this is not a RELP response: the session is dropped. */
const MAX_DATA = 64 * 1024;
const SP = 0x20;
const LF = 0x0a;

export const nextTxnr = (t: number): number => (t >= MAX_TXNR ? 1 : t + 1);

/** The offers we open a session with (librelp's, under our name). */
export const CLIENT_OFFERS = "relp_version=0\nrelp_software=node-red-contrib-sls-syslog\ncommands=syslog";

/** One frame as received. */
export interface RelpFrame {
  txnr: number;
  command: string;
  data: Buffer;
}

/** `rsp` data: `CODE [SP TEXT] [LF DATA]`; an empty rsp (the answer to close) has code 0. */
export interface RelpResponse {
  code: number;
  text: string;
  data: string;
}

export function parseResponse(data: Buffer): RelpResponse | null {
  if (data.length === 0) return { code: 0, text: "", data: "" };
  if (data.length < 3) return null;
  let code = 0;
  for (let i = 0; i < 3; i++) {
    const d = data[i] - 48;
    if (d < 0 || d > 9) return null;
    code = code * 10 + d;
  }
  if (data.length > 3 && data[3] !== SP && data[3] !== LF) return null;
  const lf = data.indexOf(LF, 3);
  const text = data.toString("utf8", Math.min(4, data.length), lf < 0 ? data.length : lf).slice(0, 80);
  return { code, text, data: lf < 0 ? "" : data.toString("utf8", lf + 1) };
}

/** Offers as `name -> values`, from `name=v1,v2` lines. */
export function parseOffers(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    const eq = line.indexOf("=");
    const name = eq < 0 ? line : line.slice(0, eq);
    out.set(name, eq < 0 ? [] : line.slice(eq + 1).split(","));
  }
  return out;
}

/** Splits the collector's byte stream into frames; throws on anything that is not RELP. */
export class RelpFrameReader {
  private state: "txnr" | "cmd" | "len" | "data" | "trailer" = "txnr";
  private digits = 0;
  private txnr = 0;
  private cmd = "";
  private len = 0;
  private parts: Buffer[] = [];
  private have = 0;

  push(chunk: Buffer, onFrame: (f: RelpFrame) => void): void {
    let i = 0;
    while (i < chunk.length) {
      const c = chunk[i];
      switch (this.state) {
        case "txnr":
          if (c >= 48 && c <= 57 && this.digits < 9) {
            this.txnr = this.txnr * 10 + c - 48;
            this.digits++;
          } else if (c === SP && this.digits > 0) {
            this.state = "cmd";
          } else throw new Error("bad transaction number");
          i++;
          break;
        case "cmd":
          if (((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) && this.cmd.length < 32) this.cmd += String.fromCharCode(c);
          else if (c === SP && this.cmd.length > 0) {
            this.state = "len";
            this.digits = 0;
          } else throw new Error("bad command");
          i++;
          break;
        case "len":
          if (c >= 48 && c <= 57 && this.digits < 9) {
            this.len = this.len * 10 + c - 48;
            this.digits++;
            i++;
          } else if (this.digits === 0) throw new Error("bad data length");
          else if (this.len > MAX_DATA) throw new Error(`answer of ${this.len} bytes`);
          else if (this.len === 0)
            this.state = "trailer"; // the trailer follows the length at once
          else if (c === SP) {
            this.state = "data";
            i++;
          } else throw new Error("bad data length");
          break;
        case "data": {
          const take = Math.min(this.len - this.have, chunk.length - i);
          this.parts.push(chunk.subarray(i, i + take));
          this.have += take;
          i += take;
          if (this.have === this.len) this.state = "trailer";
          break;
        }
        case "trailer": {
          if (c !== LF) throw new Error("missing frame trailer");
          i++;
          const data = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
          const f: RelpFrame = { txnr: this.txnr, command: this.cmd, data };
          this.state = "txnr";
          this.digits = this.txnr = this.len = this.have = 0;
          this.cmd = "";
          this.parts = [];
          onFrame(f);
          break;
        }
      }
    }
  }
}

/** One write of the sender: its frames, how many were answered, and whom to tell. */
interface Write {
  frames: number;
  acked: number;
  cb: (err?: Error | null) => void;
  progress?: (frames: number) => void;
}

/** A command waiting for its answer: a syslog frame's write, or the session's own open/close. */
type Outstanding = Write | "open" | "close";

interface Waiting {
  /** `LEN SP MSG` (the sender's octet-counted frame), which is RELP's `DATALEN SP DATA`. */
  frame: Buffer;
  write: Write;
}

export class RelpChannel extends EventEmitter implements Channel {
  readonly datagram = false;
  readonly endpoint;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly reader = new RelpFrameReader();
  /** Commands sent and not yet answered, in txnr order (answers come in the same order). */
  private readonly outstanding = new Fifo<Outstanding>();
  /** Txnr of the oldest outstanding command. */
  private expect = 1;
  private txnr = 1;
  private unanswered = 0;
  private readonly waiting = new Fifo<Waiting>();
  private socketFull = false;
  private owesDrain = false;
  private ackTimer: NodeJS.Timeout | undefined;
  private closedWith: Error | undefined;
  private closed = false;
  private opened: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private closeAnswered: (() => void) | null = null;
  /** Writes whose progress changed while one chunk of answers was read. */
  private touched: Write[] = [];

  constructor(
    private readonly socket: net.Socket,
    private readonly opts: RelpOptions,
  ) {
    super();
    this.endpoint = opts.endpoint;
    this.window = Math.max(1, opts.windowSize ?? RELP_DEFAULT_WINDOW);
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 90_000;
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => this.fail(this.error("collector closed the connection", "EPEERCLOSED")));
    socket.on("error", (err) => {
      this.closedWith ??= describe(err, opts);
    });
    socket.on("drain", () => {
      this.socketFull = false;
      this.maybeDrain();
    });
    socket.on("close", () => {
      this.closed = true;
      clearTimeout(this.ackTimer);
      const err = this.closedWith ?? this.error("connection closed", "EPEERCLOSED");
      this.opened?.reject(err);
      this.opened = null;
      this.closeAnswered?.();
      this.emit("close", this.closedWith);
    });
  }

  /** Sends `open` and resolves once the collector accepted the session. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.opened = { resolve, reject };
      this.command("open", Buffer.from(CLIENT_OFFERS, "latin1"), "open");
    });
  }

  /** Unanswered syslog frames plus those waiting for window room. */
  get backlog(): number {
    return this.unanswered + this.waiting.length;
  }

  write(buf: Buffer, cb: (err?: Error | null) => void, progress?: (frames: number) => void): boolean {
    const w: Write = { frames: 0, acked: 0, cb, progress };
    // The sender hands over octet-counted frames back to back: split them at their lengths.
    let i = 0;
    while (i < buf.length) {
      let len = 0;
      let j = i;
      while (j < buf.length && buf[j] !== SP) len = len * 10 + buf[j++] - 48;
      const end = j + 1 + len;
      this.waiting.push({ frame: buf.subarray(i, end), write: w });
      w.frames++;
      i = end;
    }
    if (w.frames === 0) {
      cb(null);
      return this.hasRoom();
    }
    this.flush();
    if (this.hasRoom()) return true;
    this.owesDrain = true;
    return false;
  }

  end(): Promise<void> {
    if (this.closed) return Promise.resolve();
    // `close`, then the TCP/TLS close once it is answered (or the collector hangs up).
    return endStream(this, this.socket, () => {
      this.closeAnswered = () => {
        this.closeAnswered = null;
        this.socket.end();
      };
      this.command("close", null, "close");
    });
  }

  destroy(err?: Error): void {
    if (err) this.closedWith ??= err;
    this.socket.destroy();
  }

  private hasRoom(): boolean {
    return !this.socketFull && this.waiting.length === 0 && this.unanswered < this.window;
  }

  private maybeDrain(): void {
    if (this.owesDrain && this.hasRoom() && !this.closed) {
      this.owesDrain = false;
      this.emit("drain");
    }
  }

  private error(what: string, code: string): TransportError {
    return new TransportError(`${label(this.opts)}: ${what}`, this.opts.endpoint, code);
  }

  private fail(err: Error): void {
    this.closedWith ??= err;
    this.socket.destroy();
  }

  private command(cmd: string, data: Buffer | null, what: Outstanding): void {
    if (this.closed) return;
    const head = `${this.txnr} ${cmd} ${data ? data.length : 0}`;
    this.outstanding.push(what);
    this.txnr = nextTxnr(this.txnr);
    const out = data && data.length ? Buffer.concat([Buffer.from(head + " ", "latin1"), data, Buffer.from("\n")]) : Buffer.from(head + "\n", "latin1");
    if (!this.socket.write(out)) this.socketFull = true;
    this.armTimer();
  }

  /** Sends waiting frames while the window has room, in one socket write. */
  private flush(): void {
    if (this.closed || this.opened) return; // nothing before the session is open
    const n = Math.min(this.waiting.length, this.window - this.unanswered);
    if (n <= 0) return;
    const frames: Waiting[] = new Array(n);
    const heads: string[] = new Array(n);
    let size = 0;
    for (let k = 0; k < n; k++) {
      const f = this.waiting.shift()!;
      frames[k] = f;
      // An empty message is `TXNR syslog 0 LF`: no space after a zero length.
      heads[k] = f.frame.length === 2 && f.frame[0] === 48 ? `${this.txnr} syslog 0` : `${this.txnr} syslog `;
      this.txnr = nextTxnr(this.txnr);
      size += heads[k].length + (f.frame.length === 2 && f.frame[0] === 48 ? 0 : f.frame.length) + 1;
      this.outstanding.push(f.write);
    }
    const out = Buffer.allocUnsafe(size);
    let o = 0;
    for (let k = 0; k < n; k++) {
      o += out.write(heads[k], o, "latin1");
      const f = frames[k].frame;
      if (!(f.length === 2 && f[0] === 48)) o += f.copy(out, o);
      out[o++] = LF;
    }
    this.unanswered += n;
    if (!this.socket.write(out)) this.socketFull = true;
    this.armTimer();
  }

  private armTimer(): void {
    if (this.ackTimer || this.ackTimeoutMs <= 0) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      if (this.outstanding.length > 0) this.fail(this.error(`no answer from the collector within ${this.ackTimeoutMs} ms`, "ETIMEDOUT"));
    }, this.ackTimeoutMs);
  }

  private onData(chunk: Buffer): void {
    try {
      this.reader.push(chunk, (f) => this.onFrame(f));
    } catch (err) {
      this.fail(err instanceof TransportError ? err : this.error(`not a RELP answer (${(err as Error).message})`, "ERELPPROTO"));
    }
    // Progress once per chunk, not once per answer.
    const ws = this.touched;
    if (ws.length > 0) {
      this.touched = [];
      for (const w of ws) if (w.acked < w.frames) w.progress?.(w.acked);
    }
    if (!this.closed) {
      this.flush();
      this.maybeDrain();
    }
  }

  private onFrame(f: RelpFrame): void {
    if (this.closed) return;
    if (f.txnr === 0) {
      // A hint: never answered. serverclose: the collector is going away; what it did not
      // answer is sent again on the next connection.
      if (f.command === "serverclose") this.fail(this.error("collector closed the session (serverclose)", "EPEERCLOSED"));
      return;
    }
    if (f.command !== "rsp") throw this.error(`unexpected command "${f.command}" from the collector`, "ERELPPROTO");
    const what = this.outstanding.peek();
    if (what === undefined || f.txnr !== this.expect)
      throw this.error(`answer for txnr ${f.txnr}, expected ${what === undefined ? "none" : this.expect}`, "ERELPPROTO");
    const rsp = parseResponse(f.data);
    if (!rsp) throw this.error("malformed rsp", "ERELPPROTO");
    this.outstanding.shift();
    this.expect = nextTxnr(this.expect);
    // Any answer shows the collector is alive: the timeout restarts from here.
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.outstanding.length > 0) this.armTimer();
    if (what === "close") {
      this.closeAnswered?.();
      return;
    }
    if (what === "open") {
      this.accept(rsp);
      return;
    }
    if (rsp.code !== 200) {
      // The collector did not take the message (librelp answers 500 for a disabled command or a
      // broken session): an outage, not a bad message; it is sent again after a reconnect.
      throw this.error(`collector answered ${rsp.code}${rsp.text ? " " + rsp.text : ""}`, "ERELPREFUSED");
    }
    this.unanswered--;
    if (++what.acked === what.frames) what.cb(null);
    else if (this.touched[this.touched.length - 1] !== what) this.touched.push(what);
  }

  private accept(rsp: RelpResponse): void {
    const opened = this.opened!;
    this.opened = null;
    if (rsp.code !== 200) {
      opened.reject(this.error(`collector refused the session: ${rsp.code} ${rsp.text}`.trim(), "ERELPREFUSED"));
      this.socket.destroy();
      return;
    }
    const offers = parseOffers(rsp.data);
    const version = offers.get("relp_version")?.[0];
    if (version === undefined || !/^[01]$/.test(version)) {
      opened.reject(this.error(`collector speaks no RELP version we know (relp_version=${version ?? "missing"})`, "ERELPPROTO"));
      this.socket.destroy();
      return;
    }
    if (!(offers.get("commands") ?? []).includes("syslog")) {
      opened.reject(this.error("collector does not accept the syslog command", "ERELPPROTO"));
      this.socket.destroy();
      return;
    }
    opened.resolve();
  }
}

/** Connects (TCP, or TLS when `opts.tls` is set), opens a RELP session and resolves once it is accepted. */
export async function openRelp(opts: RelpOptions): Promise<RelpChannel> {
  return openRelpOn(await connectStream(opts), opts);
}

/** Opens a RELP session on a connected socket (connectStream's) and resolves once it is accepted. */
export async function openRelpOn(socket: net.Socket, opts: RelpOptions): Promise<RelpChannel> {
  const ch = new RelpChannel(socket, opts);
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ch.start(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new TransportError(`${label(opts)}: the collector did not answer the RELP open within ${timeoutMs} ms`, opts.endpoint, "ETIMEDOUT")),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    ch.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return ch;
}

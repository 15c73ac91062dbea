// The syslog sender: one connection to a receiver (with optional failover), a bounded queue,
// batched writes, reconnects, and per send a promise (or a callback) settled once its frame was
// written. Messages are formatted straight into the sender's buffers (frame-encoder.ts).
//
// Delivery semantics (at-least-once):
// - send() resolves after the socket's write callback for the batch holding the frame (UDP: after
//   the datagram was sent). It rejects only for permanent errors (datagram too large, sender closed).
//   On streams, the sends of one turn that go into one batch share a single promise (or callback
//   list). sendWith/sendManyWith with a callback call it instead, with the same meaning.
// - Frames whose write was not confirmed when the connection died are sent again, first thing, on
//   the next connection.
// - RELP: a frame is confirmed by the collector's answer (`rsp 200`), each as soon as its own answer
//   arrives; only unanswered frames are sent again, and there is no replay window.
// - TCP/TLS: a confirmed write only means the local kernel took the bytes: a receiver that dies still loses
//   what sat in the socket buffers. So frames confirmed within the last `replayWindowMs` are kept and
//   re-sent after an unexpected disconnect as well (rsyslog's ResendLastMSGOnReconnect, widened).
//   Receivers may see duplicates; the SIEM can de-duplicate on the record's SD key.
// - The queue (messages and bytes, unconfirmed frames included) is bounded; callers beyond the
//   bound wait in order (backpressure), nothing is dropped.

import { EventEmitter } from "node:events";
import { backoffDelay, type BackoffOptions } from "../backoff";
import { Fifo } from "./fifo";
import { FrameEncoder, WIRE_WRITER, type MessageWriter, type Slab } from "./frame-encoder";
import { ReplayWindow } from "./replay-window";
import { type Framing, type Wire } from "./framing";
import { UDP_DEFAULT_CAP } from "./limits";
import { openRelp } from "./relp";
import { faultKind, type FaultKind } from "./faults";
import { label, openChannel, TransportError, where, type Channel, type Endpoint, type Protocol, type TlsSettings } from "./transport";

export interface SenderOptions {
  protocol: Protocol;
  /** Primary receiver first; a second entry is the failover target. */
  endpoints: Endpoint[];
  /** Stream framing; TLS always uses octet counting (RFC 5425). Default octet. */
  framing?: Framing;
  /** TLS material, or a function called before each connect (so rotated files are re-read). For RELP: RELP over TLS when set. */
  tls?: TlsSettings | (() => TlsSettings);
  /** RELP: most unanswered frames (default 128) and how long the collector may stay silent (default 90 s). */
  relp?: { windowSize?: number; ackTimeoutMs?: number };
  connectTimeoutMs?: number;
  keepAliveMs?: number;
  backoff?: BackoffOptions;
  /** Most queued frames (waiting + unconfirmed). Default 10,000. */
  maxQueueMessages?: number;
  /** Most queued bytes. Default 16 MiB. */
  maxQueueBytes?: number;
  /** Largest datagram for UDP. Default UDP_DEFAULT_CAP. */
  maxDatagramBytes?: number;
  /** Bytes concatenated into one socket write. Default 64 KiB. */
  maxBatchBytes?: number;
  /** Keep confirmed frames this long for a replay after an unexpected disconnect. Default 2000 ms; 0 disables. */
  replayWindowMs?: number;
  /** Cap of the replay window. Default 1 MiB. */
  replayMaxBytes?: number;
}

export type SenderState = "connecting" | "connected" | "disconnected" | "closed";

export interface SenderStats {
  state: SenderState;
  endpoint: string;
  queued: number;
  queuedBytes: number;
  waiting: number;
  sent: number;
  sentBytes: number;
  /** Frames sent again after a connection broke (unconfirmed ones and the replay window). */
  resent: number;
  connects: number;
  /** Socket writes (batches) so far. */
  writes: number;
  /** Connection failures by kind. */
  faults: Partial<Record<FaultKind, number>>;
  /** Since when (epoch ms) no connection is up; undefined while connected. */
  downSince?: number;
  lastError?: string;
}

/** Frames taken back from a sender that lost its receiver, for another sender to deliver (handOver). */
export interface Backlog {
  readonly frames: number;
}

/** A permanent failure of one send: retrying the same frame will not help. */
export class SendError extends Error {
  override readonly name = "SendError";
}

/** Called once a send's frames were written (no argument) or can no longer be (the error). */
export type SendCallback = (err?: Error) => void;

/** The sends that wait on some frames: settled together once the last of them was written. */
interface Group {
  left: number;
  failed: boolean;
  /** The promise's settlers, once a send without a callback asked for one. */
  resolve: (() => void) | null;
  reject: ((e: Error) => void) | null;
  /** The callbacks of sends made with one, in order. */
  cbs: SendCallback[] | null;
}

/** A group that sends of one turn join (streams): one promise or one callback list for all. */
interface SharedGroup extends Group {
  promise: Promise<void> | null;
  bytes: number;
}

/** One frame in the queue: `slab.buf[start, start + bytes)`, in one of the encoder's slabs; a replayed batch is one entry of several frames. */
interface Entry {
  slab: Slab;
  start: number;
  bytes: number;
  /** Frames in these bytes: 1, or a replayed batch's count. */
  frames: number;
  group: Group | null; // null for replayed batches
}

interface Batch {
  entries: Entry[];
  bytes: number;
  done: boolean;
  /** Leading entries already confirmed (RELP answers them one by one). */
  confirmed: number;
}

interface Waiter {
  entries: Entry[];
  bytes: number;
}

export class SyslogSender extends EventEmitter {
  private readonly o: Required<Omit<SenderOptions, "tls" | "backoff" | "framing" | "relp">> & Pick<SenderOptions, "tls" | "backoff" | "relp">;
  private readonly framing: Framing | "none";
  /** Formats and frames every message straight into shared buffers (see frame-encoder.ts). */
  private readonly encoder: FrameEncoder;
  private readonly pending = new Fifo<Entry>();
  /** The group single sends join until the pump takes them (stream transports only). */
  private openGroup: SharedGroup | null = null;
  private inflight: Batch[] = [];
  private readonly waiters = new Fifo<Waiter>();
  /** Confirmed batches kept (in the encoder's buffers) for a replay after an unexpected disconnect (null when off). */
  private readonly replay: ReplayWindow | null;
  private queued = 0;
  private queuedBytes = 0;
  private channel: Channel | null = null;
  private needDrain = false;
  private pumpScheduled = false;
  private state: SenderState = "disconnected";
  private failures = 0;
  private endpointIndex = 0;
  private timer: NodeJS.Timeout | undefined;
  /** No new sends (close() was called). */
  private closing = false;
  /** Closed for good: no reconnects. */
  private stopped = false;
  private opened = false;
  private idleWaiters: Array<() => void> = [];
  private counts = { sent: 0, sentBytes: 0, resent: 0, connects: 0, writes: 0 };
  private faults: Partial<Record<FaultKind, number>> = {};
  private downSince: number | undefined = Date.now();
  private lastError: string | undefined;

  constructor(opts: SenderOptions) {
    super();
    if (!opts.endpoints.length) throw new RangeError("at least one receiver endpoint is required");
    this.o = {
      protocol: opts.protocol,
      endpoints: opts.endpoints.map((e) => ({ ...e })),
      tls: opts.tls,
      relp: opts.relp,
      // Reconnects cap at 10 s: a SIEM back from an outage is caught up within seconds.
      backoff: { maxMs: 10_000, ...opts.backoff },
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      keepAliveMs: opts.keepAliveMs ?? 30_000,
      maxQueueMessages: opts.maxQueueMessages ?? 10_000,
      maxQueueBytes: opts.maxQueueBytes ?? 16 * 1024 * 1024,
      maxDatagramBytes: opts.maxDatagramBytes ?? UDP_DEFAULT_CAP,
      maxBatchBytes: opts.maxBatchBytes ?? 64 * 1024,
      // UDP cannot tell; RELP knows what the collector took and needs no replay.
      replayWindowMs: opts.protocol === "udp" || opts.protocol === "relp" ? 0 : (opts.replayWindowMs ?? 2000),
      replayMaxBytes: opts.replayMaxBytes ?? 1024 * 1024,
    };
    this.replay = this.o.replayWindowMs > 0 ? new ReplayWindow(this.o.replayWindowMs, this.o.replayMaxBytes, (slab, n) => this.encoder.release(slab, n)) : null;
    // TLS is octet-counted (RFC 5425); RELP's DATALEN SP DATA is an octet-counted frame.
    const framing: Framing = opts.protocol === "tls" || opts.protocol === "relp" ? "octet" : (opts.framing ?? "octet");
    this.framing = opts.protocol === "udp" ? "none" : framing;
    // Spare buffers for what the replay window keeps in use, plus a few.
    this.encoder = new FrameEncoder(this.framing, undefined, Math.ceil(this.o.replayMaxBytes / (128 * 1024)) + 4);
  }

  /** Starts connecting (send() also does this on first use). */
  open(): void {
    if (this.opened || this.stopped) return;
    this.opened = true;
    void this.connect();
  }

  get currentState(): SenderState {
    return this.state;
  }

  stats(): SenderStats {
    return {
      state: this.state,
      endpoint: where(this.o.endpoints[this.endpointIndex]),
      queued: this.queued,
      queuedBytes: this.queuedBytes,
      waiting: this.waiters.length,
      ...this.counts,
      faults: { ...this.faults },
      downSince: this.downSince,
      lastError: this.lastError,
    };
  }

  /** Sends one SYSLOG-MSG (unframed): bytes, or a string to be sent as UTF-8. */
  send(msg: Wire): Promise<void> {
    return this.sendWith(WIRE_WRITER, msg);
  }

  /**
   * Sends the message `w` writes for `item`, formatted straight into the sender's buffers. Throws
   * (synchronously, nothing queued) what `w` throws for an item that cannot be formatted. With
   * `done`, that callback is called once the frame was written (or with the error) and no promise
   * is made: a caller that settles something per message saves a promise reaction each.
   */
  sendWith<T>(w: MessageWriter<T>, item: T): Promise<void>;
  sendWith<T>(w: MessageWriter<T>, item: T, done: SendCallback): void;
  sendWith<T>(w: MessageWriter<T>, item: T, done?: SendCallback): Promise<void> | void {
    if (this.closing) return refuse(new SenderClosedError("syslog sender is closed"), done);
    const enc = this.encoder;
    enc.encode(w, item);
    const { slab, start, bytes } = enc;
    if (this.o.protocol === "udp" && bytes > this.o.maxDatagramBytes) {
      enc.undoLast();
      return refuse(this.tooBig(bytes), done);
    }
    this.open();
    const shared = this.joinShared(1, bytes);
    if (shared) {
      this.admitOne({ slab, start, bytes, frames: 1, group: shared });
      return wait(shared, done);
    }
    // A single send is its own group: one object per message instead of two.
    const entry: Entry & Group = { slab, start, bytes, frames: 1, group: null, left: 1, failed: false, resolve: null, reject: null, cbs: null };
    entry.group = entry;
    if (this.waiters.length === 0 && this.hasRoom(1, bytes)) this.admitOne(entry);
    else this.waiters.push({ entries: [entry], bytes });
    return wait(entry, done);
  }

  private tooBig(bytes: number): SendError {
    return new SendError(`syslog message of ${bytes} bytes exceeds the UDP datagram limit of ${this.o.maxDatagramBytes} bytes`);
  }

  /** Sends several messages in order; resolves once all were written. */
  sendMany(msgs: readonly Wire[]): Promise<void> {
    return this.sendManyWith(WIRE_WRITER, msgs);
  }

  /** sendWith for several items, in order; if one cannot be formatted, none is sent (and that error is thrown). */
  sendManyWith<T>(w: MessageWriter<T>, items: readonly T[]): Promise<void>;
  sendManyWith<T>(w: MessageWriter<T>, items: readonly T[], done: SendCallback): void;
  sendManyWith<T>(w: MessageWriter<T>, items: readonly T[], done?: SendCallback): Promise<void> | void {
    if (this.closing) return refuse(new SenderClosedError("syslog sender is closed"), done);
    if (items.length === 0) {
      if (!done) return Promise.resolve();
      process.nextTick(done);
      return;
    }
    const enc = this.encoder;
    const mark = enc.mark();
    const entries: Entry[] = new Array(items.length);
    let bytes = 0;
    try {
      for (let i = 0; i < items.length; i++) {
        enc.encode(w, items[i]);
        if (this.o.protocol === "udp" && enc.bytes > this.o.maxDatagramBytes) {
          enc.rollback(mark);
          return refuse(this.tooBig(enc.bytes), done);
        }
        entries[i] = { slab: enc.slab, start: enc.start, bytes: enc.bytes, frames: 1, group: null };
        bytes += enc.bytes;
      }
    } catch (err) {
      enc.rollback(mark);
      throw err;
    }
    this.open();
    const shared = this.joinShared(entries.length, bytes);
    if (shared) {
      for (const e of entries) e.group = shared;
      this.admit(entries, bytes);
      return wait(shared, done);
    }
    const group: Group = { left: entries.length, failed: false, resolve: null, reject: null, cbs: null };
    for (const e of entries) e.group = group;
    if (this.waiters.length === 0 && this.hasRoom(entries.length, bytes)) this.admit(entries, bytes);
    else this.waiters.push({ entries, bytes });
    return wait(group, done);
  }

  /**
   * The group that `n` frames of `bytes` join when they can be admitted at once on a stream: the
   * sends of one turn that are written together share a promise. It resolves once all their
   * frames were written, which for each of them is "after its frame was written"; stream frames
   * only fail together (the sender closed), so sharing never mixes outcomes. Null: UDP (one
   * datagram can fail alone), or the frames must wait for room.
   */
  private joinShared(n: number, bytes: number): SharedGroup | null {
    if (this.o.protocol === "udp" || this.waiters.length > 0 || !this.hasRoom(n, bytes)) return null;
    let g = this.openGroup;
    if (!g || g.bytes + bytes > this.o.maxBatchBytes) g = this.openGroup = sharedGroup();
    g.left += n;
    g.bytes += bytes;
    return g;
  }

  /** New sends would wait: the queue is at its bound, or others wait already. */
  get full(): boolean {
    return this.waiters.length > 0 || (this.queued > 0 && !this.hasRoom(1, 0));
  }

  /**
   * Takes back everything not being written (queued and waiting frames, with their promises),
   * for another sender to deliver: several receivers (failover, balance) hand a lost receiver's
   * backlog to one that is up. Only while not connected; null when there is nothing.
   */
  takeBacklog(): (Backlog & { entries: Entry[]; waiters: Waiter[] }) | null {
    if (this.state === "connected" || this.closing) return null;
    const entries = this.pending.drain();
    const waiters = this.waiters.drain();
    this.openGroup = null;
    if (entries.length === 0 && waiters.length === 0) return null;
    let bytes = 0;
    for (const e of entries) bytes += e.bytes;
    this.queued -= entries.length;
    this.queuedBytes -= bytes;
    this.releaseIdle();
    return { frames: entries.length + waiters.reduce((n, w) => n + w.entries.length, 0), entries, waiters };
  }

  /**
   * Delivers a backlog taken from another sender after everything already queued or waiting here
   * (so each receiver still gets frames in the order they were sent), within this queue's bound.
   */
  handOver(b: Backlog): void {
    const { entries, waiters } = b as Backlog & { entries: Entry[]; waiters: Waiter[] };
    if (this.closing) {
      const err = new SenderClosedError("syslog sender closed before the message could be written");
      for (const e of entries) this.fail(e, err);
      for (const w of waiters) for (const e of w.entries) this.fail(e, err);
      return;
    }
    this.open();
    // Re-framing is not needed: both senders frame alike (one server, one protocol).
    for (let i = 0; i < entries.length; i += 256) {
      const chunk = entries.slice(i, i + 256);
      let bytes = 0;
      for (const e of chunk) bytes += e.bytes;
      this.waiters.push({ entries: chunk, bytes });
    }
    for (const w of waiters) this.waiters.push(w);
    this.admitWaiters();
  }

  /** Resolves when nothing is queued or waiting. */
  idle(): Promise<void> {
    if (this.queued === 0 && this.waiters.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * Flushes what can be written within `timeoutMs`, ends the connection gracefully and rejects
   * whatever is left with a SendError.
   */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Flushing only helps while a connection is up or being made; once it fails the leftovers
    // are rejected at once (as SenderClosedError, so callers can tell a shutdown from a bad message).
    if (this.state !== "disconnected" && (this.queued > 0 || this.waiters.length > 0)) {
      let t: NodeJS.Timeout | undefined;
      let onState: ((s: SenderState) => void) | undefined;
      const failed = new Promise<void>((r) => {
        onState = (st) => {
          if (st === "disconnected") r();
        };
        this.on("state", onState);
      });
      await Promise.race([this.idle(), failed, new Promise<void>((r) => (t = setTimeout(r, timeoutMs)))]);
      clearTimeout(t);
      if (onState) this.off("state", onState);
    }
    this.stopped = true;
    clearTimeout(this.timer);
    const ch = this.channel;
    this.channel = null;
    this.setState("closed");
    const left = new SenderClosedError("syslog sender closed before the message could be written");
    for (const b of this.inflight) b.done = true;
    const entries = [...this.inflight.flatMap((b) => b.entries.slice(b.confirmed)), ...this.pending.drain(), ...this.waiters.drain().flatMap((w) => w.entries)];
    this.inflight = [];
    for (const e of entries) this.fail(e, left);
    this.replay?.clear();
    this.queued = 0;
    this.queuedBytes = 0;
    this.releaseIdle();
    if (ch) await ch.end();
  }

  private hasRoom(n: number, bytes: number): boolean {
    if (this.queued === 0) return true; // a single oversize group must still get through
    return this.queued + n <= this.o.maxQueueMessages && this.queuedBytes + bytes <= this.o.maxQueueBytes;
  }

  private admitOne(e: Entry): void {
    this.pending.push(e);
    this.queued++;
    this.queuedBytes += e.bytes;
    this.schedulePump();
  }

  private admit(entries: Entry[], bytes: number): void {
    for (const e of entries) this.pending.push(e);
    this.queued += entries.length;
    this.queuedBytes += bytes;
    this.schedulePump();
  }

  /**
   * Sends made in one turn of the event loop go out as one batch: the pump runs on the next
   * setImmediate instead of once per send (a write per message costs more than formatting it).
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private admitWaiters(): void {
    let w = this.waiters.peek();
    while (w && this.hasRoom(w.entries.length, w.bytes)) {
      this.waiters.shift();
      this.admit(w.entries, w.bytes);
      w = this.waiters.peek();
    }
  }

  private pump(): void {
    this.openGroup = null; // later sends may go into another batch
    const ch = this.channel;
    if (!ch || this.state !== "connected") return;
    const maxInflight = ch.datagram ? 256 : Infinity;
    while (this.pending.length > 0 && !this.needDrain && this.inflight.length < maxInflight) {
      const entries: Entry[] = [];
      const first = this.pending.shift()!;
      entries.push(first);
      let bytes = first.bytes;
      if (!ch.datagram) {
        // Consecutive frames of one buffer, up to maxBatchBytes: one write of a view, no copy.
        let next = this.pending.peek();
        while (next && next.slab === first.slab && next.start === first.start + bytes && bytes + next.bytes <= this.o.maxBatchBytes) {
          this.pending.shift();
          entries.push(next);
          bytes += next.bytes;
          next = this.pending.peek();
        }
      }
      const batch: Batch = { entries, bytes, done: false, confirmed: 0 };
      this.inflight.push(batch);
      const buf = first.slab.buf.subarray(first.start, first.start + bytes);
      this.counts.writes++;
      const ok = ch.write(
        buf,
        (err) => this.written(ch, batch, err ?? undefined),
        (n) => this.confirmed(ch, batch, n),
      );
      if (!ok) this.needDrain = true;
    }
  }

  private written(ch: Channel, batch: Batch, err: Error | undefined): void {
    if (batch.done || ch !== this.channel) return; // already requeued by the close handler
    if (err) {
      const e = err as Error & { code?: string };
      if (ch.datagram && e.code === "EMSGSIZE") {
        this.finishBatch(batch, new SendError(err.message));
        return;
      }
      ch.destroy(err); // the close handler requeues what was not confirmed
      return;
    }
    this.finishBatch(batch);
  }

  /** The first `n` frames of a batch were confirmed (RELP): their sends resolve now. */
  private confirmed(ch: Channel, batch: Batch, n: number): void {
    if (batch.done || ch !== this.channel || n <= batch.confirmed) return;
    this.settle(batch, batch.confirmed, n, true);
    batch.confirmed = n;
    this.admitWaiters();
  }

  /** Entries [from, to) of a batch were written: they leave the queue and their sends resolve. */
  private settle(batch: Batch, from: number, to: number, release: boolean): void {
    let bytes = 0;
    let frames = 0;
    // Their buffers' bytes are free again, unless the replay window keeps them (counted per run of one slab).
    let slab: Slab | null = null;
    let run = 0;
    for (let k = from; k < to; k++) {
      const e = batch.entries[k];
      bytes += e.bytes;
      if (e.slab !== slab) {
        if (slab && release) this.encoder.release(slab, run);
        slab = e.slab;
        run = 0;
      }
      run += e.frames;
      frames += e.frames;
      const g = e.group;
      if (g && !g.failed && --g.left === 0) written(g);
    }
    if (slab && release) this.encoder.release(slab, run);
    this.queued -= to - from;
    this.queuedBytes -= bytes;
    this.counts.sent += frames;
    this.counts.sentBytes += bytes;
  }

  private finishBatch(batch: Batch, error?: Error): void {
    batch.done = true;
    const i = this.inflight.indexOf(batch);
    if (i >= 0) this.inflight.splice(i, 1);
    if (error) {
      this.queued -= batch.entries.length;
      this.queuedBytes -= batch.bytes;
      for (const e of batch.entries) this.fail(e, error);
    } else if (this.replay) {
      // The batch's frames stay in use while the window keeps them (one slab, consecutive: see pump).
      const first = batch.entries[0];
      let frames = 0;
      for (const e of batch.entries) frames += e.frames;
      this.replay.keep(first.slab, first.start, batch.bytes, frames, Date.now());
      this.settle(batch, batch.confirmed, batch.entries.length, false);
    } else this.settle(batch, batch.confirmed, batch.entries.length, true);
    this.admitWaiters();
    if (this.queued === 0) this.releaseIdle();
    this.pump();
  }

  private fail(e: Entry, error: Error): void {
    this.encoder.release(e.slab, e.frames);
    const g = e.group;
    if (g && !g.failed) {
      g.failed = true;
      if (g.reject) g.reject(error);
      if (g.cbs) callLater(g.cbs, error);
    }
  }

  private releaseIdle(): void {
    if (this.waiters.length > 0 || this.queued > 0) return;
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }

  private setState(s: SenderState, detail?: Error): void {
    if (s === this.state && !detail) return;
    this.state = s;
    this.emit("state", s, detail);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const endpoint = this.o.endpoints[this.endpointIndex];
    this.setState("connecting");
    let ch: Channel;
    try {
      const tlsSettings = typeof this.o.tls === "function" ? this.o.tls() : this.o.tls;
      const how = { protocol: this.o.protocol, endpoint, tls: tlsSettings, connectTimeoutMs: this.o.connectTimeoutMs, keepAliveMs: this.o.keepAliveMs };
      ch = this.o.protocol === "relp" ? await openRelp({ ...how, ...this.o.relp }) : await openChannel(how);
    } catch (err) {
      this.lost(err instanceof Error ? err : new Error(String(err)), true);
      return;
    }
    if (this.stopped) {
      void ch.end();
      return;
    }
    this.channel = ch;
    this.needDrain = false;
    this.failures = 0;
    this.counts.connects++;
    ch.on("drain", () => {
      this.needDrain = false;
      this.pump();
    });
    ch.once("close", (err?: Error) => {
      if (this.channel !== ch) return;
      this.channel = null;
      this.requeue();
      this.lost(
        err ?? new TransportError(`${label({ protocol: this.o.protocol, endpoint, tls: this.o.tls ? {} : undefined })}: connection closed`, endpoint),
        false,
      );
    });
    this.lastError = undefined;
    this.downSince = undefined;
    this.setState("connected");
    this.pump();
  }

  /** Puts unconfirmed frames, preceded by the replay window, back in front of the queue. */
  private requeue(): void {
    const unconfirmed = this.inflight.flatMap((b) => {
      b.done = true;
      return b.confirmed > 0 ? b.entries.slice(b.confirmed) : b.entries;
    });
    for (const e of unconfirmed) this.counts.resent += e.frames;
    this.inflight = [];
    this.needDrain = false;
    let replayed: Entry[] = [];
    if (this.replay) {
      // Each replayed batch goes back as one entry: its frames, where they were written.
      const batches = this.replay.take(Date.now());
      replayed = batches.map((k) => ({ slab: k.slab, start: k.start, bytes: k.length, frames: k.frames, group: null }));
      for (const r of batches) this.counts.resent += r.frames;
      // Replayed batches count toward the queue while they are re-sent; replayMaxBytes caps them.
      for (const e of replayed) {
        this.queued++;
        this.queuedBytes += e.bytes;
      }
    }
    this.pending.unshiftAll([...replayed, ...unconfirmed]);
  }

  /** After a failed connect the next attempt goes to the other receiver (failover); after losing an established connection it retries the same one first. */
  private lost(err: Error, connectFailed: boolean): void {
    if (this.stopped) return;
    this.lastError = err.message;
    const kind = faultKind(err);
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
    this.failures++;
    this.downSince ??= Date.now();
    if (connectFailed && this.o.endpoints.length > 1) this.endpointIndex = (this.endpointIndex + 1) % this.o.endpoints.length;
    this.setState("disconnected", err);
    this.emit("fault", err);
    const delay = backoffDelay(this.failures, this.o.backoff);
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}

function sharedGroup(): SharedGroup {
  return { left: 0, failed: false, resolve: null, reject: null, cbs: null, promise: null, bytes: 0 };
}

/** A send joins `g`: with a callback, into its list; without, it gets the group's promise (made once). */
function wait(g: Group | SharedGroup, done: SendCallback | undefined): Promise<void> | undefined {
  if (done) {
    (g.cbs ??= []).push(done);
    return undefined;
  }
  if ("promise" in g && g.promise) return g.promise;
  const p = new Promise<void>((resolve, reject) => {
    g.resolve = resolve;
    g.reject = reject;
  });
  if ("promise" in g) g.promise = p;
  return p;
}

/** A send refused before it was queued: a rejected promise, or the callback on the next tick. */
function refuse(err: Error, done: SendCallback | undefined): Promise<void> | undefined {
  if (!done) return Promise.reject(err);
  process.nextTick(done, err);
  return undefined;
}

/** Every frame of `g` was written. */
function written(g: Group): void {
  if (g.resolve) g.resolve();
  if (g.cbs) callLater(g.cbs);
}

/**
 * A group's callbacks, in order, once the sender's own work of this turn is done (as a promise's
 * reactions would run): one microtask per group, not per send. What a callback throws is thrown
 * again on its own, so it cannot keep the others from running.
 */
function callLater(cbs: SendCallback[], err?: Error): void {
  queueMicrotask(() => {
    for (const cb of cbs) {
      try {
        cb(err);
      } catch (e) {
        process.nextTick(() => {
          throw e;
        });
      }
    }
  });
}

/** The sender was closed (redeploy, shutdown) before a frame could be written: not the message's fault. */
export class SenderClosedError extends SendError {}

// Delivery tokens: how a sink tells the source that a record has really been written.
//
// The source (sls-consumer) issues one token per emitted message and puts it on the message as a
// plain string (msg.sls.token), so it survives Node-RED's cloning and JSON. A delivering node
// (sls-syslog-out, sls-ack) claims the token when it takes the message and settles the claim once
// the bytes are written (or after a permanent, reported failure). The source learns of the
// settlement through the callback it gave to issue(), and only then may a checkpoint pass it.
//
// Rules (docs/architecture.md, "Delivery tokens"):
// - a token nobody claims within claimTimeoutMs counts as handled by the flow (filtered out),
//   so a Switch node cannot stall a shard;
// - a claimed token never expires: an outage stalls the shard instead of losing data;
// - fan-out: a token with several claims settles when all of them have settled;
// - the window holds at most maxInFlight unsettled records; sources wait for room before pulling;
// - a claimer that must give up before writing (its node is being redeployed) releases the claim:
//   the token then settles as "returned" and the source delivers those records again.
//
// Windows register in a process-wide registry so that any node of the same Node-RED runtime can
// find the window from the token alone.

import { randomBytes } from "node:crypto";

/**
 * How a token ended. "returned": a claimer gave it back unwritten, the records must be delivered
 * again; "cancelled": the window closed first. Neither may move a checkpoint past the records.
 */
export type Outcome = "delivered" | "failed" | "expired" | "cancelled" | "returned";

export interface DeliveryWindowOptions {
  /** Most unsettled records (sum of token weights) before waitForRoom() blocks. */
  maxInFlight: number;
  /** A token still unclaimed after this long counts as handled by the flow. 0 disables expiry. */
  claimTimeoutMs: number;
  /**
   * Flow control only (the source acknowledges on emit): a token weighs on the window from its
   * first claim until it settles, so the source stops while sinks hold maxInFlight records
   * unwritten (a SIEM outage), whatever the ack mode. Tokens nobody claims weigh nothing (a flow
   * without a delivering node runs at full speed) and at most max(10 000, maxInFlight) of them are
   * kept: older ones expire. A claim of an expired token returns null (that write goes unpaced).
   */
  claimedOnly?: boolean;
}

/** Unclaimed tokens a claimedOnly window keeps, at least (else maxInFlight). */
const MIN_UNCLAIMED = 10_000;

export interface WindowStats {
  inFlight: number;
  tokens: number;
  issued: number;
  delivered: number;
  failed: number;
  expired: number;
  returned: number;
}

/** A claim on a token, held by one delivering node until the write is done (call its methods on it). */
export interface Claim {
  readonly token: string;
  /** Settles this claim. An error marks a permanent, already reported failure. Idempotent. */
  settle(error?: Error): void;
  /** Gives the token back unwritten (e.g. the sink is closing): the source delivers it again. */
  release(): void;
}

/**
 * Called once when a token ends, with the `arg` it was issued with. It must not throw, nor claim or
 * settle this window's tokens: close() and sweep() end the tokens they listed, one after another.
 */
export type SettleHandler = (outcome: Outcome, arg: number, weight: number) => void;

/** A live token moved out of the ring (see DeliveryWindow.makeRoom). */
interface Straggler {
  weight: number;
  issuedAt: number;
  claims: number;
  failed: boolean;
  returned: boolean;
  /** The weight is in inFlight (from issue, or for claimedOnly windows from the first claim). */
  counted: boolean;
  onSettled: SettleHandler;
  arg: number;
}

const registry = new Map<string, DeliveryWindow>();
const SEP = ".";

// Flags of a ring slot.
const LIVE = 1;
const FAILED = 2;
const RETURNED = 4;
/** The weight is in inFlight (always, except unclaimed tokens of a claimedOnly window). */
const COUNTED = 8;

export class DeliveryWindow {
  readonly id: string;
  /** `id` + SEP: every token of this window starts with it. */
  readonly prefix: string;
  private readonly opts: DeliveryWindowOptions;
  // Live tokens are kept in a ring indexed by sequence number (slot = seq & mask), in parallel
  // arrays: a token costs no object and no hash-map entry, only its string. Every seq in
  // [base, nextSeq) has its slot; ended slots are cleared; nextSeq - base never exceeds the
  // capacity. A token still live when the ring must move on (a claim held through an outage
  // while the rest flows) waits in `stragglers` instead.
  private cap = 1024;
  private mask = 1023;
  private weights = new Int32Array(1024);
  private issuedAt = new Float64Array(1024);
  private claims = new Int32Array(1024);
  private flags = new Uint8Array(1024);
  private handlers: Array<SettleHandler | undefined> = new Array<SettleHandler | undefined>(1024);
  private args = new Float64Array(1024);
  private base = 1;
  private nextSeq = 1;
  /** Live tokens in the ring. */
  private live = 0;
  private readonly stragglers = new Map<number, Straggler>();
  private inFlightRecords = 0;
  private waiters: Array<() => void> = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private counts = { issued: 0, delivered: 0, failed: 0, expired: 0, returned: 0 };
  /** claimedOnly: live tokens not claimed yet, the most kept, and where the oldest may be (seq). */
  private unclaimed = 0;
  private readonly maxUnclaimed: number;
  private evictFrom = 1;

  constructor(opts: DeliveryWindowOptions) {
    if (!(opts.maxInFlight >= 1)) throw new RangeError(`maxInFlight must be >= 1, got ${opts.maxInFlight}`);
    if (!(opts.claimTimeoutMs >= 0)) throw new RangeError(`claimTimeoutMs must be >= 0, got ${opts.claimTimeoutMs}`);
    this.opts = { ...opts };
    this.maxUnclaimed = Math.max(MIN_UNCLAIMED, opts.maxInFlight);
    this.id = randomBytes(6).toString("hex");
    this.prefix = this.id + SEP;
    registry.set(this.id, this);
    if (opts.claimTimeoutMs > 0) {
      const every = Math.max(50, Math.min(1000, Math.floor(opts.claimTimeoutMs / 4)));
      this.sweepTimer = setInterval(() => this.sweep(Date.now()), every);
      this.sweepTimer.unref();
    }
  }

  get maxInFlight(): number {
    return this.opts.maxInFlight;
  }

  /** Unsettled records. */
  get inFlight(): number {
    return this.inFlightRecords;
  }

  get full(): boolean {
    return this.inFlightRecords >= this.opts.maxInFlight;
  }

  stats(): WindowStats {
    return { inFlight: this.inFlightRecords, tokens: this.live + this.stragglers.size, ...this.counts };
  }

  /**
   * Issues a token standing for `weight` records (1 per log; a batch message weighs its length).
   * `onSettled(outcome, arg)` runs exactly once, when the token is delivered, failed, expired or
   * cancelled: one handler can serve many tokens, told apart by `arg`.
   */
  issue(weight: number, onSettled: SettleHandler, arg = 0): string {
    if (this.closed) throw new Error("delivery window is closed");
    if (this.nextSeq - this.base >= this.cap) this.makeRoom();
    const seq = this.nextSeq++;
    const i = seq & this.mask;
    this.weights[i] = weight;
    this.issuedAt[i] = Date.now();
    this.claims[i] = 0;
    this.handlers[i] = onSettled;
    this.args[i] = arg;
    this.live++;
    this.counts.issued++;
    if (this.opts.claimedOnly !== true) {
      this.flags[i] = LIVE | COUNTED;
      this.inFlightRecords += weight;
    } else {
      this.flags[i] = LIVE;
      if (++this.unclaimed > this.maxUnclaimed) this.expireOldestUnclaimed();
    }
    return this.prefix + seq;
  }

  /** claimedOnly: expires the oldest token nobody claimed (stragglers first, then the ring). */
  private expireOldestUnclaimed(): void {
    for (const [seq, s] of this.stragglers) {
      if (!s.counted) {
        this.finish(seq, "expired");
        return;
      }
    }
    for (let seq = Math.max(this.base, this.evictFrom); seq < this.nextSeq; seq++) {
      // A claimed token stays claimed until it ends: the scan never needs to look behind it again.
      if ((this.flags[seq & this.mask] & (LIVE | COUNTED)) === LIVE) {
        this.evictFrom = seq + 1;
        this.finish(seq, "expired");
        return;
      }
    }
  }

  /** Resolves as soon as fewer than maxInFlight records are unsettled (at once if so now). */
  waitForRoom(): Promise<void> {
    if (!this.full || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Claims a token of this window; null when it is unknown or already settled. */
  claimSeq(seq: number): Claim | null {
    if (this.inRing(seq)) {
      const i = seq & this.mask;
      const f = this.flags[i];
      if ((f & LIVE) === 0) return null;
      this.claims[i]++;
      if ((f & COUNTED) === 0) {
        this.flags[i] = f | COUNTED;
        this.counted(this.weights[i]);
      }
      return new TokenClaim(this, seq);
    }
    const s = this.stragglers.get(seq);
    if (s === undefined) return null;
    s.claims++;
    if (!s.counted) {
      s.counted = true;
      this.counted(s.weight);
    }
    return new TokenClaim(this, seq);
  }

  /** `seq` has its slot in the ring; else it is a straggler, or ended, or was never issued. */
  private inRing(seq: number): boolean {
    return seq >= this.base && seq < this.nextSeq;
  }

  /** claimedOnly: a token's first claim puts its weight in the window. */
  private counted(weight: number): void {
    this.unclaimed--;
    this.inFlightRecords += weight;
  }

  /** @internal Ends one claim of a token (TokenClaim): the last one to end settles it. */
  endClaim(seq: number, how: "delivered" | "failed" | "returned"): void {
    // Fan-out: a return wins over a failure, a failure over a delivery (at-least-once: when in
    // doubt, deliver again). A token that already ended (e.g. the window closed meanwhile, and it
    // was cancelled) is not live any more: its claims change nothing.
    if (this.inRing(seq)) {
      const i = seq & this.mask;
      const f = this.flags[i];
      if ((f & LIVE) === 0) return;
      const nf = f | (how === "failed" ? FAILED : how === "returned" ? RETURNED : 0);
      this.flags[i] = nf;
      if (--this.claims[i] === 0) this.finish(seq, nf & RETURNED ? "returned" : nf & FAILED ? "failed" : "delivered");
      return;
    }
    const s = this.stragglers.get(seq);
    if (s === undefined) return;
    if (how === "failed") s.failed = true;
    if (how === "returned") s.returned = true;
    if (--s.claims === 0) this.finish(seq, s.returned ? "returned" : s.failed ? "failed" : "delivered");
  }

  /** Expires unclaimed tokens older than the claim timeout. Exposed for tests. */
  sweep(now: number): void {
    const limit = now - this.opts.claimTimeoutMs;
    const expired: number[] = [];
    // Both are in issue order: each scan stops at the first token that is too young.
    for (const [seq, s] of this.stragglers) {
      if (s.issuedAt > limit) break;
      if (s.claims === 0) expired.push(seq);
    }
    for (let seq = this.base; seq < this.nextSeq; seq++) {
      const i = seq & this.mask;
      if ((this.flags[i] & LIVE) === 0) continue;
      if (this.issuedAt[i] > limit) break;
      if (this.claims[i] === 0) expired.push(seq);
    }
    for (const seq of expired) this.finish(seq, "expired");
  }

  /**
   * Closes the window: later claims return null, waiters are released. Unsettled tokens are
   * cancelled (their callbacks run with "cancelled") so the source can drop its bookkeeping;
   * a cancelled token never moves a checkpoint.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    registry.delete(this.id);
    if (lastWindow === this) lastWindow = undefined;
    const open = [...this.stragglers.keys()];
    for (let seq = this.base; seq < this.nextSeq; seq++) if (this.flags[seq & this.mask] & LIVE) open.push(seq);
    for (const seq of open) this.finish(seq, "cancelled");
    this.releaseWaiters();
  }

  /** Ends live token `seq` with `outcome` and tells its handler. */
  private finish(seq: number, outcome: Outcome): void {
    let weight: number;
    let handler: SettleHandler;
    let arg: number;
    let counted: boolean;
    if (this.inRing(seq)) {
      const i = seq & this.mask;
      weight = this.weights[i];
      counted = (this.flags[i] & COUNTED) !== 0;
      handler = this.handlers[i]!;
      arg = this.args[i];
      this.flags[i] = 0;
      this.handlers[i] = undefined;
      this.live--;
      if (seq === this.base) this.advanceBase();
    } else {
      const s = this.stragglers.get(seq)!;
      this.stragglers.delete(seq);
      ({ weight, onSettled: handler, arg, counted } = s);
    }
    if (counted) this.inFlightRecords -= weight;
    else this.unclaimed--;
    if (outcome !== "cancelled") this.counts[outcome]++;
    try {
      handler(outcome, arg, weight);
    } finally {
      if (!this.full) this.releaseWaiters();
    }
  }

  /** Moves base past ended tokens. */
  private advanceBase(): void {
    while (this.base < this.nextSeq && (this.flags[this.base & this.mask] & LIVE) === 0) this.base++;
  }

  /**
   * The ring is full from base to nextSeq: grow it when most of it is live; else the oldest live
   * tokens (held far behind the rest, e.g. by a sink waiting for its SIEM) become stragglers.
   */
  private makeRoom(): void {
    this.advanceBase();
    if (this.nextSeq - this.base < this.cap) return;
    if (this.live * 2 >= this.cap) {
      this.grow();
      return;
    }
    const keep = this.cap >>> 1;
    while (this.nextSeq - this.base > keep) {
      const i = this.base & this.mask;
      if (this.flags[i] & LIVE) {
        const f = this.flags[i];
        this.stragglers.set(this.base, {
          weight: this.weights[i],
          issuedAt: this.issuedAt[i],
          claims: this.claims[i],
          failed: (f & FAILED) !== 0,
          returned: (f & RETURNED) !== 0,
          counted: (f & COUNTED) !== 0,
          onSettled: this.handlers[i]!,
          arg: this.args[i],
        });
        this.flags[i] = 0;
        this.handlers[i] = undefined;
        this.live--;
      }
      this.base++;
    }
    this.advanceBase();
  }

  private grow(): void {
    const cap = this.cap * 2;
    const mask = cap - 1;
    const weights = new Int32Array(cap);
    const issuedAt = new Float64Array(cap);
    const claims = new Int32Array(cap);
    const flags = new Uint8Array(cap);
    const handlers = new Array<SettleHandler | undefined>(cap);
    const args = new Float64Array(cap);
    const end = this.nextSeq;
    for (let seq = this.base; seq < end; seq++) {
      const i = seq & this.mask;
      const j = seq & mask;
      weights[j] = this.weights[i];
      issuedAt[j] = this.issuedAt[i];
      claims[j] = this.claims[i];
      flags[j] = this.flags[i];
      handlers[j] = this.handlers[i];
      args[j] = this.args[i];
    }
    Object.assign(this, { cap, mask, weights, issuedAt, claims, flags, handlers, args });
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

/** A claim as claimSeq hands it out: one object, no closures. */
class TokenClaim implements Claim {
  private done = false;

  constructor(
    private readonly win: DeliveryWindow,
    private readonly seq: number,
  ) {}

  get token(): string {
    return this.win.prefix + this.seq;
  }

  settle(error?: Error): void {
    this.end(error ? "failed" : "delivered");
  }

  release(): void {
    this.end("returned");
  }

  private end(how: "delivered" | "failed" | "returned"): void {
    if (this.done) return;
    this.done = true;
    this.win.endClaim(this.seq, how);
  }
}

/** The window of the last claimToken call: tokens mostly come from one window in a row. */
let lastWindow: DeliveryWindow | undefined;

/** The decimal sequence number at token[from..], or -1 when it is not one. */
function seqAt(token: string, from: number): number {
  const n = token.length - from;
  if (n < 1 || n > 15) return -1;
  // Only the form issue() writes: no leading zero, so "01" is not token 1.
  if (token.charCodeAt(from) === 48) return -1;
  let seq = 0;
  for (let i = from; i < token.length; i++) {
    const d = token.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    seq = seq * 10 + d;
  }
  return seq;
}

/**
 * Claims a token issued by any live window of this process. Returns null for a token that is
 * malformed, belongs to a closed window or another process, or was already settled/expired:
 * the caller then simply delivers without settling anything.
 */
export function claimToken(token: unknown): Claim | null {
  if (typeof token !== "string") return null;
  let win = lastWindow;
  if (win === undefined || !token.startsWith(win.prefix)) {
    const dot = token.lastIndexOf(SEP);
    if (dot <= 0) return null;
    win = registry.get(token.slice(0, dot));
    if (!win) return null;
    lastWindow = win;
  }
  const seq = seqAt(token, win.prefix.length);
  return seq < 0 ? null : win.claimSeq(seq);
}

/**
 * Holds the claims of a node that cannot deliver: its settings are invalid, or every record would
 * fail the same way. Nothing it holds is settled, so the source stops at its window and no
 * checkpoint passes those logs; when the node closes, release() gives them all back ("returned")
 * and the source reads them again once a fixed node is deployed. Bounded by the sources' windows.
 */
export class ClaimHolder {
  private claims: Claim[] = [];

  /** Claims and holds a message's token; false when there is nothing to hold (no live token). */
  hold(token: unknown): boolean {
    const claim = claimToken(token);
    if (!claim) return false;
    this.claims.push(claim);
    return true;
  }

  /** Claims held now. */
  get size(): number {
    return this.claims.length;
  }

  /** Gives every held token back to its source (each "returned"). */
  releaseAll(): void {
    const held = this.claims;
    this.claims = [];
    for (const c of held) c.release();
  }
}

// Delivery tokens: how a sink tells the source that a record has really been written.
//
// The source (sls-consumer) issues one token per emitted message and puts it on the message as a
// plain string (msg.sls.token), so it survives Node-RED's cloning and JSON. A delivering node
// (sls-syslog-out, sls-ack) claims the token when it takes the message and settles the claim once
// the bytes are written (or after a permanent, reported failure). The source learns of the
// settlement through the callback it gave to issue(), and only then may a checkpoint pass it.
//
// Rules (architecture.md, "Delivery tokens"):
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
}

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

interface Entry {
  weight: number;
  issuedAt: number;
  claims: number;
  failed: boolean;
  returned: boolean;
  /** finish() ran: later claim ends change nothing. */
  ended: boolean;
  onSettled: (outcome: Outcome) => void;
}

const registry = new Map<string, DeliveryWindow>();
const SEP = ".";

export class DeliveryWindow {
  readonly id: string;
  /** `id` + SEP: every token of this window starts with it. */
  readonly prefix: string;
  private readonly opts: DeliveryWindowOptions;
  private readonly entries = new Map<number, Entry>();
  private nextSeq = 1;
  private inFlightRecords = 0;
  private waiters: Array<() => void> = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private counts = { issued: 0, delivered: 0, failed: 0, expired: 0, returned: 0 };

  constructor(opts: DeliveryWindowOptions) {
    if (!(opts.maxInFlight >= 1)) throw new RangeError(`maxInFlight must be >= 1, got ${opts.maxInFlight}`);
    if (!(opts.claimTimeoutMs >= 0)) throw new RangeError(`claimTimeoutMs must be >= 0, got ${opts.claimTimeoutMs}`);
    this.opts = { ...opts };
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
    return { inFlight: this.inFlightRecords, tokens: this.entries.size, ...this.counts };
  }

  /**
   * Issues a token standing for `weight` records (1 per log; a batch message weighs its length).
   * `onSettled` runs exactly once, when the token is delivered, failed, expired or cancelled.
   */
  issue(weight: number, onSettled: (outcome: Outcome) => void): string {
    if (this.closed) throw new Error("delivery window is closed");
    const seq = this.nextSeq++;
    this.entries.set(seq, { weight, issuedAt: Date.now(), claims: 0, failed: false, returned: false, ended: false, onSettled });
    this.inFlightRecords += weight;
    this.counts.issued++;
    return this.prefix + seq;
  }

  /** Resolves as soon as fewer than maxInFlight records are unsettled (at once if so now). */
  waitForRoom(): Promise<void> {
    if (!this.full || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Claims a token of this window; null when it is unknown or already settled. */
  claimSeq(seq: number): Claim | null {
    const entry = this.entries.get(seq);
    if (!entry) return null;
    entry.claims++;
    return new TokenClaim(this, seq, entry);
  }

  /** @internal Ends one claim of an entry (TokenClaim): the last one to end settles the token. */
  endClaim(seq: number, entry: Entry, how: "delivered" | "failed" | "returned"): void {
    // The window closed meanwhile: the entry was already finished as "cancelled".
    if (entry.ended) return;
    // Fan-out: a return wins over a failure, a failure over a delivery (at-least-once: when in
    // doubt, deliver again).
    if (how === "failed") entry.failed = true;
    if (how === "returned") entry.returned = true;
    entry.claims--;
    if (entry.claims === 0) this.finish(seq, entry, entry.returned ? "returned" : entry.failed ? "failed" : "delivered");
  }

  /** Expires unclaimed tokens older than the claim timeout. Exposed for tests. */
  sweep(now: number): void {
    const limit = now - this.opts.claimTimeoutMs;
    // Entries iterate in issue order, so the scan stops at the first token that is too young.
    for (const [seq, entry] of this.entries) {
      if (entry.issuedAt > limit) break;
      if (entry.claims === 0) this.finish(seq, entry, "expired");
    }
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
    for (const [seq, entry] of this.entries) this.finish(seq, entry, "cancelled");
    this.releaseWaiters();
  }

  private finish(seq: number, entry: Entry, outcome: Outcome): void {
    entry.ended = true;
    this.entries.delete(seq);
    this.inFlightRecords -= entry.weight;
    if (outcome !== "cancelled") this.counts[outcome]++;
    try {
      entry.onSettled(outcome);
    } finally {
      if (!this.full) this.releaseWaiters();
    }
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
    private readonly entry: Entry,
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
    this.win.endClaim(this.seq, this.entry, how);
  }
}

/** The window of the last claimToken call: tokens mostly come from one window in a row. */
let lastWindow: DeliveryWindow | undefined;

/** The decimal sequence number at token[from..], or -1 when it is not one. */
function seqAt(token: string, from: number): number {
  const n = token.length - from;
  if (n < 1 || n > 15) return -1;
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

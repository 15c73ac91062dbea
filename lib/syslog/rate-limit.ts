// An events-per-second cap (token bucket): SIEMs such as QRadar and ArcSight are licensed by EPS.
// Nothing is dropped: a request beyond the rate waits, in order, until the bucket has refilled.
// The sink's sends then resolve later, its delivery tokens stay unsettled, the source's delivery
// window fills and the source stops pulling: the backlog stays in SLS.
//
// The bucket holds up to `burst` events and refills at `eps` per second. A request for n events
// goes when the bucket holds min(n, burst) and takes n (a batch larger than the burst leaves the
// bucket in debt, repaid before the next one goes), so the long-run rate never exceeds eps.

import { Fifo } from "./fifo";

export interface RateLimitOptions {
  /** Events per second. */
  eps: number;
  /** Most events at once after a quiet spell. Default: one second's worth (eps). */
  burst?: number;
  /** Clock in ms (tests). Default performance.now. */
  now?: () => number;
}

export interface RateLimitStats {
  eps: number;
  burst: number;
  /** Events waiting for the bucket. */
  waiting: number;
  /** Total ms during which events were held back. */
  limitedMs: number;
  /** Events held back at least once. */
  delayed: number;
}

interface Request {
  n: number;
  go: () => void;
}

export class RateLimit {
  readonly eps: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;
  private readonly queue = new Fifo<Request>();
  private waitingEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private limitedSince = -1;
  private limitedMs = 0;
  private delayed = 0;

  constructor(opts: RateLimitOptions) {
    if (!(opts.eps > 0)) throw new RangeError(`eps must be > 0, got ${opts.eps}`);
    this.eps = opts.eps;
    this.burst = Math.max(1, opts.burst ?? opts.eps);
    this.now = opts.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** True while events wait for the bucket. */
  get limited(): boolean {
    return this.queue.length > 0;
  }

  stats(): RateLimitStats {
    const open = this.limitedSince >= 0 ? this.now() - this.limitedSince : 0;
    return { eps: this.eps, burst: this.burst, waiting: this.waitingEvents, limitedMs: Math.round(this.limitedMs + open), delayed: this.delayed };
  }

  /**
   * Takes n events' worth. Returns null when they may go now (no promise, no allocation on the
   * fast path), else a promise that resolves when they may.
   */
  take(n: number): Promise<void> | null {
    this.refill();
    if (this.queue.length === 0 && this.tokens >= Math.min(n, this.burst)) {
      this.tokens -= n;
      return null;
    }
    if (this.limitedSince < 0) this.limitedSince = this.now();
    this.delayed += n;
    this.waitingEvents += n;
    return new Promise((go) => {
      this.queue.push({ n, go });
      this.schedule();
    });
  }

  /** Lets every waiting request go (the sink is closing; its sender decides what happens then). */
  releaseAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const r of this.queue.drain()) r.go();
    this.waitingEvents = 0;
    this.endLimited();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.eps) / 1000);
    this.last = t;
  }

  private schedule(): void {
    if (this.timer) return;
    const head = this.queue.peek();
    if (!head) return;
    const need = Math.min(head.n, this.burst) - this.tokens;
    const ms = Math.max(1, Math.ceil((need * 1000) / this.eps));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, ms);
  }

  private drain(): void {
    this.refill();
    let head = this.queue.peek();
    while (head && this.tokens >= Math.min(head.n, this.burst)) {
      this.queue.shift();
      this.tokens -= head.n;
      this.waitingEvents -= head.n;
      head.go();
      head = this.queue.peek();
    }
    if (this.queue.length === 0) this.endLimited();
    else this.schedule();
  }

  private endLimited(): void {
    if (this.limitedSince >= 0) this.limitedMs += this.now() - this.limitedSince;
    this.limitedSince = -1;
  }
}

// Capped exponential backoff with full jitter: spreads retries of many consumers (and shards)
// so a recovering server is not hit by a synchronised storm.

export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Largest delay, ms. */
  maxMs: number;
  /** Random source in [0,1); injectable for tests. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly opts: BackoffOptions) {
    if (!(opts.baseMs > 0) || !(opts.maxMs >= opts.baseMs)) throw new RangeError("backoff needs 0 < baseMs <= maxMs");
    this.random = opts.random ?? Math.random;
  }

  get attempts(): number {
    return this.attempt;
  }

  /**
   * Delay before the next retry: uniformly in [cap/2, cap] where cap doubles up to maxMs (or the
   * smaller `limitMs`, e.g. for transient errors that deserve a quicker retry).
   */
  next(limitMs = this.opts.maxMs): number {
    const cap = Math.min(this.opts.maxMs, limitMs, this.opts.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(cap / 2 + (cap / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after ms, or at once when the signal aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

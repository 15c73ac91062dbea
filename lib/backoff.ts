// Capped exponential backoff with jitter, for every retry loop in the package (SLS requests,
// syslog reconnects): a fleet of consumers or senders that lost the same server does not come back
// in lock-step, and a recovering server is not hit by a synchronised storm.

export interface BackoffOptions {
  /** First delay, ms. Default 250. */
  initialMs?: number;
  /** Largest delay, ms. Default 30 000. */
  maxMs?: number;
  /** Randomised fraction of each delay (0..1). Default 0.5: delay ∈ [d/2, d]. */
  jitter?: number;
}

/** Delay before retry number `failures` (1 = after the first failure), with `random` in [0,1). */
export function backoffDelay(failures: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = opts.initialMs ?? 250;
  const max = opts.maxMs ?? 30_000;
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.5));
  const d = Math.min(max, initial * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(d * (1 - jitter + jitter * random()));
}

/** The same schedule with its failure count kept: next() after each failure, reset() on success. */
export class Backoff {
  private failures = 0;
  private readonly random: () => number;

  constructor(private readonly opts: BackoffOptions & { random?: () => number }) {
    const initial = opts.initialMs ?? 250;
    if (!(initial > 0) || !((opts.maxMs ?? 30_000) >= initial)) throw new RangeError("backoff needs 0 < initialMs <= maxMs");
    this.random = opts.random ?? Math.random;
  }

  get attempts(): number {
    return this.failures;
  }

  /** Delay before the next retry; `limitMs` caps it below maxMs (e.g. for transient errors). */
  next(limitMs?: number): number {
    this.failures++;
    const maxMs = Math.min(this.opts.maxMs ?? 30_000, limitMs ?? Infinity);
    return backoffDelay(this.failures, { ...this.opts, maxMs }, this.random);
  }

  reset(): void {
    this.failures = 0;
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

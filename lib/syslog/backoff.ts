// Reconnect delays: capped exponential backoff with jitter, so a fleet of senders that lost the
// same receiver does not reconnect in lock-step.

export interface BackoffOptions {
  /** First delay. Default 250 ms. */
  initialMs?: number;
  /** Cap. Default 30 s. */
  maxMs?: number;
  /** Fraction of the delay that is randomised (0..1). Default 0.5: delay ∈ [d/2, d]. */
  jitter?: number;
}

/** Delay before attempt number `failures` (1 = after the first failure). */
export function backoffDelay(failures: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = opts.initialMs ?? 250;
  const max = opts.maxMs ?? 30_000;
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.5));
  const exp = Math.min(max, initial * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(exp * (1 - jitter * random()));
}

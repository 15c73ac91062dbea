// A histogram as plain numbers, kept by an engine and read only when metrics are collected: one
// short loop and three additions per observation, no allocation, no labels (the collector adds
// those). Bucket counts are per bucket here; the Prometheus form (cumulative, with +Inf) is built
// at collection time (lib/metrics/prometheus.ts).

/** Upper bounds, in seconds, for latencies of requests to SLS or a receiver: 5 ms .. 30 s. */
export const LATENCY_BOUNDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class HistogramCounts {
  /** counts[i]: observations <= bounds[i] and > bounds[i - 1]; the last entry counts those above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[] = LATENCY_BOUNDS) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }

  /** Cumulative counts per bound, then the total (the +Inf bucket). */
  cumulative(): number[] {
    const out = new Array<number>(this.counts.length);
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) out[i] = acc += this.counts[i];
    return out;
  }
}

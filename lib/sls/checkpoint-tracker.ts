// Per-shard checkpoint bookkeeping: a shard's checkpoint may only move to the next-cursor of the
// longest prefix of PullLogs batches whose every record has been settled downstream
// (architecture.md, "Delivery tokens"). Batches settle out of order; the checkpoint does not.

/** One PullLogs batch as the tracker sees it. */
export interface TrackedBatch {
  readonly nextCursor: string;
  /** Server receive time (unix s) of the batch's data, 0 when unknown: how close it is to its TTL. */
  readonly time: number;
  /** Records (tokens) issued for the batch and not yet settled. */
  outstanding: number;
  /** All records of the batch have been handed out; nothing more will be issued. */
  sealed: boolean;
  /** A token of the batch was cancelled: it can never settle (e.g. the window closed). */
  broken: boolean;
}

export class CheckpointTracker {
  private readonly batches: TrackedBatch[] = [];
  private settled: string;
  private committed: string | undefined;
  private waiters: Array<() => void> = [];

  /**
   * @param startCursor where reading starts
   * @param persisted true when startCursor came from the group's stored checkpoint
   */
  constructor(startCursor: string, persisted: boolean) {
    this.settled = startCursor;
    this.committed = persisted ? startCursor : undefined;
  }

  /** Next cursor of the longest fully settled prefix: what a commit would store now. */
  get settledCursor(): string {
    return this.settled;
  }

  get committedCursor(): string | undefined {
    return this.committed;
  }

  /** Batches not yet settled (including the one being emitted). */
  get pending(): number {
    return this.batches.length;
  }

  get needsCommit(): boolean {
    return this.settled !== this.committed;
  }

  /** Receive time (unix s) of the oldest batch not settled yet; undefined when none (or unknown). */
  get oldestPendingTime(): number | undefined {
    const t = this.batches[0]?.time;
    return t ? t : undefined;
  }

  /** Starts tracking a batch ending at `nextCursor`; batches must be added in shard order. */
  add(nextCursor: string, time = 0): TrackedBatch {
    const b: TrackedBatch = { nextCursor, time, outstanding: 0, sealed: false, broken: false };
    this.batches.push(b);
    return b;
  }

  /** One more record of `b` in flight. */
  issue(b: TrackedBatch): void {
    b.outstanding++;
  }

  /** A record of `b` settled (delivered, failed after report, or expired unclaimed). */
  settle(b: TrackedBatch): void {
    b.outstanding--;
    this.advance();
  }

  /** A record of `b` was cancelled: the batch must be read again by whoever owns the shard next. */
  cancel(b: TrackedBatch): void {
    b.outstanding--;
    b.broken = true;
  }

  /** Nothing more will be issued for `b`. */
  seal(b: TrackedBatch): void {
    b.sealed = true;
    this.advance();
  }

  /** Forgets a batch that was cut short (stop during emission): it will be read again. */
  drop(b: TrackedBatch): void {
    const i = this.batches.indexOf(b);
    if (i >= 0) this.batches.splice(i, 1);
    b.broken = true;
    this.advance();
  }

  markCommitted(cursor: string): void {
    this.committed = cursor;
  }

  /** Resolves when every tracked batch has settled (or at once if none is pending). */
  whenSettled(): Promise<void> {
    if (this.batches.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private advance(): void {
    let n = 0;
    while (n < this.batches.length) {
      const b = this.batches[n];
      if (!b.sealed || b.outstanding > 0 || b.broken) break;
      this.settled = b.nextCursor;
      n++;
    }
    if (n > 0) this.batches.splice(0, n);
    if (this.batches.length === 0 && this.waiters.length) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    }
  }
}

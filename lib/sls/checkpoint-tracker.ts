// Per-shard checkpoint bookkeeping: a shard's checkpoint may only move to the next-cursor of the
// longest prefix of PullLogs batches whose every record has been settled downstream
// (docs/architecture.md, "The checkpoint tracker"). Batches settle out of order; the checkpoint
// does not.

/**
 * One PullLogs batch as the tracker sees it: `groups` log groups in shard order, each settling on
 * its own, so a checkpoint can stop inside a batch (fewer duplicates after a restart). Per group:
 * records (tokens) issued and not yet settled; a prefix of the groups is sealed (nothing more will
 * be issued for them); a cancelled record breaks its group for good. Counters live in one typed
 * array and the groups' cursors are made only when a checkpoint is read (see settledCursor): a
 * batch costs a few objects however many groups it has.
 */
export class TrackedBatch {
  /** Records issued and not yet settled, per group. */
  readonly outstanding: Int32Array;
  /** Groups [0, sealed) are sealed. */
  sealed = 0;
  /** Groups [0, settled) are settled and passed by the checkpoint. */
  settled = 0;
  /** First group with a cancelled record (groups when none): the checkpoint can never pass it. */
  brokenAt: number;
  /** Groups tracked: all of them, or fewer once the batch was cut short (drop). */
  end: number;

  constructor(
    readonly groups: number,
    /** Cursor after the last group. */
    readonly nextCursor: string,
    /** Server receive time (unix s) of the batch's data, 0 when unknown: how close it is to its TTL. */
    readonly time: number,
    /** Cursor after group k (k < groups - 1: the next group's cursor). */
    private readonly after: (k: number) => string,
  ) {
    this.outstanding = new Int32Array(groups);
    this.brokenAt = groups;
    this.end = groups;
  }

  /** Cursor after group k. */
  cursorAfter(k: number): string {
    return k === this.groups - 1 ? this.nextCursor : this.after(k);
  }
}

const WHOLE = (): string => {
  throw new Error("internal: a one-group batch has no inner cursor");
};

export class CheckpointTracker {
  private readonly batches: TrackedBatch[] = [];
  /** The checkpoint a commit would store: `settled`, or the cursor after group settledGroup of settledBatch. */
  private settled: string;
  private settledBatch: TrackedBatch | undefined;
  private settledGroup = 0;
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
    if (this.settledBatch !== undefined) {
      this.settled = this.settledBatch.cursorAfter(this.settledGroup);
      this.settledBatch = undefined;
    }
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
    return this.settledCursor !== this.committed;
  }

  /** Receive time (unix s) of the oldest batch not settled yet; undefined when none (or unknown). */
  get oldestPendingTime(): number | undefined {
    const t = this.batches[0]?.time;
    return t ? t : undefined;
  }

  /** Starts tracking a batch of one unit ending at `nextCursor`; batches must be added in shard order. */
  add(nextCursor: string, time = 0): TrackedBatch {
    return this.addGroups(1, nextCursor, WHOLE, time);
  }

  /** Starts tracking a batch of `groups` log groups; group k < groups - 1 ends at after(k). */
  addGroups(groups: number, nextCursor: string, after: (k: number) => string, time = 0): TrackedBatch {
    const b = new TrackedBatch(groups, nextCursor, time, after);
    this.batches.push(b);
    return b;
  }

  /** One more record in flight, from each group first..last of `b` (a batch message may span groups). */
  issue(b: TrackedBatch, first = 0, last = first): void {
    for (let k = first; k <= last; k++) b.outstanding[k]++;
  }

  /** A record of groups first..last of `b` settled (delivered, failed after report, or expired unclaimed). */
  settle(b: TrackedBatch, first = 0, last = first): void {
    for (let k = first; k <= last; k++) b.outstanding[k]--;
    this.advance();
  }

  /**
   * A record whose groups start at `first` was cancelled: they must be read again by whoever owns
   * the shard next. It stays counted in `outstanding` (it never settles), and brokenAt says so.
   */
  cancel(b: TrackedBatch, first = 0): void {
    if (first < b.brokenAt) b.brokenAt = first;
  }

  /** Nothing more will be issued for the groups before `upTo` (default: all of them). */
  seal(b: TrackedBatch, upTo = b.groups): void {
    if (upTo <= b.sealed) return;
    b.sealed = Math.min(upTo, b.groups);
    this.advance();
  }

  /**
   * Forgets the groups of a batch from `from` on (default: all), cut short by a stop during
   * emission: they will be read again. Groups before `from` still settle as usual.
   */
  drop(b: TrackedBatch, from = 0): void {
    b.end = Math.min(b.end, Math.max(from, b.settled));
    if (b.end === 0) {
      const i = this.batches.indexOf(b);
      if (i >= 0) this.batches.splice(i, 1);
    }
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
      const before = b.settled;
      const stop = Math.min(b.sealed, b.brokenAt, b.end);
      while (b.settled < stop && b.outstanding[b.settled] === 0) b.settled++;
      if (b.settled > before) {
        this.settledBatch = b;
        this.settledGroup = b.settled - 1;
      }
      if (b.settled < b.end) break;
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

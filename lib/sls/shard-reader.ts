// Reads one shard for the consumer group: finds the start cursor (checkpoint, else the configured
// position), pulls batches with one prefetch in flight, hands each batch to the delivery callback
// under the window's backpressure, and keeps the shard's checkpoint tracker.

import { Backoff, sleep } from "../backoff";
import { CheckpointTracker } from "./checkpoint-tracker";
import type { PullResult, SlsApi } from "./client";
import { cursorNumber, cursorSequence } from "./cursor";
import { SlsError, hasCode, toSlsError } from "./errors";
import { logsInAll, type GroupList } from "./pull-decoder";
import { ShardCounters, type SettleOutcome } from "./shard-counters";
import { reached, shardEnd, type RangeEnd, type ShardEnd } from "./time-range";

export type StartPosition = { from: "begin" } | { from: "end" } | { from: "time"; time: number };

/** A PullLogs batch handed to the delivery callback. */
export interface Batch {
  shard: number;
  /** Cursor the batch was read from (= cursor of its first log group). */
  cursor: string;
  nextCursor: string;
  groups: GroupList;
  /** Total logs in all groups. */
  logCount: number;
  rawSize: number;
  /** Cursor of log group k (k = groups.length: the position after the last), when cursors are numeric. */
  cursorOf?: (k: number) => string;
}

/** What the delivery callback may do while emitting one batch. */
export interface DeliveryContext {
  /**
   * A token for a message of `weight` records taken from log groups firstGroup..lastGroup of the
   * batch (indexes into batch.groups); null when acknowledging on emit.
   */
  issue(weight: number, firstGroup: number, lastGroup?: number): string | null;
  /** Resolves when the delivery window has room again, or when the reader stops. */
  waitForRoom(): Promise<void>;
  /** True once the reader is stopping: emit nothing more. */
  readonly stopped: boolean;
  /** The delivery window is full now (false when acknowledging on emit). */
  readonly full: boolean;
}

/** Log groups in one PullLogs reply are at most 1000 (its count parameter): a token's groups fit in one number. */
const GROUPS = 65536;

export type Deliver = (batch: Batch, ctx: DeliveryContext) => void | Promise<void>;

/** The parts of the delivery window the reader needs (lib/delivery.ts DeliveryWindow fits). */
type Outcome = SettleOutcome;

export interface WindowLike {
  readonly full: boolean;
  readonly maxInFlight: number;
  /** Unsettled records now. */
  readonly inFlight: number;
  /** A token of `weight` records; `onSettled(outcome, arg, weight)` runs once when it ends. */
  issue(weight: number, onSettled: (outcome: Outcome, arg: number, weight: number) => void, arg?: number): string;
  waitForRoom(): Promise<void>;
}

export interface ShardReaderOptions {
  api: SlsApi;
  project: string;
  logstore: string;
  group: string;
  shard: number;
  start: StartPosition;
  deliver: Deliver;
  /** Undefined: no tokens, no backpressure beyond the event loop. */
  window?: WindowLike;
  /**
   * Acknowledge on emit: checkpoints pass records as they are emitted; the window (if any) only
   * paces emission (its tokens' outcomes are ignored).
   */
  ackOnEmit?: boolean;
  pullCount: number;
  query?: string;
  /** Sleep when the shard has no new data. */
  idlePollMs: number;
  /** Sleep after a small batch (< 100 groups and < 1 MiB), to spare requests at low volume. */
  smallBatchDelayMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  onError(e: SlsError, shard: number): void;
  /** The shard is readable again after errors. */
  onRecovered(shard: number): void;
  /** Number of shard readers of the consumer (they share the window). */
  readers(): number;
  /** Called when idle with unsaved progress, so the owner can commit early. */
  onIdle(reader: ShardReader): void;
  /** SLS expired data of the shard before it was read (reading resumes at the oldest retained). */
  onDataLoss?(loss: DataLoss): void;
  /** Where this shard's counts go (kept by the owner across re-assignments); a fresh set if absent. */
  counters?: ShardCounters;
  /** Unless idle at the end of the shard, ask for the end cursor this often to know the backlog (default 5 s). */
  lagProbeMs?: number;
  /** Read only up to the end of this time range (a backfill), then stop: see onDone. */
  end?: RangeEnd;
  /** With `end`: everything up to the end was read and has settled; the reader has stopped. */
  onDone?(reader: ShardReader): void;
  /** SLS left out logs it could not evaluate the SPL query on (x-log-failedlines). */
  onQueryFailures?(shard: number, logs: number): void;
}

/** Data SLS deleted (TTL) before this consumer read it. */
export interface DataLoss {
  shard: number;
  /** Where reading was, and where it resumes. */
  fromCursor: string;
  toCursor: string;
  /** Log groups skipped (cursors are consecutive per group); undefined when cursors are not numeric. */
  groups: number | undefined;
  /** Logs skipped, estimated from the shard's average logs per group; undefined when unknown. */
  logs: number | undefined;
}

/** Longest wait before retrying a transient error (PY and GO consumers sleep 5 s on throttling). */
export const TRANSIENT_RETRY_MAX_MS = 5000;

/**
 * Raw bytes a pull aims at, whatever the window. Each pull has a fixed CPU cost, so small pulls
 * waste CPU; bodies wait off-heap and are decoded group by group as they are emitted, so a bigger
 * pull does not keep more records alive. Figures: docs/performance.md, "Figures behind the code's constants".
 */
export const PULL_TARGET_BYTES = 1024 * 1024;

/**
 * Log groups to ask for in one pull: enough for about PULL_TARGET_BYTES of raw data, and at
 * least this reader's share of half the window, in logs. A pull's groups are decoded only when
 * emitted, so a waiting pull holds just its body (about 1 MB), not records: the window bounds
 * the records alive, the pull size only the per-request overhead. Averages 0 = not known yet.
 */
export function pullGroupCount(o: { maxInFlight: number; readers: number; pullCount: number; logsPerGroup: number; bytesPerGroup: number }): number {
  const logs = Math.max(200, o.maxInFlight / (2 * Math.max(1, o.readers)));
  const byLogs = Math.round(logs / (o.logsPerGroup || 100));
  const byBytes = o.bytesPerGroup > 0 ? Math.floor(PULL_TARGET_BYTES / o.bytesPerGroup) : 0;
  return Math.max(1, Math.min(o.pullCount, Math.max(byBytes, byLogs)));
}

/** Acknowledge on emit: a token only paces emission, its outcome moves nothing. */
const ignoreOutcome = (): void => undefined;

/** How far a shard's reader is behind, as the consumer's metrics report it. */
export interface ShardLag {
  /** Seconds since the oldest log not yet settled (or not yet read) reached SLS; 0 when all is delivered. */
  seconds: number;
  /**
   * Logs not yet settled: those in flight plus those still in SLS after the read position (up to the
   * shard's end, or a backfill's end). The latter are counted in log groups (cursors are numbered by
   * group) times the mean logs per group seen on this shard, refreshed every lagProbeMs (5 s)
   * unless the reader is idle at the end.
   */
  logs: number;
}

type PullOutcome = { ok: true; r: PullResult; logs: number } | { ok: false; e: SlsError };

export class ShardReader {
  readonly shard: number;
  tracker: CheckpointTracker | undefined;
  /** A sink gave records back unwritten: read again from the settled cursor. */
  private rewindPending = false;
  /** Logs emitted since the last stats read. */
  logs = 0;
  bytes = 0;
  readonly counters: ShardCounters;
  /** Receive time (unix s) of the data the last pull returned; 0 once the shard's end was reached. */
  private readTime = 0;
  /** The last pull reached the end of the shard (no backlog, as far as is known). */
  private caughtUp = false;
  /** Logs of a pulled batch waiting for room in the window; 0 when none. */
  private heldLogs = 0;
  /** Cursor after the last batch handed to the flow: the read position. */
  private readCursor: string | undefined;
  /** While a batch is being handed out: counters.issuedLogs when it started (its issued logs are no longer unread). */
  private emitStartIssued = -1;
  /** End of the shard (cursor number) as the last pull that reached it, or the last probe, saw it. */
  private endSeq: bigint | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  failing: SlsError | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly backoff: Backoff;
  /** Running average of logs per log group, to size pulls to the window. */
  private logsPerGroup = 0;
  /** Running average of raw bytes per log group. */
  private bytesPerGroup = 0;
  /** With a time range: the shard's end cursor (not final while the end time is still to come). */
  private rangeEnd: ShardEnd | undefined;
  /** The group's checkpoint was moved by someone else (a reset): read from here next. */
  private jump: string | undefined;
  /** With a time range: everything up to its end was read and settled. */
  finished = false;

  constructor(private readonly o: ShardReaderOptions) {
    this.shard = o.shard;
    this.backoff = new Backoff({ initialMs: o.retryBaseMs, maxMs: o.retryMaxMs });
    this.counters = o.counters ?? new ShardCounters();
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /**
   * Receive time (unix s) of the oldest data this reader has not settled: read and still in
   * flight, or next to read. That data is lost if the logstore's TTL passes before it settles.
   */
  get unsettledSince(): number | undefined {
    return this.tracker?.oldestPendingTime ?? (this.readTime || undefined);
  }

  /** How far behind this reader is now (computed on demand, for metrics and status). */
  lag(nowMs = Date.now()): ShardLag {
    const since = this.unsettledSince;
    const seconds = since !== undefined ? Math.max(0, Math.round(nowMs / 1000) - since) : 0;
    // Logs not issued yet: the groups from the read position (the batch being handed out, or the
    // next one) to the end (a backfill's, or the shard's), less what this batch has issued already.
    const read = this.readCursor === undefined ? undefined : cursorNumber(this.readCursor);
    const end = this.rangeEnd ? cursorNumber(this.rangeEnd.cursor) : this.endSeq;
    const groups = end !== undefined && read !== undefined && !this.finished ? Math.max(0, Number(end - read)) : 0;
    const issuedOfBatch = this.emitStartIssued < 0 ? 0 : this.counters.issuedLogs - this.emitStartIssued;
    const unread = Math.max(this.heldLogs, Math.round(groups * this.logsPerGroup) - issuedOfBatch, 0);
    return { seconds, logs: Math.max(0, this.counters.unsettledLogs) + unread };
  }

  /** The shard's end as a pull or a probe saw it (only ever moves forward). */
  private sawEnd(cursor: string): void {
    const n = cursorNumber(cursor);
    if (n !== undefined && (this.endSeq === undefined || n > this.endSeq)) this.endSeq = n;
  }

  /**
   * Unless the reader is idle at the end (it polls then, and sees new data itself) or reads a
   * backfill (its end is known), the end cursor tells how many log groups are still to read.
   */
  private probeEnd(): void {
    const idle = this.caughtUp && this.heldLogs === 0 && this.emitStartIssued < 0 && (this.tracker?.pending ?? 0) === 0;
    if (this.stopped || idle || this.rangeEnd) return;
    const { api, project, logstore, shard } = this.o;
    // Best effort: a failed probe leaves the last figure; pulls report SLS trouble on their own.
    api.getCursor(project, logstore, shard, "end").then(
      (c) => this.sawEnd(c),
      () => undefined,
    );
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run().catch((e) => this.o.onError(toSlsError(e, { shard: this.shard }), this.shard));
    this.probeTimer = setInterval(() => this.probeEnd(), this.o.lagProbeMs ?? 5_000);
    this.probeTimer.unref();
  }

  /** Stops pulling and emitting; resolves when the loop has exited (in-flight requests are abandoned). */
  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.probeTimer);
    await this.loop;
  }

  private async run(): Promise<void> {
    const first = await this.init();
    if (first === undefined) return;
    let cursor: string = (this.readCursor = first);
    let prefetch: Promise<PullOutcome> | undefined;
    while (!this.stopped) {
      if (this.rewindPending || this.jump !== undefined) {
        prefetch?.catch(() => undefined);
        prefetch = undefined;
        cursor = this.readCursor = this.jump !== undefined ? this.jumpTo(this.jump) : this.rewind();
      }
      if (this.rangeEnd && reached(cursor, this.rangeEnd.cursor)) {
        prefetch?.catch(() => undefined);
        prefetch = undefined;
        if (await this.atRangeEnd()) return;
        continue;
      }
      // A pull can take up to the read timeout: stop() must not wait for it.
      const out = await this.untilStopped(prefetch ?? this.pull(cursor));
      prefetch = undefined;
      if (out === undefined || this.stopped) return;
      if (!out.ok) {
        if (hasCode(out.e, "InvalidCursor")) {
          const reset = await this.recoverInvalidCursor(cursor, out.e);
          if (reset === undefined) return;
          cursor = this.readCursor = reset;
          continue;
        }
        this.fail(out.e);
        await sleep(this.retryDelay(out.e), this.abort.signal);
        continue;
      }
      this.recovered();
      const r: PullResult = out.r;
      if (r.failedLogs) this.o.onQueryFailures?.(this.shard, r.failedLogs);
      const tracker = this.tracker!;
      if (r.count === 0) {
        if (r.endOfCursor) {
          this.readTime = 0;
          this.caughtUp = true;
          this.sawEnd(r.nextCursor);
        }
        if (r.nextCursor !== cursor) {
          // An SPL filter may skip data without returning any: that progress is settled at once.
          tracker.seal(tracker.add(r.nextCursor));
          cursor = this.readCursor = r.nextCursor;
          continue;
        }
        // Nothing left before the range's end (cursors that are not numbers end here).
        if (this.rangeEnd) {
          if (await this.atRangeEnd()) return;
          continue;
        }
        if (tracker.needsCommit && tracker.pending === 0) this.o.onIdle(this);
        await sleep(this.o.idlePollMs, this.abort.signal);
        continue;
      }
      this.readTime = r.cursorTime;
      this.caughtUp = r.endOfCursor;
      if (r.endOfCursor) this.sawEnd(r.nextCursor);
      // Backpressure: hold this batch (and start no further pull) until the window has room.
      this.heldLogs = out.logs;
      await this.waitForRoom();
      this.heldLogs = 0;
      if (this.stopped) return;
      if (this.rewindPending || this.jump !== undefined) continue;
      // A full batch means a backlog: fetch the next one while this one is delivered. With an
      // SPL query what counts is what SLS read, not the few groups the statement let through.
      const large = (r.scanned?.groups ?? r.count) >= this.lastCount || (r.scanned?.bytes ?? r.rawSize) >= 1 << 20;
      if (large) prefetch = this.pull(r.nextCursor);
      await this.emit(cursor, r, tracker);
      cursor = this.readCursor = r.nextCursor;
      if (!large) await sleep(this.o.smallBatchDelayMs, this.abort.signal);
    }
  }

  /** Start cursor: the group's checkpoint, else the configured position. Retries until stopped. */
  private async init(): Promise<string | undefined> {
    const { api, project, logstore, group, shard } = this.o;
    while (!this.stopped) {
      try {
        const cps = await this.untilStopped(api.getCheckpoints(project, logstore, group, shard));
        if (cps === undefined) return undefined;
        const cp = cps.find((c) => c.shard === shard)?.checkpoint;
        const start = this.o.start;
        const cursor = cp || (await this.untilStopped(api.getCursor(project, logstore, shard, start.from === "time" ? start.time : start.from)));
        if (cursor === undefined) return undefined;
        if (this.o.end && !(await this.refreshRangeEnd())) return undefined;
        this.tracker = new CheckpointTracker(cursor, !!cp);
        return cursor;
      } catch (e) {
        const err = toSlsError(e, { project, logstore, shard });
        this.fail(err);
        await sleep(this.retryDelay(err), this.abort.signal);
      }
    }
    return undefined;
  }

  /**
   * The cursor left the retained range (data expired by TTL before we read it). Never jump to the
   * end: report the loss and resume at the oldest data still retained.
   */
  private async recoverInvalidCursor(cursor: string, e: SlsError): Promise<string | undefined> {
    const { api, project, logstore, shard } = this.o;
    while (!this.stopped) {
      try {
        const begin = await this.untilStopped(api.getCursor(project, logstore, shard, "begin"));
        if (begin === undefined) return undefined;
        const from = cursorNumber(cursor);
        const to = cursorNumber(begin);
        const groups = from !== undefined && to !== undefined && to > from ? Number(to - from) : undefined;
        if (groups !== undefined && this.logsPerGroup === 0 && !this.o.query) await this.sampleLogsPerGroup(begin);
        const logs = groups !== undefined && this.logsPerGroup > 0 ? Math.round(groups * this.logsPerGroup) : undefined;
        this.o.onDataLoss?.({ shard, fromCursor: cursor, toCursor: begin, groups, logs });
        const lost = groups === undefined ? "" : ` ${groups} log group(s)${logs === undefined ? "" : ` (about ${logs} logs)`} expired unread;`;
        // Reported like any failure, so the next good pull clears it (the loss stays in the stats).
        this.fail(
          new SlsError("InvalidCursor", `cursor ${cursor} is no longer retained:${lost} resuming at the oldest retained log group ${begin}`, {
            status: e.status,
            requestId: e.requestId,
            context: e.context,
            retryable: false,
          }),
        );
        return begin;
      } catch (err) {
        const e2 = toSlsError(err, { project, logstore, shard });
        this.fail(e2);
        await sleep(this.retryDelay(e2), this.abort.signal);
      }
    }
    return undefined;
  }

  /** Logs per group of the retained data (a reader that starts on an expired cursor has no average yet). */
  private async sampleLogsPerGroup(cursor: string): Promise<void> {
    const { api, project, logstore, shard } = this.o;
    try {
      const r = await this.untilStopped(api.pullLogs(project, logstore, shard, cursor, { count: 10 }));
      if (r && r.count > 0) {
        let logs = 0;
        logs += logsInAll(r.groups);
        this.logsPerGroup = logs / r.count;
      }
    } catch {
      // no estimate: the loss is reported in log groups only
    }
  }

  private async emit(cursor: string, r: PullResult, tracker: CheckpointTracker): Promise<void> {
    let logCount = 0;
    logCount += logsInAll(r.groups);
    // Track each log group on its own when cursors are numeric (every SDK relies on it), so a
    // checkpoint can stop inside a batch: fewer duplicates after a restart. Else the whole batch.
    const n = r.groups.length;
    // With an SPL query SLS leaves groups out, so these are lower bounds of the real positions:
    // a checkpoint may stop short of a log (read again after a restart), never pass one.
    const cursorOf = cursorSequence(cursor, n);
    const batch: Batch = { shard: this.shard, cursor, nextCursor: r.nextCursor, groups: r.groups, logCount, rawSize: r.rawSize, cursorOf };
    const perGroup = n > 1 && cursorOf !== undefined;
    const unit = perGroup ? tracker.addGroups(n, r.nextCursor, (k) => cursorOf(k + 1), r.cursorTime) : tracker.add(r.nextCursor, r.cursorTime);
    const win = this.o.window;
    const ackOnEmit = this.o.ackOnEmit === true;
    const reader = this;
    const counters = this.counters;
    // A token's bytes are its share of the pull's raw bytes: exact in sum once a pull has settled.
    const bytesPerLog = logCount > 0 ? r.rawSize / logCount : 0;
    // Groups before the one being issued from are complete: seal them as emission moves on.
    let sealed = 0;
    const sealBefore = (k: number): void => {
      if (k <= sealed) return;
      sealed = Math.min(k, unit.groups);
      tracker.seal(unit, sealed);
    };
    // One handler for every token of the batch: `arg` names its groups (first * GROUPS + last).
    const onSettled = (outcome: Outcome, arg: number, weight: number): void => {
      counters.settle(outcome, weight, weight * bytesPerLog);
      const first = Math.floor(arg / GROUPS);
      const last = arg - first * GROUPS;
      if (outcome === "cancelled" || outcome === "returned") tracker.cancel(unit, first);
      else tracker.settle(unit, first, last);
      // Returns of batches from before an earlier rewind are already being read again.
      if (outcome === "returned" && tracker === reader.tracker) reader.rewindPending = true;
    };
    const ctx: DeliveryContext = {
      issue(weight: number, firstGroup: number, lastGroup = firstGroup): string | null {
        if (perGroup) sealBefore(firstGroup);
        if (!win) return null;
        if (ackOnEmit) return win.issue(weight, ignoreOutcome);
        counters.issuedLogs += weight;
        const first = perGroup ? firstGroup : 0;
        const last = perGroup ? lastGroup : 0;
        tracker.issue(unit, first, last);
        return win.issue(weight, onSettled, first * GROUPS + last);
      },
      waitForRoom: () => this.waitForRoom(),
      get stopped() {
        return reader.stopped;
      },
      get full() {
        return win?.full ?? false;
      },
    };
    this.emitStartIssued = counters.issuedLogs;
    try {
      await this.o.deliver(batch, ctx);
    } finally {
      this.emitStartIssued = -1;
      // A batch cut short by stop() is never sealed, so the checkpoint stays before it.
      if (!this.stopped) tracker.seal(unit);
      else tracker.drop(unit, sealed);
    }
    this.logs += logCount;
    this.bytes += r.rawSize;
    counters.emittedLogs += logCount;
    counters.emittedBytes += r.rawSize;
  }

  /**
   * Starts reading again at the settled cursor after a sink returned records unwritten (its node
   * was redeployed while the SIEM was away). Batches after that point are delivered again:
   * duplicates, never a gap. The old tracker keeps the old batches' settlements away from the new.
   */
  private rewind(): string {
    const old = this.tracker!;
    const cursor = old.settledCursor;
    this.tracker = new CheckpointTracker(cursor, old.committedCursor === cursor);
    this.rewindPending = false;
    return cursor;
  }

  /** With a time range: `cursor` is at or past this shard's end cursor, and that end is final. */
  atEnd(cursor: string | undefined): boolean {
    return cursor !== undefined && this.rangeEnd?.final === true && reached(cursor, this.rangeEnd.cursor);
  }

  /** Reads from `cursor` next: the group's checkpoint was moved by someone else (e.g. a reset). */
  moveTo(cursor: string): void {
    this.jump = cursor;
    // A backfill reader that had finished reads again from there.
    if (this.finished && !this.stopped) {
      this.finished = false;
      this.loop = this.run().catch((e) => this.o.onError(toSlsError(e, { shard: this.shard }), this.shard));
    }
  }

  /** Starts over at a moved checkpoint; batches still in flight settle into the old tracker, unseen. */
  private jumpTo(cursor: string): string {
    this.tracker = new CheckpointTracker(cursor, true);
    this.jump = undefined;
    this.rewindPending = false;
    this.finished = false;
    return cursor;
  }

  /** Asks SLS for the range's end cursor of this shard (retrying until stopped); false once stopped. */
  private async refreshRangeEnd(): Promise<boolean> {
    const { api, project, logstore, shard, end } = this.o;
    while (!this.stopped) {
      try {
        const e = await this.untilStopped(shardEnd(api, project, logstore, shard, end!));
        if (e === undefined) return false;
        this.rangeEnd = e;
        this.recovered();
        return true;
      } catch (err) {
        const e2 = toSlsError(err, { project, logstore, shard, action: "GetCursor" });
        this.fail(e2);
        await sleep(this.retryDelay(e2), this.abort.signal);
      }
    }
    return false;
  }

  /**
   * Everything before the range's end cursor was read. While the end time is still to come the end
   * moves on: wait, ask again and read on. Once it is final, wait for what was read to settle,
   * then report done (true). A rewind or a moved checkpoint reads on (false).
   */
  private async atRangeEnd(): Promise<boolean> {
    if (!this.rangeEnd!.final) {
      await sleep(this.o.idlePollMs, this.abort.signal);
      await this.refreshRangeEnd();
      return false;
    }
    this.readTime = 0;
    while (!this.stopped && !this.rewindPending && this.jump === undefined) {
      if (this.tracker!.pending === 0) {
        this.finished = true;
        this.o.onDone?.(this);
        return true;
      }
      await sleep(this.o.idlePollMs, this.abort.signal);
    }
    return false;
  }

  /** The promise's value, or undefined as soon as the reader stops (a rejection still rejects). */
  private untilStopped<T>(p: Promise<T>): Promise<T | undefined> {
    const signal = this.abort.signal;
    if (signal.aborted) {
      p.catch(() => undefined);
      return Promise.resolve(undefined);
    }
    return new Promise<T | undefined>((resolve, reject) => {
      const onAbort = (): void => resolve(undefined);
      signal.addEventListener("abort", onAbort, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener("abort", onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener("abort", onAbort);
          if (signal.aborted) resolve(undefined);
          else reject(e);
        },
      );
    });
  }

  private waitForRoom(): Promise<void> {
    const win = this.o.window;
    if (!win || !win.full || this.stopped) return Promise.resolve();
    const signal = this.abort.signal;
    const t0 = performance.now();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal.removeEventListener("abort", done);
        this.counters.waitSeconds += (performance.now() - t0) / 1000;
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      void win.waitForRoom().then(done);
    });
  }

  private lastCount = 1;

  private countFor(): number {
    const o = this.o;
    return pullGroupCount({
      maxInFlight: o.window?.maxInFlight ?? 10_000,
      readers: o.readers(),
      pullCount: o.pullCount,
      logsPerGroup: this.logsPerGroup,
      bytesPerGroup: this.bytesPerGroup,
    });
  }

  private pull(cursor: string): Promise<PullOutcome> {
    const { api, project, logstore, shard, query } = this.o;
    const count = (this.lastCount = this.countFor());
    const t0 = performance.now();
    return api.pullLogs(project, logstore, shard, cursor, { count, query, endCursor: this.rangeEnd?.cursor }).then(
      (r): PullOutcome => {
        const c = this.counters;
        c.pullSeconds.observe((performance.now() - t0) / 1000);
        let logs = 0;
        if (r.count > 0) {
          logs += logsInAll(r.groups);
          c.pulledLogs += logs;
          c.pulledBytes += r.rawSize;
          const avg = logs / r.count;
          this.logsPerGroup = this.logsPerGroup ? this.logsPerGroup * 0.7 + avg * 0.3 : avg;
          const bytes = r.rawSize / r.count;
          this.bytesPerGroup = this.bytesPerGroup ? this.bytesPerGroup * 0.7 + bytes * 0.3 : bytes;
        }
        return { ok: true, r, logs };
      },
      (e): PullOutcome => ({ ok: false, e: toSlsError(e, { project, logstore, shard, action: "PullLogs" }) }),
    );
  }

  /** Transient failures (5xx, throttling, network) retry within seconds; others back off further. */
  private retryDelay(e: SlsError): number {
    return this.backoff.next(e.retryable ? TRANSIENT_RETRY_MAX_MS : undefined);
  }

  private fail(e: SlsError): void {
    this.failing = e;
    this.o.onError(e, this.shard);
  }

  private recovered(): void {
    this.backoff.reset();
    if (this.failing) {
      this.failing = undefined;
      this.o.onRecovered(this.shard);
    }
  }
}

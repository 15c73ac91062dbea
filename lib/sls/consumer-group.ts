// Consumer-group engine: joins an SLS consumer group, heartbeats, runs one ShardReader per shard
// the server assigns, commits checkpoints of settled progress, and hands shards back cleanly.
// Behaviour follows the official consumer libraries (docs/sls-protocol.md, "Consumer groups and
// heartbeats") with JC-style forceSuccess=false commits, so a consumer that lost a shard can never
// overwrite its new owner's checkpoint. Before each commit it checks that the server still holds
// its own last checkpoint: one moved by someone else (a reset, checkpoint-reset.ts) is adopted,
// never overwritten. With a time range (a backfill) each shard is read up to the range's end, then
// handed back; the group stops once every shard of the logstore reached the end (time-range.ts).

import { EventEmitter } from "node:events";
import { Backoff, sleep } from "../backoff";
import type { SlsApi } from "./client";
import { SlsError, hasCode, isOwnershipError, toSlsError } from "./errors";
import type { CheckpointInfo } from "./client";
import type { CheckpointTracker } from "./checkpoint-tracker";
import { COMMIT_CHECK_FRESH_MS, RESET_HOLD_MS } from "./checkpoint-reset";
import { messageDelivery, type MessageOutput } from "./consumer-messages";
import { RetentionWatch, type RetentionRisk } from "./retention";
import { ShardCounters } from "./shard-counters";
import { ShardReader, TRANSIENT_RETRY_MAX_MS, type DataLoss, type Deliver, type ShardLag, type StartPosition, type WindowLike } from "./shard-reader";
import { rangeProgress, type RangeEnd, type ShardProgress } from "./time-range";

export interface ConsumerGroupOptions {
  api: SlsApi;
  project: string;
  logstore: string;
  group: string;
  consumer: string;
  /** Where the logs go: sls-consumer's messages, handed to `messages.send` (consumer-messages.ts)... */
  messages?: MessageOutput;
  /** ...or, instead, each pulled batch as it is, to a callback of one's own. */
  deliver?: Deliver;
  /** Delivery window; undefined = acknowledge on emit without pacing. */
  window?: WindowLike;
  /** Checkpoints pass records as they are emitted; `window` then only paces emission (flow control). */
  ackOnEmit?: boolean;
  start?: StartPosition;
  /** Heartbeat interval (default 20 s). */
  heartbeatIntervalMs?: number;
  /** Group timeout in seconds: a silent consumer loses its shards after it (default 3 × heartbeat). */
  timeoutSec?: number;
  /** Order-preserving group: the server hands out children of split/merged shards after their parents. */
  order?: boolean;
  /** Commit settled checkpoints this often (default 10 s). */
  commitIntervalMs?: number;
  /** Log groups per PullLogs (1..1000). */
  pullCount?: number;
  /** SPL filter. */
  query?: string;
  idlePollMs?: number;
  smallBatchDelayMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long a released shard waits for its in-flight records to settle before committing. */
  releaseGraceMs?: number;
  /** Upper bound of stop(). */
  stopTimeoutMs?: number;
  /** JC semantics (false, default) reject commits from a consumer that no longer owns the shard. */
  forceSuccess?: boolean;
  /** Unless a shard's reader is idle at its end, ask for the end cursor this often to count the backlog (default 5 s). */
  lagProbeMs?: number;
  /** Warn when a shard's oldest unsettled data has used this share of the logstore's TTL (default 0.8). */
  retentionWarnAt?: number;
  /** A backfill: read each shard only up to this end time, then stop (events shardDone, done). */
  end?: RangeEnd;
  /** After adopting a checkpoint someone else moved, commit nothing for this long (checkpoint-reset.ts). */
  resetHoldMs?: number;
}

/** A shard of a backfill read up to the range's end, settled and committed. */
export interface ShardDone {
  shard: number;
  /** Logs this consumer read from the shard (since it got the shard). */
  logs: number;
  /** The committed checkpoint (the shard's end cursor for the range). */
  cursor: string;
}

/** Every shard of the logstore reached the range's end (whichever consumer read it). */
export interface RangeDone {
  /** Logs this consumer read, since it started. */
  logs: number;
  /** Shards this consumer finished, in order. */
  finished: ShardDone[];
  /** Every shard of the logstore as the server sees it. */
  shards: ShardProgress[];
}

/** The group's checkpoint of a shard was moved by someone else; reading goes on from there. */
export interface CheckpointMoved {
  shard: number;
  /** Where this consumer was (its settled position). */
  from: string;
  to: string;
}

/** One shard this consumer has read since it started: its counters, and its lag while held. */
export interface ShardStats {
  shard: number;
  /** The shard is assigned to this consumer now. */
  held: boolean;
  counters: ShardCounters;
  /** Undefined when the shard is not held. */
  lag: ShardLag | undefined;
}

export interface ConsumerGroupStats {
  shards: number[];
  logs: number;
  bytes: number;
  /** Largest lag over held shards, seconds (0 when caught up or no shard is held). */
  lagSec: number;
  /** The delivery window is full: readers are waiting for downstream settlement. */
  waiting: boolean;
  /** Latest unresolved error, if any. */
  error: SlsError | undefined;
  /** The shard closest to its logstore's TTL, when one is past the warning threshold. */
  retention: RetentionRisk | undefined;
  /** Logs (estimated) and log groups SLS expired before this consumer read them, since start. */
  expired: { logs: number; groups: number };
  /** Backfill: shards this consumer finished, and whether the whole range is done. */
  range?: { finished: number[]; done: boolean };
}

export interface ConsumerGroupEvents {
  /** A failure the user should see (Catch). Retries continue. */
  failure: [SlsError];
  /** All earlier failures resolved. */
  recovered: [];
  /** The set of held shards changed. */
  assigned: [number[]];
  /** A checkpoint was stored. */
  commit: [number, string];
  /** A shard's unsettled data is close to the logstore's TTL (repeated every 10 min while it lasts). */
  retention: [RetentionRisk];
  /** SLS expired data of a shard before it was read. */
  dataLoss: [DataLoss];
  /** A backfill's shard reached the end of the range (settled, committed, handed back). */
  shardDone: [ShardDone];
  /** A backfill is complete: every shard reached the end, and the group stopped (shards handed back). */
  done: [RangeDone];
  /** Someone else (a reset) moved a shard's checkpoint: this consumer reads from there. */
  moved: [CheckpointMoved];
  /** SLS left out logs of a shard it could not evaluate the SPL query on. */
  queryFailures: [{ shard: number; logs: number }];
}

const DEFAULTS = {
  start: { from: "begin" } as StartPosition,
  heartbeatIntervalMs: 20_000,
  commitIntervalMs: 10_000,
  pullCount: 1000,
  idlePollMs: 500,
  smallBatchDelayMs: 200,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  releaseGraceMs: 3_000,
  stopTimeoutMs: 10_000,
  forceSuccess: false,
  lagProbeMs: 5_000,
  order: false,
  retentionWarnAt: 0.8,
  resetHoldMs: RESET_HOLD_MS,
};

type Resolved = Required<Omit<ConsumerGroupOptions, "window" | "query" | "timeoutSec" | "messages" | "end" | "ackOnEmit">> &
  Pick<ConsumerGroupOptions, "window" | "query" | "end" | "ackOnEmit"> & { timeoutSec: number };

/** What the engine remembers of a reader's checkpoints, to tell its own from a moved one. */
interface CommitState {
  /** The last cursor sent in a commit (it may have been stored although the answer was lost). */
  attempted?: string;
  /** No commits before this time (ms): a moved checkpoint was just adopted. */
  holdUntil: number;
  /** The moved checkpoint last adopted (until the next own commit). */
  adopted?: string;
  /** The last cursor the server confirmed storing for this reader. */
  stored?: string;
}

export class ConsumerGroup extends EventEmitter<ConsumerGroupEvents> {
  private readonly o: Resolved;
  private readonly readers = new Map<number, ShardReader>();
  /** Shards being handed back: still listed in heartbeats until their checkpoint is stored. */
  private readonly releasing = new Map<number, Promise<void>>();
  private readonly abort = new AbortController();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private heartbeatRunning: Promise<void> | undefined;
  private heartbeatsDone = false;
  /** A heartbeat succeeded: the server knows this consumer. */
  private registered = false;
  private lastHeartbeatOk = Date.now();
  private error: SlsError | undefined;
  private readonly failingShards = new Set<number>();
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private logsBase = 0;
  private bytesBase = 0;
  /** Counters of every shard read since start (bounded by the shards of the logstore). */
  private readonly counters = new Map<number, ShardCounters>();
  /** Failures reported, by SLS error code (codes are SLS's or Node's: a bounded set). */
  private readonly failures = new Map<string, number>();
  private readonly retention: RetentionWatch;
  private readonly expired = { logs: 0, groups: 0 };
  private readonly commitState = new WeakMap<ShardReader, CommitState>();
  /** Backfill: shards this consumer finished (not read again when the server hands them out). */
  private readonly finished = new Map<number, ShardDone>();
  /** Backfill: final end cursors by shard, for the progress check. */
  private readonly ends = new Map<number, string>();
  private rangeCheck: Promise<void> | undefined;
  private rangeComplete = false;

  constructor(opts: ConsumerGroupOptions) {
    super();
    const hb = opts.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs;
    const o = { ...DEFAULTS, ...stripUndefined(opts) } as Resolved;
    o.timeoutSec = opts.timeoutSec ?? Math.max(1, Math.ceil((3 * hb) / 1000));
    o.pullCount = Math.min(1000, Math.max(1, o.pullCount));
    if ((opts.messages === undefined) === (opts.deliver === undefined)) throw new TypeError("give a consumer group either messages or deliver");
    if (opts.messages)
      o.deliver = messageDelivery({ project: opts.project, logstore: opts.logstore, consumerGroup: opts.group }, opts.messages, opts.window?.maxInFlight);
    this.o = o;
    const warnAt = o.retentionWarnAt;
    this.retention = new RetentionWatch({ api: o.api, project: o.project, logstore: o.logstore, warnAt, clearAt: Math.max(0, warnAt - 0.1) });
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Every shard read since start, by shard number, with the lag of those held now. */
  shardStats(now = Date.now()): ShardStats[] {
    return [...this.counters]
      .sort(([a], [b]) => a - b)
      .map(([shard, counters]) => {
        const r = this.readers.get(shard);
        return { shard, held: r !== undefined, counters, lag: r?.lag(now) };
      });
  }

  /** Failures reported so far, by error code. */
  failureCounts(): ReadonlyMap<string, number> {
    return this.failures;
  }

  /** The delivery window (undefined when acknowledging on emit). */
  get window(): WindowLike | undefined {
    return this.o.window;
  }

  /** Ensures the group and starts heartbeats; failures are reported and retried until stop(). */
  start(): Promise<void> {
    this.startPromise ??= this.run();
    return this.startPromise;
  }

  stats(): ConsumerGroupStats {
    let logs = this.logsBase;
    let bytes = this.bytesBase;
    let lag = 0;
    const now = Date.now();
    for (const r of this.readers.values()) {
      logs += r.logs;
      bytes += r.bytes;
      lag = Math.max(lag, r.lag(now).seconds);
    }
    return {
      shards: [...this.readers.keys()].sort((a, b) => a - b),
      logs,
      bytes,
      lagSec: lag,
      waiting: this.o.window?.full ?? false,
      error: this.error,
      retention: this.retention.worst(),
      expired: { ...this.expired },
      ...(this.o.end ? { range: { finished: [...this.finished.keys()].sort((a, b) => a - b), done: this.rangeComplete } } : {}),
    };
  }

  /**
   * Checks every held shard's checkpoint on the server now (a reset was just made from this
   * runtime): a moved one is adopted at once instead of at the next commit.
   */
  recheck(): Promise<void> {
    return this.commitAll();
  }

  /**
   * Graceful stop: stop reading, let in-flight records settle (bounded), commit what settled,
   * then hand every shard back with an empty heartbeat. Never takes longer than stopTimeoutMs.
   */
  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      this.abort.abort();
      clearInterval(this.commitTimer);
      const timeUp = new AbortController();
      const deadline = sleep(this.o.stopTimeoutMs, timeUp.signal);
      await Promise.race([
        (async () => {
          // Heartbeats go on while shards drain, so the server keeps them ours until committed.
          for (const shard of [...this.readers.keys()]) this.release(shard);
          await Promise.all(this.releasing.values());
          this.heartbeatsDone = true;
          clearTimeout(this.heartbeatTimer);
          await this.heartbeatRunning;
          if (this.registered) await this.callQuiet(() => this.o.api.heartbeat(this.o.project, this.o.logstore, this.o.group, this.o.consumer, []));
        })(),
        deadline,
      ]);
      timeUp.abort();
      this.heartbeatsDone = true;
      clearTimeout(this.heartbeatTimer);
    })();
    return this.stopPromise;
  }

  private async run(): Promise<void> {
    await this.ensureGroup();
    if (this.stopped) return;
    await this.heartbeat();
    if (this.stopped) return;
    this.commitTimer = setInterval(() => void this.commitAll(), this.o.commitIntervalMs);
  }

  private async ensureGroup(): Promise<void> {
    const { api, project, logstore, group, timeoutSec, order } = this.o;
    const backoff = new Backoff({ initialMs: this.o.retryBaseMs, maxMs: this.o.retryMaxMs });
    const want = { name: group, timeout: timeoutSec, order };
    while (!this.stopped) {
      try {
        const existing = (await api.listConsumerGroups(project, logstore)).find((g) => g.name === group);
        if (!existing) {
          try {
            await api.createConsumerGroup(project, logstore, want);
          } catch (e) {
            if (!hasCode(e, "ConsumerGroupAlreadyExist")) throw e;
          }
        } else if (existing.timeout !== timeoutSec || existing.order !== order) {
          await api.updateConsumerGroup(project, logstore, want);
        }
        this.resolveError(-1);
        return;
      } catch (e) {
        const err = toSlsError(e, { project, logstore, consumerGroup: group });
        this.report(err, -1);
        await sleep(backoff.next(err.retryable ? TRANSIENT_RETRY_MAX_MS : undefined), this.abort.signal);
      }
    }
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatsDone) return;
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), this.o.heartbeatIntervalMs);
  }

  private heartbeat(): Promise<void> {
    this.heartbeatRunning = this.doHeartbeat().finally(() => this.scheduleHeartbeat());
    return this.heartbeatRunning;
  }

  private async doHeartbeat(): Promise<void> {
    const { api, project, logstore, group, consumer } = this.o;
    const held = [...new Set([...this.readers.keys(), ...this.releasing.keys()])].sort((a, b) => a - b);
    let assigned: number[];
    try {
      assigned = await api.heartbeat(project, logstore, group, consumer, held);
      this.lastHeartbeatOk = Date.now();
      this.registered = true;
      this.resolveError(-2);
    } catch (e) {
      const err = toSlsError(e, { project, logstore, consumerGroup: group, action: "ConsumerGroupHeartBeat" });
      this.report(err, -2);
      // The server dropped us (timeout): hand everything back so the next heartbeat re-registers.
      const lost = hasCode(err, "NotExistConsumerWithBody") || Date.now() - this.lastHeartbeatOk > this.o.timeoutSec * 1000 + this.o.heartbeatIntervalMs;
      if (lost) for (const shard of [...this.readers.keys()]) this.release(shard, false);
      return;
    }
    if (this.stopped) return;
    const want = new Set(assigned);
    let changed = false;
    for (const [shard, reader] of [...this.readers]) {
      // A backfill's shard read to its end is handed back by finishShard (the server, seeing its
      // readonly shard at its end, may take it first).
      if (!want.has(shard) && !reader.finished) {
        this.release(shard);
        changed = true;
      }
    }
    for (const shard of want) {
      // A backfill's finished shards stay with the server (it hands them out until the group is
      // deleted): they are not read again, nor listed as held.
      if (!this.readers.has(shard) && !this.releasing.has(shard) && !this.finished.has(shard)) {
        this.startReader(shard);
        changed = true;
      }
    }
    if (changed)
      this.emit(
        "assigned",
        [...this.readers.keys()].sort((a, b) => a - b),
      );
    if (this.o.end && this.readers.size === 0) void this.checkRange();
    // Each heartbeat also looks at every shard's lag against the logstore's TTL (asked of SLS in the
    // background: a slow GetLogStore must never delay a heartbeat).
    void this.retention.refresh();
    for (const risk of this.retention.check(this.readers.values())) this.emit("retention", risk);
  }

  private startReader(shard: number): void {
    const o = this.o;
    const reader = new ShardReader({
      api: o.api,
      project: o.project,
      logstore: o.logstore,
      group: o.group,
      shard,
      start: o.start,
      deliver: o.deliver,
      window: o.window,
      ackOnEmit: o.ackOnEmit,
      pullCount: o.pullCount,
      query: o.query,
      idlePollMs: o.idlePollMs,
      smallBatchDelayMs: o.smallBatchDelayMs,
      retryBaseMs: o.retryBaseMs,
      retryMaxMs: o.retryMaxMs,
      onError: (e, s) => this.report(e, s),
      onRecovered: (s) => this.resolveError(s),
      onIdle: (r) => void this.commit(r),
      onDataLoss: (loss) => {
        this.expired.groups += loss.groups ?? 0;
        this.expired.logs += loss.logs ?? 0;
        if (!this.stopped) this.emit("dataLoss", loss);
      },
      onQueryFailures: (s, logs) => {
        if (!this.stopped) this.emit("queryFailures", { shard: s, logs });
      },
      readers: () => this.readers.size,
      counters: this.countersOf(shard),
      lagProbeMs: o.lagProbeMs,
      end: o.end,
      onDone: (r) => void this.finishShard(r),
    });
    this.readers.set(shard, reader);
    reader.start();
  }

  /** A backfill's shard was read to the range's end and settled: commit, hand it back, report. */
  private async finishShard(reader: ShardReader): Promise<void> {
    const backoff = new Backoff({ initialMs: this.o.retryBaseMs, maxMs: this.o.retryMaxMs });
    await this.commit(reader);
    while (!this.stopped && this.readers.get(reader.shard) === reader && reader.finished && reader.tracker?.needsCommit) {
      await sleep(backoff.next(TRANSIENT_RETRY_MAX_MS), this.abort.signal);
      await this.commit(reader);
    }
    // Lost meanwhile (another consumer owns it), or moved back by a reset and reading on.
    if (this.stopped || this.readers.get(reader.shard) !== reader || !reader.finished) return;
    await reader.stop();
    this.readers.delete(reader.shard);
    this.failingShards.delete(reader.shard);
    const logs = reader.logs;
    this.logsBase += reader.logs;
    this.bytesBase += reader.bytes;
    reader.logs = reader.bytes = 0;
    this.emit(
      "assigned",
      [...this.readers.keys()].sort((a, b) => a - b),
    );
    this.shardFinished(reader, logs);
    if (this.readers.size === 0) await this.checkRange();
  }

  /** Records and reports a backfill's shard this consumer read to the end and committed there (once). */
  private shardFinished(reader: ShardReader, logs: number): void {
    if (this.finished.has(reader.shard)) return;
    const done: ShardDone = { shard: reader.shard, logs, cursor: this.commitState.get(reader)?.stored ?? reader.tracker!.settledCursor };
    this.finished.set(reader.shard, done);
    this.emit("shardDone", done);
  }

  /**
   * Backfill: once this consumer holds no unfinished shard, asks the server where every shard
   * stands (other consumers of the group may still be reading). When all reached the end, the
   * range is done and the group stops (a final empty heartbeat hands everything back).
   */
  private checkRange(): Promise<void> {
    const end = this.o.end;
    // A shard still being handed back may yet turn out finished (release): its report comes first.
    if (!end || this.rangeComplete || this.stopped || this.releasing.size > 0) return Promise.resolve();
    this.rangeCheck ??= (async () => {
      const { api, project, logstore, group, start } = this.o;
      try {
        const p = await rangeProgress(api, { project, logstore, group, start: start.from === "time" ? start.time : start.from, end, ends: this.ends });
        this.resolveError(-3);
        // A finished shard the server shows before the end again was moved back (a reset): read it again.
        for (const s of p.shards) if (!s.done) this.finished.delete(s.shard);
        if (!p.done || this.stopped || this.readers.size > 0 || this.releasing.size > 0) return;
        this.rangeComplete = true;
        const finished = [...this.finished.values()].sort((a, b) => a.shard - b.shard);
        // Done means handed back too: the last (empty) heartbeat is sent before the event.
        await this.stop();
        this.emit("done", { logs: this.logsBase, finished, shards: p.shards });
      } catch (e) {
        this.report(toSlsError(e, { project, logstore, consumerGroup: group }), -3);
      }
    })().finally(() => {
      this.rangeCheck = undefined;
    });
    return this.rangeCheck;
  }

  /** Stops a shard's reader, waits (bounded) for its records to settle, commits, then forgets it. */
  private release(shard: number, commit = true): void {
    const reader = this.readers.get(shard);
    if (!reader || this.releasing.has(shard)) return;
    this.readers.delete(shard);
    const logs = reader.logs;
    this.logsBase += reader.logs;
    this.bytesBase += reader.bytes;
    reader.logs = reader.bytes = 0;
    this.failingShards.delete(shard);
    const p = (async () => {
      await reader.stop();
      if (reader.tracker) {
        const settled = new AbortController();
        await Promise.race([reader.tracker.whenSettled(), sleep(this.o.releaseGraceMs, settled.signal)]);
        settled.abort();
      }
      // A commit already on its way may be the one that stores the shard's end.
      await this.committing.get(reader);
      if (commit) await this.commit(reader);
      // A backfill's shard read to its end and committed there is done, even when the server took
      // it first: SLS hands out no readonly shard consumed to its end (a split's parent), and the
      // end's commit may come from the periodic commit, or a commit on its way when this consumer
      // was dropped, before the reader saw its last logs settle.
      if (this.o.end && !this.stopped && reader.atEnd(this.commitState.get(reader)?.stored)) this.shardFinished(reader, logs);
    })().finally(() => {
      this.releasing.delete(shard);
      if (!this.stopped)
        this.emit(
          "assigned",
          [...this.readers.keys()].sort((a, b) => a - b),
        );
      if (this.o.end && this.readers.size === 0 && this.releasing.size === 0) void this.checkRange();
    });
    this.releasing.set(shard, p);
  }

  private countersOf(shard: number): ShardCounters {
    let c = this.counters.get(shard);
    if (!c) this.counters.set(shard, (c = new ShardCounters()));
    return c;
  }

  /** One look at the group's checkpoints for every held shard, then each commit that is due. */
  private async commitAll(): Promise<void> {
    const readers = [...this.readers.values()];
    if (readers.length === 0) return;
    const { api, project, logstore, group } = this.o;
    let server: CheckpointInfo[];
    try {
      server = await api.getCheckpoints(project, logstore, group);
    } catch (e) {
      this.report(toSlsError(e, { project, logstore, consumerGroup: group, action: "GetCheckPoint" }), -4);
      return;
    }
    this.resolveError(-4);
    const checkedAt = Date.now();
    const byShard = new Map(server.map((c) => [c.shard, c]));
    await Promise.all(readers.map((r) => this.commit(r, { at: checkedAt, cp: byShard.get(r.shard) })));
  }

  /** Commits on their way, by reader. */
  private readonly committing = new Map<ShardReader, Promise<void>>();

  /**
   * Commits a reader's settled checkpoint, right after checking (`checked`, or a fresh look) that
   * the server still holds this consumer's own last checkpoint. If someone else moved it (a
   * reset), the reader adopts it instead and commits nothing for resetHoldMs; a commit is sent
   * only within COMMIT_CHECK_FRESH_MS of its check (checkpoint-reset.ts says why).
   */
  private commit(reader: ShardReader, checked?: { at: number; cp: CheckpointInfo | undefined }): Promise<void> {
    const t = reader.tracker;
    if (!t || this.committing.has(reader)) return Promise.resolve();
    const state = this.commitState.get(reader) ?? { holdUntil: 0 };
    this.commitState.set(reader, state);
    if (!checked && (!t.needsCommit || Date.now() < state.holdUntil)) return Promise.resolve();
    const p = this.checkAndCommit(reader, t, state, checked).finally(() => this.committing.delete(reader));
    this.committing.set(reader, p);
    return p;
  }

  private async checkAndCommit(
    reader: ShardReader,
    t: CheckpointTracker,
    state: CommitState,
    checked: { at: number; cp: CheckpointInfo | undefined } | undefined,
  ): Promise<void> {
    const { api, project, logstore, group, consumer, forceSuccess } = this.o;
    try {
      if (!checked) {
        try {
          const cps = await api.getCheckpoints(project, logstore, group, reader.shard);
          checked = { at: Date.now(), cp: cps.find((c) => c.shard === reader.shard) };
        } catch (e) {
          this.report(toSlsError(e, { project, logstore, shard: reader.shard, consumerGroup: group, action: "GetCheckPoint" }), reader.shard);
          return;
        }
      }
      const stored = checked.cp?.checkpoint ?? "";
      if (reader.tracker === t && stored !== "" && stored !== t.committedCursor && stored !== state.attempted) {
        // Moved by someone else: never commit over it; read from there (once per move).
        if (state.adopted !== stored) {
          state.adopted = stored;
          state.attempted = undefined;
          state.stored = undefined;
          state.holdUntil = Date.now() + this.o.resetHoldMs;
          const from = t.settledCursor;
          reader.moveTo(stored);
          this.emit("moved", { shard: reader.shard, from, to: stored });
        }
        return;
      }
      if (!t.needsCommit || Date.now() < state.holdUntil || Date.now() - checked.at > COMMIT_CHECK_FRESH_MS) return;
      const cursor = t.settledCursor;
      state.attempted = cursor;
      await api.updateCheckpoint(project, logstore, group, consumer, reader.shard, cursor, forceSuccess);
      t.markCommitted(cursor);
      reader.counters.commits++;
      state.stored = cursor;
      state.adopted = undefined;
      this.emit("commit", reader.shard, cursor);
    } catch (e) {
      const err = toSlsError(e, { project, logstore, shard: reader.shard, consumerGroup: group, action: "ConsumerGroupUpdateCheckPoint" });
      if (isOwnershipError(err)) {
        // Another consumer owns the shard now: stop at once, commit nothing more.
        t.markCommitted(t.settledCursor);
        if (this.readers.get(reader.shard) === reader) this.release(reader.shard, false);
      } else {
        this.report(err, reader.shard);
      }
    }
  }

  private async callQuiet<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch {
      return undefined;
    }
  }

  /** Records a failure of a shard (>= 0), the group setup (-1), the heartbeat (-2), the range check (-3) or the checkpoint check (-4). */
  private report(e: SlsError, source: number): void {
    // A misbehaving server could invent codes: past 50 distinct ones the rest count as "other".
    const code = this.failures.has(e.code) || this.failures.size < 50 ? e.code : "other";
    this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
    this.failingShards.add(source);
    this.error = e;
    if (!this.stopped) this.emit("failure", e);
  }

  private resolveError(source: number): void {
    if (!this.failingShards.delete(source)) return;
    if (this.failingShards.size === 0) {
      this.error = undefined;
      this.emit("recovered");
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

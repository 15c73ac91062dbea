// Consumer-group engine: joins an SLS consumer group, heartbeats, runs one ShardReader per shard
// the server assigns, commits checkpoints of settled progress, and hands shards back cleanly.
// Behaviour follows the official consumer libraries (sls-protocol.md §8) with JC-style
// forceSuccess=false commits, so a consumer that lost a shard can never overwrite its new
// owner's checkpoint.

import { EventEmitter } from "node:events";
import { Backoff, sleep } from "../backoff";
import type { SlsApi } from "./client";
import { SlsError, hasCode, isOwnershipError, toSlsError } from "./errors";
import { messageDelivery, type MessageOutput } from "./consumer-messages";
import { RetentionWatch, type RetentionRisk } from "./retention";
import { ShardReader, TRANSIENT_RETRY_MAX_MS, type DataLoss, type Deliver, type StartPosition, type WindowLike } from "./shard-reader";

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
  /** Delivery window; undefined = acknowledge on emit. */
  window?: WindowLike;
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
  /** Warn when a shard's oldest unsettled data has used this share of the logstore's TTL (default 0.8). */
  retentionWarnAt?: number;
}

export interface ConsumerGroupStats {
  shards: number[];
  logs: number;
  bytes: number;
  /** Largest known lag over held shards, seconds. */
  lagSec: number | undefined;
  /** The delivery window is full: readers are waiting for downstream settlement. */
  waiting: boolean;
  /** Latest unresolved error, if any. */
  error: SlsError | undefined;
  /** The shard closest to its logstore's TTL, when one is past the warning threshold. */
  retention: RetentionRisk | undefined;
  /** Logs (estimated) and log groups SLS expired before this consumer read them, since start. */
  expired: { logs: number; groups: number };
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
  order: false,
  retentionWarnAt: 0.8,
};

type Resolved = Required<Omit<ConsumerGroupOptions, "window" | "query" | "timeoutSec" | "messages">> &
  Pick<ConsumerGroupOptions, "window" | "query"> & { timeoutSec: number };

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
  private readonly retention: RetentionWatch;
  private readonly expired = { logs: 0, groups: 0 };

  constructor(opts: ConsumerGroupOptions) {
    super();
    const hb = opts.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs;
    const o = { ...DEFAULTS, ...stripUndefined(opts) } as Resolved;
    o.timeoutSec = opts.timeoutSec ?? Math.max(1, Math.ceil((3 * hb) / 1000));
    o.pullCount = Math.min(1000, Math.max(1, o.pullCount));
    if ((opts.messages === undefined) === (opts.deliver === undefined)) throw new TypeError("give a consumer group either messages or deliver");
    if (opts.messages) o.deliver = messageDelivery({ project: opts.project, logstore: opts.logstore, consumerGroup: opts.group }, opts.messages, opts.window?.maxInFlight);
    this.o = o;
    const warnAt = o.retentionWarnAt;
    this.retention = new RetentionWatch({ api: o.api, project: o.project, logstore: o.logstore, warnAt, clearAt: Math.max(0, warnAt - 0.1) });
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Ensures the group and starts heartbeats; failures are reported and retried until stop(). */
  start(): Promise<void> {
    this.startPromise ??= this.run();
    return this.startPromise;
  }

  stats(): ConsumerGroupStats {
    let logs = this.logsBase;
    let bytes = this.bytesBase;
    let lag: number | undefined;
    for (const r of this.readers.values()) {
      logs += r.logs;
      bytes += r.bytes;
      if (r.lagSec !== undefined) lag = Math.max(lag ?? 0, r.lagSec);
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
    };
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
    for (const shard of [...this.readers.keys()]) {
      if (!want.has(shard)) {
        this.release(shard);
        changed = true;
      }
    }
    for (const shard of want) {
      if (!this.readers.has(shard) && !this.releasing.has(shard)) {
        this.startReader(shard);
        changed = true;
      }
    }
    if (changed) this.emit("assigned", [...this.readers.keys()].sort((a, b) => a - b));
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
      readers: () => this.readers.size,
    });
    this.readers.set(shard, reader);
    reader.start();
  }

  /** Stops a shard's reader, waits (bounded) for its records to settle, commits, then forgets it. */
  private release(shard: number, commit = true): void {
    const reader = this.readers.get(shard);
    if (!reader || this.releasing.has(shard)) return;
    this.readers.delete(shard);
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
      if (commit) await this.commit(reader);
    })().finally(() => {
      this.releasing.delete(shard);
      if (!this.stopped) this.emit("assigned", [...this.readers.keys()].sort((a, b) => a - b));
    });
    this.releasing.set(shard, p);
  }

  private async commitAll(): Promise<void> {
    await Promise.all([...this.readers.values()].map((r) => this.commit(r)));
  }

  private readonly committing = new Set<ShardReader>();

  private async commit(reader: ShardReader): Promise<void> {
    const t = reader.tracker;
    if (!t || !t.needsCommit || this.committing.has(reader)) return;
    this.committing.add(reader);
    const cursor = t.settledCursor;
    const { api, project, logstore, group, consumer, forceSuccess } = this.o;
    try {
      await api.updateCheckpoint(project, logstore, group, consumer, reader.shard, cursor, forceSuccess);
      t.markCommitted(cursor);
      this.emit("commit", reader.shard, cursor);
    } catch (e) {
      const err = toSlsError(e, { project, logstore, shard: reader.shard, consumerGroup: group, action: "ConsumerGroupUpdateCheckPoint" });
      if (isOwnershipError(err)) {
        // Another consumer owns the shard now: stop at once, commit nothing more.
        t.markCommitted(cursor);
        if (this.readers.get(reader.shard) === reader) this.release(reader.shard, false);
      } else {
        this.report(err, reader.shard);
      }
    } finally {
      this.committing.delete(reader);
    }
  }

  private async callQuiet<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch {
      return undefined;
    }
  }

  /** Records a failure of a shard (>= 0), the group setup (-1) or the heartbeat (-2). */
  private report(e: SlsError, source: number): void {
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

// A logstore: settings, shards (with split/merge), PutLogs routing, reads and its consumer groups.

import { encodeLogGroup, encodeLogGroupList, decodeLogGroup, CodecError } from "../lib/sls/log-group-codec";
import { ConsumerGroup, ConsumerGroupMeta, Checkpoint } from "./consumer-group";
import type { ShardView } from "./coordinator";
import { errors } from "./errors";
import { MAX_KEY, MIN_KEY, inRange, isKey, splitRange } from "./keys";
import { lz4Piece } from "./lz4-concat";
import { ReadResult, Shard, ShardMeta } from "./shard";

export const MAX_CONSUMER_GROUPS = 30;
export const MAX_LOGS_PER_GROUP = 512_000;

export interface LogstoreSettings {
  ttl: number;
  autoSplit: boolean;
  maxSplitShard: number;
  appendMeta: boolean;
  enable_tracking: boolean;
  telemetryType: string;
  mode: string;
  hot_ttl: number;
}

export interface LogstoreMeta extends LogstoreSettings {
  logstoreName: string;
  createTime: number;
  lastModifyTime: number;
  shards: ShardMeta[];
  groups: ConsumerGroupMeta[];
}

/** What a logstore tells the outside world (persistence) about its changes. */
export interface LogstoreListener {
  changed(ls: Logstore): void;
  appended(ls: Logstore, shard: Shard, seq: number, bytes: Buffer, receiveTime: number): void;
  checkpoint(ls: Logstore, group: string, cp: Checkpoint): void;
  /** Old groups were dropped from the front of a shard (TTL or size cap). */
  trimmed(ls: Logstore, shard: Shard): void;
}

export type PutTarget = { kind: "lb" } | { kind: "hash"; key: string } | { kind: "shard"; id: number };

export const DEFAULT_SETTINGS: LogstoreSettings = {
  ttl: 30,
  autoSplit: false,
  maxSplitShard: 64,
  appendMeta: false,
  enable_tracking: false,
  telemetryType: "None",
  mode: "standard",
  hot_ttl: 30,
};

export class Logstore {
  readonly shards = new Map<number, Shard>();
  readonly groups = new Map<string, ConsumerGroup>();
  settings: LogstoreSettings;
  lastModifyTime: number;
  private rr = 0;

  constructor(
    readonly project: string,
    readonly name: string,
    settings: Partial<LogstoreSettings>,
    readonly createTime: number,
    private readonly now: () => number,
    private readonly maxShardBytes: number,
    readonly listener?: LogstoreListener,
    /** Compress groups for PullLogs on write, so reads are concatenation (else on first read). */
    private readonly precompress = true,
  ) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    this.lastModifyTime = createTime;
  }

  /** Creates `count` readwrite shards 0..n-1 over the whole key space. */
  initShards(count: number): void {
    splitRange(MIN_KEY, MAX_KEY, count).forEach(([b, e], i) => {
      this.shards.set(i, new Shard(i, b, e, this.createTime));
    });
  }

  static fromMeta(project: string, m: LogstoreMeta, now: () => number, maxShardBytes: number, listener?: LogstoreListener, precompress = true): Logstore {
    const { logstoreName, createTime, lastModifyTime, shards, groups, ...settings } = m;
    const ls = new Logstore(project, logstoreName, settings, createTime, now, maxShardBytes, listener, precompress);
    ls.lastModifyTime = lastModifyTime;
    for (const s of shards) ls.shards.set(s.shardID, Shard.fromMeta(s));
    for (const g of groups) {
      const cg = new ConsumerGroup(g.name, g.timeout, g.order, now);
      for (const cp of g.checkpoints) cg.restore(cp);
      ls.groups.set(g.name, cg);
    }
    return ls;
  }

  meta(): LogstoreMeta {
    return {
      logstoreName: this.name,
      ...this.settings,
      createTime: this.createTime,
      lastModifyTime: this.lastModifyTime,
      shards: [...this.shards.values()].map((s) => s.meta()),
      groups: [...this.groups.values()].map((g) => g.meta()),
    };
  }

  describe(): Record<string, unknown> {
    return {
      logstoreName: this.name,
      ...this.settings,
      shardCount: this.writableShards().length,
      createTime: this.createTime,
      lastModifyTime: this.lastModifyTime,
      productType: "",
    };
  }

  update(settings: Partial<LogstoreSettings>): void {
    this.settings = { ...this.settings, ...settings };
    this.lastModifyTime = this.nowS();
    this.listener?.changed(this);
  }

  private nowS(): number {
    return Math.floor(this.now() / 1000);
  }

  shard(id: number | string): Shard {
    const n = typeof id === "number" ? id : /^[0-9]+$/.test(id) ? Number(id) : NaN;
    const s = this.shards.get(n);
    if (!s) throw errors.shardNotExist(id);
    this.expire(s);
    return s;
  }

  listShards(): Shard[] {
    this.retireReadonly();
    return [...this.shards.values()].sort((a, b) => a.id - b.id);
  }

  /** Readonly shards stay listed until their data has expired (TTL counted from becoming readonly). */
  private retireReadonly(): void {
    const cutoff = this.nowS() - this.settings.ttl * 86400;
    let gone = false;
    for (const s of this.shards.values()) {
      if (!s.readonly || s.readonlySince === undefined || s.readonlySince >= cutoff) continue;
      this.expire(s);
      if (s.groupCount === 0) {
        this.shards.delete(s.id);
        gone = true;
      }
    }
    if (gone) this.listener?.changed(this);
  }

  writableShards(): Shard[] {
    return this.listShards().filter((s) => !s.readonly);
  }

  private nextShardId(): number {
    return Math.max(-1, ...this.shards.keys()) + 1;
  }

  /** Splits a readwrite shard at `key` or into `count` parts; returns [parent, ...children]. */
  split(id: number | string, opts: { key?: string; count?: number }): Shard[] {
    const parent = this.shard(id);
    if (parent.readonly) throw errors.shardReadOnly(parent.id);
    let ranges: Array<[string, string]>;
    if (opts.key !== undefined) {
      const key = opts.key.toLowerCase();
      if (!isKey(key) || key <= parent.beginKey || key >= parent.endKey) {
        throw errors.parameterInvalid(`split key ${opts.key} is not inside shard ${parent.id}'s range`);
      }
      ranges = [
        [parent.beginKey, key],
        [key, parent.endKey],
      ];
    } else {
      const count = opts.count ?? 2;
      if (!Number.isInteger(count) || count < 2 || count > 64) {
        throw errors.parameterInvalid(`shardCount must be an integer in 2..64`);
      }
      ranges = splitRange(parent.beginKey, parent.endKey, count);
    }
    const now = this.nowS();
    let next = this.nextShardId();
    const children = ranges.map(([b, e]) => new Shard(next++, b, e, now, [parent.id]));
    parent.seal(now);
    for (const c of children) this.shards.set(c.id, c);
    this.lastModifyTime = now;
    this.listener?.changed(this);
    return [parent, ...children];
  }

  /** Merges a readwrite shard with its right neighbour; returns [merged, left, right]. */
  merge(id: number | string): Shard[] {
    const left = this.shard(id);
    if (left.readonly) throw errors.shardReadOnly(left.id);
    const right = this.writableShards().find((s) => s.beginKey === left.endKey);
    if (!right) throw errors.parameterInvalid(`shard ${left.id} has no adjacent readwrite shard to merge with`);
    const now = this.nowS();
    const merged = new Shard(this.nextShardId(), left.beginKey, right.endKey, now, [left.id, right.id]);
    left.seal(now);
    right.seal(now);
    this.shards.set(merged.id, merged);
    this.lastModifyTime = now;
    this.listener?.changed(this);
    return [merged, left, right];
  }

  private route(target: PutTarget): Shard {
    const writable = this.writableShards();
    if (writable.length === 0) throw errors.logStoreWithoutShard(this.name);
    switch (target.kind) {
      case "lb":
        return writable[this.rr++ % writable.length];
      case "hash": {
        if (!isKey(target.key)) throw errors.parameterInvalid(`hash key ${target.key} must be 32 hex digits`);
        const s = writable.find((w) => inRange(target.key, w.beginKey, w.endKey));
        if (!s) throw errors.shardNotExist(target.key);
        return s;
      }
      case "shard": {
        const s = this.shard(target.id);
        if (s.readonly) throw errors.shardReadOnly(s.id);
        return s;
      }
    }
  }

  /**
   * Stores one serialized LogGroup: validates it, appends the server tags (`__receive_time__`,
   * `__client_ip__` with appendMeta) as extra protobuf fields, so the stored bytes are exactly what
   * PullLogs returns. Returns the shard and the new group's seq.
   */
  /**
   * `receivedAt` (unix s; tests only) backdates the write, e.g. to data near the end of its
   * retention; receive times still never go backwards within a shard.
   */
  put(target: PutTarget, body: Buffer, clientIp?: string, receivedAt?: number): { shard: Shard; seq: number; logs: number } {
    let logs: number;
    try {
      logs = decodeLogGroup(body).logs.length;
    } catch (e) {
      if (e instanceof CodecError) throw errors.postBodyInvalid(`invalid LogGroup: ${e.message}`);
      throw e;
    }
    if (logs > MAX_LOGS_PER_GROUP) throw errors.postBodyTooLarge(`a log group holds at most ${MAX_LOGS_PER_GROUP} logs`);
    const shard = this.route(target);
    const receiveTime = Math.max(receivedAt ?? this.nowS(), shard.lastReceiveTime);
    const tags: Array<[string, string]> = [["__receive_time__", String(receiveTime)]];
    if (this.settings.appendMeta && clientIp) tags.push(["__client_ip__", clientIp]);
    const stored = Buffer.concat([body, encodeLogGroup({ logs: [], tags })]);
    const seq = shard.append(stored, receiveTime, this.precompress ? lz4Piece(encodeLogGroupList([stored])) : undefined);
    this.listener?.appended(this, shard, seq, stored, receiveTime);
    this.expire(shard);
    return { shard, seq, logs };
  }

  /** Applies TTL and the size cap to a shard. */
  expire(shard: Shard): void {
    if (shard.trim(this.nowS() - this.settings.ttl * 86400, this.maxShardBytes) > 0) this.listener?.trimmed(this, shard);
  }

  /** GetCursor: `begin`, `end` or unix seconds (first group received at or after it). */
  cursorFrom(shardId: number | string, from: string): string {
    const s = this.shard(shardId);
    if (from === "begin") return s.cursor(s.firstSeq);
    if (from === "end") return s.cursor(s.endSeq);
    if (!/^[0-9]+$/.test(from)) throw errors.parameterInvalid(`from must be begin, end or a unix time: ${from}`);
    return s.cursor(s.seqAtTime(Number(from)));
  }

  /** GetCursorTime: receive time of the group at the cursor (last group's at end, now if empty). */
  cursorTime(shardId: number | string, cursor: string): number {
    const s = this.shard(shardId);
    const seq = s.seqOf(cursor);
    if (s.groupCount === 0) return this.nowS();
    return s.at(Math.min(seq, s.endSeq - 1)).receiveTime;
  }

  pull(shardId: number | string, cursor: string, count: number, endCursor: string | undefined, maxBytes: number): ReadResult & { shard: Shard } {
    const s = this.shard(shardId);
    const from = s.seqOf(cursor);
    const stop = endCursor ? s.seqOf(endCursor) : Number.MAX_SAFE_INTEGER;
    return { ...s.read(from, count, Math.max(stop, from), maxBytes), shard: s };
  }

  // ---- consumer groups ----

  group(name: string): ConsumerGroup {
    const g = this.groups.get(name);
    if (!g) throw errors.consumerGroupNotExist(name);
    return g;
  }

  createGroup(name: string, timeout: number, order: boolean): ConsumerGroup {
    if (this.groups.has(name)) throw errors.consumerGroupAlreadyExist(name);
    if (this.groups.size >= MAX_CONSUMER_GROUPS) throw errors.consumerGroupQuotaExceed(MAX_CONSUMER_GROUPS);
    const g = new ConsumerGroup(name, timeout, order, this.now);
    this.groups.set(name, g);
    this.listener?.changed(this);
    return g;
  }

  updateGroup(name: string, opts: { timeout?: number; order?: boolean }): void {
    this.group(name).update(opts);
    this.listener?.changed(this);
  }

  deleteGroup(name: string): void {
    this.group(name);
    this.groups.delete(name);
    this.listener?.changed(this);
  }

  /** Shard views for the coordinator: a readonly shard is finished once consumed to its end. */
  shardViews(group: ConsumerGroup): ShardView[] {
    return this.listShards().map((s) => {
      this.expire(s);
      let finished = false;
      if (s.readonly) {
        if (s.groupCount === 0) finished = true;
        else {
          const cp = group.checkpoints.get(s.id)?.checkpoint;
          if (cp) {
            try {
              finished = s.seqOf(cp) === s.endSeq;
            } catch {
              finished = false;
            }
          }
        }
      }
      return { id: s.id, finished, parents: s.parents };
    });
  }

  heartbeat(groupName: string, consumer: string, held: readonly number[]): number[] {
    const g = this.group(groupName);
    return g.heartbeat(consumer, held, this.shardViews(g));
  }

  commit(groupName: string, shardId: number, checkpoint: string, consumer: string, force: boolean): void {
    const g = this.group(groupName);
    this.shard(shardId);
    const cp = g.commit(shardId, checkpoint, consumer, force);
    this.listener?.checkpoint(this, groupName, cp);
  }

  /** GetCheckPoint: every existing shard (or the one asked for), empty checkpoint if uncommitted. */
  checkpoints(groupName: string, shardId?: number): Checkpoint[] {
    const g = this.group(groupName);
    const ids = shardId === undefined ? this.listShards().map((s) => s.id) : this.shards.has(shardId) ? [shardId] : [];
    return ids.map((id) => g.checkpoints.get(id) ?? { shard: id, checkpoint: "", consumer: "", updateTime: 0 });
  }
}

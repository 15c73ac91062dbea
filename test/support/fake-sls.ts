// In-memory stand-in for SlsApi: enough SLS semantics (cursors, checkpoints with ownership,
// heartbeat assignment) to unit-test the consumer-group engine without HTTP.

import type { CheckpointInfo, ConsumerGroupInfo, PullOptions, PullResult, ShardInfo, SlsApi } from "../../lib/sls/client";
import { SlsError } from "../../lib/sls/errors";
import type { LogGroup } from "../../lib/sls/log-group-codec";
import { toRecordGroup } from "../../lib/sls/pull-decoder";

const BASE = 1_700_000_000_000_000_000n;
const enc = (i: number): string => Buffer.from((BASE + BigInt(i)).toString()).toString("base64");
const dec = (c: string): number => {
  const s = Buffer.from(c, "base64").toString();
  if (!/^\d+$/.test(s)) throw new SlsError("ParameterInvalid", "bad cursor", { status: 400 });
  return Number(BigInt(s) - BASE);
};

export type Action = keyof SlsApi;

export class FakeSls implements SlsApi {
  shards = new Map<number, LogGroup[]>();
  /** Receive time (unix s) of each stored group, by shard (0 when written without one). */
  times = new Map<number, number[]>();
  /** First retained index per shard (for InvalidCursor tests). */
  begin = new Map<number, number>();
  groups = new Map<string, ConsumerGroupInfo>();
  checkpoints = new Map<number, { checkpoint: string; consumer: string }>();
  consumers = new Map<string, number[]>();
  calls: Array<{ action: Action; shard?: number }> = [];
  /** Faults: for an action, errors thrown by the next calls (FIFO). */
  faults = new Map<Action, SlsError[]>();
  /** Server receive time (unix s) reported for every pull (x-log-cursor-time); 0 = unknown. */
  receivedAt = 0;
  /** Assignment override: consumer -> shards; default gives every shard to every heartbeating consumer. */
  assign: ((consumer: string, held: number[]) => number[]) | undefined;

  constructor(shardCount: number) {
    for (let i = 0; i < shardCount; i++) this.shards.set(i, []);
  }

  /** Stores a group; `receiveTime` (unix s, never going back within a shard) for GetCursor by time. */
  put(shard: number, group: LogGroup, receiveTime = 0): void {
    this.shards.get(shard)!.push(group);
    const t = this.times.get(shard) ?? [];
    t.push(Math.max(receiveTime, t[t.length - 1] ?? 0));
    this.times.set(shard, t);
  }

  fail(action: Action, ...errs: SlsError[]): void {
    this.faults.set(action, [...(this.faults.get(action) ?? []), ...errs]);
  }

  count(action: Action): number {
    return this.calls.filter((c) => c.action === action).length;
  }

  cursorOf(shard: number, index: number): string {
    void shard;
    return enc(index);
  }

  private async hit(action: Action, shard?: number): Promise<void> {
    this.calls.push({ action, shard });
    await new Promise((r) => setImmediate(r));
    const f = this.faults.get(action);
    if (f && f.length) throw f.shift();
  }

  async listShards(): Promise<ShardInfo[]> {
    await this.hit("listShards");
    return [...this.shards.keys()].map((shard) => ({ shard, status: "readwrite", inclusiveBeginKey: "", exclusiveEndKey: "", createTime: 0 }));
  }

  async getCursor(_p: string, _l: string, shard: number, from: "begin" | "end" | number): Promise<string> {
    await this.hit("getCursor", shard);
    const data = this.shards.get(shard)!;
    const begin = this.begin.get(shard) ?? 0;
    if (from === "end") return enc(data.length);
    if (from === "begin") return enc(begin);
    // The first group received at or after the time (the end when none).
    const times = this.times.get(shard) ?? [];
    let i = begin;
    while (i < data.length && (times[i] ?? 0) < from) i++;
    return enc(i);
  }

  async getCursorTime(_p: string, _l: string, shard: number, cursor: string): Promise<number> {
    await this.hit("getCursorTime", shard);
    const times = this.times.get(shard) ?? [];
    const i = dec(cursor);
    return times[Math.min(i, times.length - 1)] ?? 0;
  }

  async pullLogs(_p: string, _l: string, shard: number, cursor: string, opts: PullOptions = {}): Promise<PullResult> {
    await this.hit("pullLogs", shard);
    const data = this.shards.get(shard)!;
    const i = dec(cursor);
    if (i < (this.begin.get(shard) ?? 0) || i > data.length) throw new SlsError("InvalidCursor", "cursor out of range", { status: 400 });
    const stop = opts.endCursor ? Math.max(i, dec(opts.endCursor)) : data.length;
    const groups = data.slice(i, Math.min(stop, i + (opts.count ?? 1000)));
    const next = i + groups.length;
    return {
      groups: groups.map(toRecordGroup),
      nextCursor: enc(next),
      count: groups.length,
      rawSize: groups.length * 100,
      cursorTime: groups.length ? this.receivedAt : 0,
      endOfCursor: next === data.length,
    };
  }

  async listConsumerGroups(): Promise<ConsumerGroupInfo[]> {
    await this.hit("listConsumerGroups");
    return [...this.groups.values()];
  }

  async createConsumerGroup(_p: string, _l: string, g: ConsumerGroupInfo): Promise<void> {
    await this.hit("createConsumerGroup");
    if (this.groups.has(g.name)) throw new SlsError("ConsumerGroupAlreadyExist", "exists", { status: 400 });
    this.groups.set(g.name, { ...g });
  }

  async updateConsumerGroup(_p: string, _l: string, g: ConsumerGroupInfo): Promise<void> {
    await this.hit("updateConsumerGroup");
    this.groups.set(g.name, { ...g });
  }

  async heartbeat(_p: string, _l: string, _g: string, consumer: string, held: number[]): Promise<number[]> {
    await this.hit("heartbeat");
    const a = this.assign ? this.assign(consumer, held) : [...this.shards.keys()];
    this.consumers.set(consumer, a);
    return a;
  }

  async updateCheckpoint(_p: string, _l: string, _g: string, consumer: string, shard: number, cursor: string, force: boolean): Promise<void> {
    await this.hit("updateCheckpoint", shard);
    if (!force && !(this.consumers.get(consumer) ?? []).includes(shard) && !this.consumers.has(consumer)) {
      throw new SlsError("ConsumerNotExsit", "consumer not exist", { status: 400 });
    }
    if (!force && this.ownerOf(shard) !== undefined && this.ownerOf(shard) !== consumer) {
      throw new SlsError("ConsumerNotMatch", "consumer not match", { status: 400 });
    }
    this.checkpoints.set(shard, { checkpoint: cursor, consumer });
  }

  /** Index a stored checkpoint points at (-1 when none). */
  checkpointIndex(shard: number): number {
    const c = this.checkpoints.get(shard);
    return c ? dec(c.checkpoint) : -1;
  }

  private ownerOf(shard: number): string | undefined {
    for (const [c, s] of this.consumers) if (s.includes(shard)) return c;
    return undefined;
  }

  async getCheckpoints(_p: string, _l: string, _g: string, shard?: number): Promise<CheckpointInfo[]> {
    await this.hit("getCheckpoints", shard);
    const out: CheckpointInfo[] = [];
    for (const s of this.shards.keys()) {
      if (shard !== undefined && s !== shard) continue;
      const c = this.checkpoints.get(s);
      out.push({ shard: s, checkpoint: c?.checkpoint ?? "", consumer: c?.consumer ?? "", updateTime: 0 });
    }
    return out;
  }
}

/** A log group holding logs with `seq` fields from..to-1. */
export function seqGroup(from: number, to: number, extra: Partial<LogGroup> = {}): LogGroup {
  const logs = [];
  for (let s = from; s < to; s++) logs.push({ time: 1_700_000_000 + s, contents: [["seq", String(s)]] as Array<[string, string]> });
  return { logs, tags: [], topic: "t", source: "src", ...extra };
}

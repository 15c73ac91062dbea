// One shard: an append-only sequence of encoded LogGroups (stored exactly as PullLogs will send
// them), its key range, status and cursors. Sequence numbers are dense; the cursor of seq n is
// base + n (see cursor.ts). Old groups are trimmed from the front (TTL, size cap).

import { encodeLogGroupList } from "../lib/sls/log-group-codec";
import { cursorBase, decodeCursor, encodeCursor } from "./cursor";
import { Lz4Piece, lz4Piece } from "./lz4-concat";
import { errors } from "./errors";

export type ShardStatus = "readwrite" | "readonly";

export interface StoredGroup {
  /** Serialized LogGroup including the server-added `__receive_time__` tag. */
  bytes: Buffer;
  /** Server receive time, unix seconds. */
  receiveTime: number;
  /** The group framed as a LogGroupList entry, LZ4-compressed (made on write or first lz4 read). */
  lz4?: Lz4Piece;
}

/** The LZ4 piece of a stored group, compressing it on first use. */
export function lz4Of(g: StoredGroup): Lz4Piece {
  return (g.lz4 ??= lz4Piece(encodeLogGroupList([g.bytes])));
}

export interface ShardMeta {
  shardID: number;
  status: ShardStatus;
  inclusiveBeginKey: string;
  exclusiveEndKey: string;
  createTime: number;
  parents: number[];
  base: string;
  firstSeq: number;
  /** Unix seconds at which a split/merge made it readonly. */
  readonlySince?: number;
}

export interface ShardDescription {
  shardID: number;
  status: ShardStatus;
  inclusiveBeginKey: string;
  exclusiveEndKey: string;
  createTime: number;
}

export interface ReadResult {
  groups: StoredGroup[];
  rawBytes: number;
  fromSeq: number;
  nextSeq: number;
  firstReceiveTime: number;
}

export class Shard {
  status: ShardStatus;
  readonly base: bigint;
  private groups: StoredGroup[] = [];
  /** Index in `groups` of the group with seq `firstSeq` (lazy front removal). */
  private head = 0;
  firstSeq: number;
  bytes = 0;
  readonlySince?: number;

  constructor(
    readonly id: number,
    readonly beginKey: string,
    readonly endKey: string,
    readonly createTime: number,
    readonly parents: number[] = [],
    status: ShardStatus = "readwrite",
    base?: bigint,
    firstSeq = 0,
  ) {
    this.status = status;
    this.base = base ?? cursorBase(createTime, id);
    this.firstSeq = firstSeq;
  }

  static fromMeta(m: ShardMeta): Shard {
    return new Shard(m.shardID, m.inclusiveBeginKey, m.exclusiveEndKey, m.createTime, m.parents, m.status, BigInt(m.base), m.firstSeq).withReadonlySince(
      m.readonlySince,
    );
  }

  private withReadonlySince(t: number | undefined): this {
    this.readonlySince = t;
    return this;
  }

  /** Split/merge parent: no more writes; its data stays readable until it expires. */
  seal(nowS: number): void {
    this.status = "readonly";
    this.readonlySince = nowS;
  }

  meta(): ShardMeta {
    return { ...this.describe(), parents: this.parents, base: this.base.toString(), firstSeq: this.firstSeq, readonlySince: this.readonlySince };
  }

  /** The ListShards view. */
  describe(): ShardDescription {
    return {
      shardID: this.id,
      status: this.status,
      inclusiveBeginKey: this.beginKey,
      exclusiveEndKey: this.endKey,
      createTime: this.createTime,
    };
  }

  get readonly(): boolean {
    return this.status === "readonly";
  }

  /** Seq the next write gets (the `end` cursor position). */
  get endSeq(): number {
    return this.firstSeq + this.groups.length - this.head;
  }

  get groupCount(): number {
    return this.groups.length - this.head;
  }

  /** Receive time of the newest group (0 when empty). */
  get lastReceiveTime(): number {
    return this.groupCount > 0 ? this.groups[this.groups.length - 1].receiveTime : 0;
  }

  /** Appends a group; receive times never go backwards within a shard (GetCursor by time relies on it). */
  append(bytes: Buffer, receiveTime: number, lz4?: Lz4Piece): number {
    const last = this.groupCount > 0 ? this.groups[this.groups.length - 1].receiveTime : 0;
    this.groups.push({ bytes, receiveTime: Math.max(receiveTime, last), lz4 });
    this.bytes += bytes.length;
    return this.endSeq - 1;
  }

  at(seq: number): StoredGroup {
    return this.groups[this.head + seq - this.firstSeq];
  }

  cursor(seq: number): string {
    return encodeCursor(this.base, seq);
  }

  /** Seq named by a cursor; `ParameterInvalid` if malformed, `InvalidCursor` if outside [begin, end]. */
  seqOf(cursor: string): number {
    const seq = decodeCursor(this.base, cursor);
    if (seq < BigInt(this.firstSeq) || seq > BigInt(this.endSeq)) {
      throw errors.invalidCursor(`cursor ${cursor} is out of the range of shard ${this.id}`);
    }
    return Number(seq);
  }

  /** First seq whose receive time is ≥ `t` (endSeq if none). */
  seqAtTime(t: number): number {
    let lo = this.head;
    let hi = this.groups.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.groups[mid].receiveTime < t) lo = mid + 1;
      else hi = mid;
    }
    return this.firstSeq + lo - this.head;
  }

  /** Groups [from, min(from+count, stop, end)), at least one group, at most about `maxBytes`. */
  read(from: number, count: number, stop: number, maxBytes: number): ReadResult {
    const end = Math.min(from + count, stop, this.endSeq);
    const groups: StoredGroup[] = [];
    let rawBytes = 0;
    let seq = from;
    for (; seq < end; seq++) {
      const g = this.groups[this.head + seq - this.firstSeq];
      if (groups.length > 0 && rawBytes + g.bytes.length > maxBytes) break;
      groups.push(g);
      rawBytes += g.bytes.length;
    }
    const firstReceiveTime = groups.length > 0 ? this.at(from).receiveTime : 0;
    return { groups, rawBytes, fromSeq: from, nextSeq: seq, firstReceiveTime };
  }

  /** Drops groups older than `minReceiveTime` and, oldest first, beyond `maxBytes`. Returns how many. */
  trim(minReceiveTime: number, maxBytes: number): number {
    let n = 0;
    while (this.head < this.groups.length) {
      const g = this.groups[this.head];
      if (g.receiveTime >= minReceiveTime && this.bytes <= maxBytes) break;
      this.bytes -= g.bytes.length;
      this.head++;
      this.firstSeq++;
      n++;
    }
    if (this.head > 1024 && this.head * 2 > this.groups.length) {
      this.groups = this.groups.slice(this.head);
      this.head = 0;
    }
    return n;
  }
}

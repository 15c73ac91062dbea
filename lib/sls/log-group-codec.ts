// The reference codec of SLS log groups (schema in protobuf.ts): LogGroup objects to and from
// their protobuf bytes. The emulator stores and serves what it encodes, tests and benches build
// their data with it. The consumer does not decode through it: pull-decoder.ts reads PullLogs
// bodies straight into the records it emits.

import { CodecError, Reader, WIRE_FIXED32, WIRE_LEN, WIRE_VARINT, decodePair } from "./protobuf";

export { CodecError } from "./protobuf";

export interface SlsLog {
  /** Unix seconds. */
  time: number;
  /** Nanosecond part of the time, when the producer sent one. */
  timeNs?: number;
  contents: Array<[string, string]>;
}

export interface LogGroup {
  logs: SlsLog[];
  topic?: string;
  source?: string;
  machineUuid?: string;
  reserved?: string;
  tags: Array<[string, string]>;
}

function decodeLog(r: Reader, end: number): SlsLog {
  const outer = r.end;
  r.end = end;
  const log: SlsLog = { time: 0, contents: [] };
  let hasTime = false;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 2 && wire === WIRE_LEN) {
      const e = r.lenEnd();
      log.contents.push(decodePair(r, e));
    } else if (field === 1 && wire === WIRE_VARINT) {
      log.time = r.varint();
      hasTime = true;
    } else if (field === 4 && wire === WIRE_FIXED32) {
      log.timeNs = r.fixed32();
    } else r.skip(wire);
  }
  if (!hasTime) r.fail("log without the required Time field");
  r.end = outer;
  return log;
}

function decodeGroupAt(r: Reader, end: number): LogGroup {
  const outer = r.end;
  r.end = end;
  const group: LogGroup = { logs: [], tags: [] };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire !== WIRE_LEN) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case 1: {
        const e = r.lenEnd();
        group.logs.push(decodeLog(r, e));
        break;
      }
      case 2:
        group.reserved = r.string();
        break;
      case 3:
        group.topic = r.string();
        break;
      case 4:
        group.source = r.string();
        break;
      case 5:
        group.machineUuid = r.string();
        break;
      case 6: {
        const e = r.lenEnd();
        group.tags.push(decodePair(r, e));
        break;
      }
      default:
        r.skip(wire);
    }
  }
  r.end = outer;
  return group;
}

/** Decodes one serialized LogGroup (a PutLogs body). */
export function decodeLogGroup(buf: Buffer): LogGroup {
  const r = new Reader(buf, 0, buf.length, "LogGroup");
  return decodeGroupAt(r, buf.length);
}

/** Decodes a serialized LogGroupList (a PullLogs body). */
export function decodeLogGroupList(buf: Buffer): LogGroup[] {
  const r = new Reader(buf, 0, buf.length, "LogGroupList");
  const groups: LogGroup[] = [];
  while (r.pos < buf.length) {
    const tag = r.varint();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const e = r.lenEnd();
      groups.push(decodeGroupAt(r, e));
    } else r.skip(tag & 7);
  }
  return groups;
}
// ---------------------------------------------------------------------------------- encoding

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function writeVarint(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** Size of a length-delimited field (tag byte + length varint + payload). */
function lenFieldSize(payload: number): number {
  return 1 + varintSize(payload) + payload;
}

function checkUint32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new CodecError(`${what} must be a uint32, got ${v}`);
}

/**
 * Serializes a LogGroup. Sizes are computed first (string byte lengths cached in `lens`), then
 * everything is written into one exactly-sized buffer.
 */
export function encodeLogGroup(g: LogGroup): Buffer {
  const lens: number[] = [];
  const pairSize = (k: string, v: string): number => {
    const kl = Buffer.byteLength(k);
    const vl = Buffer.byteLength(v);
    const size = lenFieldSize(kl) + lenFieldSize(vl);
    lens.push(kl, vl, size);
    return size;
  };
  const strField = (s: string | undefined): number => {
    if (s === undefined) return 0;
    const l = Buffer.byteLength(s);
    lens.push(l);
    return lenFieldSize(l);
  };

  let total = 0;
  for (const log of g.logs) {
    checkUint32(log.time, "Log.Time");
    if (log.timeNs !== undefined) checkUint32(log.timeNs, "Log.Time_ns");
    let size = 1 + varintSize(log.time) + (log.timeNs !== undefined ? 5 : 0);
    for (const [k, v] of log.contents) size += lenFieldSize(pairSize(k, v));
    lens.push(size);
    total += lenFieldSize(size);
  }
  total += strField(g.reserved) + strField(g.topic) + strField(g.source) + strField(g.machineUuid);
  for (const [k, v] of g.tags) total += lenFieldSize(pairSize(k, v));

  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  let li = 0;
  const putPair = (field: number, k: string, v: string): void => {
    const kl = lens[li++];
    const vl = lens[li++];
    const size = lens[li++];
    buf[pos++] = (field << 3) | WIRE_LEN;
    pos = writeVarint(buf, pos, size);
    buf[pos++] = (1 << 3) | WIRE_LEN;
    pos = writeVarint(buf, pos, kl);
    pos += buf.write(k, pos, kl, "utf8");
    buf[pos++] = (2 << 3) | WIRE_LEN;
    pos = writeVarint(buf, pos, vl);
    pos += buf.write(v, pos, vl, "utf8");
  };
  const putStr = (field: number, s: string | undefined): void => {
    if (s === undefined) return;
    const l = lens[li++];
    buf[pos++] = (field << 3) | WIRE_LEN;
    pos = writeVarint(buf, pos, l);
    pos += buf.write(s, pos, l, "utf8");
  };

  // Sizes were pushed per log as [pairs..., logSize]; read the log size first, then the pairs.
  for (const log of g.logs) {
    const pairsAt = li;
    li += log.contents.length * 3;
    const size = lens[li++];
    const after = li;
    li = pairsAt;
    buf[pos++] = (1 << 3) | WIRE_LEN;
    pos = writeVarint(buf, pos, size);
    buf[pos++] = (1 << 3) | WIRE_VARINT;
    pos = writeVarint(buf, pos, log.time);
    for (const [k, v] of log.contents) putPair(2, k, v);
    if (log.timeNs !== undefined) {
      buf[pos++] = (4 << 3) | WIRE_FIXED32;
      buf.writeUInt32LE(log.timeNs, pos);
      pos += 4;
    }
    li = after;
  }
  putStr(2, g.reserved);
  putStr(3, g.topic);
  putStr(4, g.source);
  putStr(5, g.machineUuid);
  for (const [k, v] of g.tags) putPair(6, k, v);
  if (pos !== total) throw new CodecError(`internal: encoded ${pos} bytes, expected ${total}`);
  return buf;
}

/** Builds a LogGroupList body from already serialized LogGroups, without re-encoding them. */
export function encodeLogGroupList(encodedGroups: Buffer[]): Buffer {
  let total = 0;
  for (const g of encodedGroups) total += lenFieldSize(g.length);
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const g of encodedGroups) {
    buf[pos++] = (1 << 3) | WIRE_LEN;
    pos = writeVarint(buf, pos, g.length);
    pos += g.copy(buf, pos);
  }
  return buf;
}

// Protobuf (proto2) wire format of SLS log groups (sls-protocol.md §5.1):
//
//   Log          { 1 Time uint32; 2 Contents repeated {1 Key string; 2 Value string}; 4 Time_ns fixed32 }
//   LogGroup     { 1 Logs repeated Log; 2 Reserved; 3 Topic; 4 Source; 5 MachineUUID (strings);
//                  6 LogTags repeated {1 Key; 2 Value} }
//   LogGroupList { 1 LogGroups repeated LogGroup }
//
// A hand-written codec instead of a protobuf library: the schema is tiny and fixed, and PullLogs
// decoding is the consumer's hot path, so it reads straight into plain objects.

import type { RecordGroup } from "./record-group";

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

export class CodecError extends Error {
  override name = "CodecError";
}

// Buffer's internal slice decoders skip toString's argument checks: about twice as fast per string.
type FastBuffer = Buffer & { utf8Slice(start: number, end: number): string };

// Field keys repeat in every log ("seq", "client_ip", ...): decode each distinct short key once.
const KEY_CACHE_MAX_LEN = 64;
const KEY_CACHE_SIZE = 1024; // entries, by hash slot; a collision just decodes again
const keyCacheBytes: Array<Uint8Array | undefined> = new Array(KEY_CACHE_SIZE);
const keyCacheStrings: string[] = new Array(KEY_CACHE_SIZE);

function cachedKey(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len > KEY_CACHE_MAX_LEN) return (buf as FastBuffer).utf8Slice(start, end);
  let h = len;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + buf[i]) | 0;
  const slot = (h >>> 0) % KEY_CACHE_SIZE;
  const bytes = keyCacheBytes[slot];
  if (bytes !== undefined && bytes.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (bytes[i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return keyCacheStrings[slot];
  }
  const str = (buf as FastBuffer).utf8Slice(start, end);
  keyCacheBytes[slot] = Uint8Array.prototype.slice.call(buf, start, end);
  keyCacheStrings[slot] = str;
  return str;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

// ---------------------------------------------------------------------------------- decoding

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    /** Bound of the message being read; narrowed while a nested message is decoded. */
    public end: number,
    readonly what: string,
  ) {
    this.pos = start;
  }

  fail(msg: string): never {
    throw new CodecError(`${this.what}: ${msg} at byte ${this.pos}`);
  }

  varint(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) this.fail("truncated varint");
      const b = buf[pos++];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
    }
    // Beyond 28 bits: stay exact up to 2^53.
    for (let scale = 2 ** 28; ; scale *= 128) {
      if (pos >= end) this.fail("truncated varint");
      const b = buf[pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      if (scale >= 2 ** 63) this.fail("varint longer than 10 bytes");
    }
  }


  /** Returns the end offset of a length-delimited field whose payload starts at this.pos. */
  lenEnd(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.end) this.fail(`length ${len} runs past the end`);
    return end;
  }

  string(): string {
    const end = this.lenEnd();
    const s = (this.buf as FastBuffer).utf8Slice(this.pos, end);
    this.pos = end;
    return s;
  }

  key(): string {
    const end = this.lenEnd();
    const s = cachedKey(this.buf, this.pos, end);
    this.pos = end;
    return s;
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) this.fail("truncated fixed32");
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) this.fail("truncated fixed64");
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lenEnd();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) this.fail("truncated fixed32");
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }
}

function decodePair(r: Reader, end: number): [string, string] {
  const outer = r.end;
  r.end = end;
  let key: string | undefined;
  let value = "";
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_LEN) key = r.key();
    else if (field === 2 && wire === WIRE_LEN) value = r.string();
    else r.skip(wire);
  }
  if (key === undefined) r.fail("key/value pair without a key");
  r.end = outer;
  return [key, value];
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

// ------------------------------------------------------------------------ consumer hot path

// Each log becomes msg.payload. Built with `{}` plus one assignment per field, an object of ~15
// fields outgrows its 4 in-object slots and reallocates its property store several times, and that
// garbage dominated the consumer's CPU. Instead every distinct field layout (content keys, then
// __time__, __topic__, __source__, __tag__:<k>) gets a generated factory returning one object
// literal: one allocation of exactly the right size, and one hidden class per layout.
// Keys reach the generated source only as JSON.stringify'd string literals.

type Factory = (v: string[], time: number, topic: string, source: string, tagValues: string[]) => Record<string, string | number>;

interface Shape {
  keys: string[];
  /** UTF-8 bytes of each key: the next log's keys are checked against them instead of hashed. */
  keyBytes: Buffer[];
  /** keyBytes as DataViews, compared four bytes at a time. */
  keyViews: DataView[];
  make: Factory;
}

const MAX_SHAPE_FIELDS = 96; // more fields: assign one by one (V8 would use a dictionary anyway)
const MAX_FACTORIES = 512; // distinct layouts remembered; beyond that the cache starts over
const factories = new Map<string, Factory>();
let codegen = true;

function factoryFor(keys: string[], n: number, tagKeys: string[]): Factory | undefined {
  if (n + 3 + tagKeys.length > MAX_SHAPE_FIELDS) return undefined;
  const contentKeys = keys.slice(0, n);
  // `__proto__` in a literal would set the prototype; assignment (the generic path) ignores a
  // string value for it. Keep that behaviour rather than generate something different.
  if (contentKeys.includes("__proto__") || tagKeys.includes("__proto__")) return undefined;
  const id = JSON.stringify([contentKeys, tagKeys]);
  let make = factories.get(id);
  if (make === undefined) {
    const fields = contentKeys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`);
    fields.push("__time__: t", "__topic__: tp", "__source__: src");
    tagKeys.forEach((k, i) => fields.push(`${JSON.stringify(k)}: tv[${i}]`));
    if (factories.size >= MAX_FACTORIES) factories.clear();
    if (!codegen) return undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      make = new Function("v", "t", "tp", "src", "tv", `return {${fields.join(", ")}};`) as Factory;
    } catch {
      // node --disallow-code-generation-from-strings: build records field by field instead.
      codegen = false;
      return undefined;
    }
    factories.set(id, make);
  }
  return make;
}

/** Decoding state shared by all calls: scratch arrays for one log's pairs, the layouts seen so far. */
interface GroupScratch {
  keys: string[];
  values: string[];
  /** Layouts of this group (tag keys are part of a layout), most recently used first. */
  shapes: Shape[];
  tagKeys: string[];
  tagValues: string[];
  /** The group being decoded as latin1 text (one char per byte), see PulledGroup.decode. */
  text: string;
  /** Offset in the body of text[0]. */
  base: number;
  /** The body as a DataView: four bytes at a time, at any offset (see isAscii, decodeRecord). */
  view: DataView;
}

const NO_VIEW = new DataView(new ArrayBuffer(0));
const scratch: GroupScratch = { keys: [], values: [], shapes: [], tagKeys: [], tagValues: [], text: "", base: 0, view: NO_VIEW };
const NO_KEYS: string[] = [];

/** True when buf[from..to) is ASCII; tested four bytes at a time through `view` (a DataView of buf). */
function isAscii(buf: Buffer, view: DataView, from: number, to: number): boolean {
  let bits = 0;
  let i = from;
  for (; i + 4 <= to; i += 4) bits |= view.getInt32(i, true);
  for (; i < to; i++) bits |= buf[i];
  return (bits & 0x80808080) === 0;
}

/**
 * Start of the value of the key/value pair at [p, e) when it has the usual encoding: key (tag 0x0a,
 * length < 128), then value (tag 0x12, length < 16384) filling the pair exactly; else -1.
 */
function usualValueStart(buf: Buffer, p: number, e: number): number {
  if (buf[p] !== 0x0a || buf[p + 1] >= 0x80) return -1;
  const ke = p + 2 + buf[p + 1];
  if (ke + 2 > e || buf[ke] !== 0x12) return -1;
  let vl = buf[ke + 1];
  let vs = ke + 2;
  if (vl >= 0x80) {
    if (vs >= e || buf[vs] >= 0x80) return -1;
    vl = (vl & 0x7f) | (buf[vs++] << 7);
  }
  return vs + vl === e ? vs : -1;
}

// Second and third results of usualPair (module variables spare an object per pair).
let pairKeyStart = 0;
let pairEnd = 0;

/**
 * When the Log field at p (ending by `end`) is a key/value pair in the usual encoding (tag 0x12,
 * length < 16384, see usualValueStart), returns the start of its value and sets pairKeyStart and
 * pairEnd; else -1.
 */
function usualPair(buf: Buffer, p: number, end: number): number {
  if (buf[p] !== ((2 << 3) | WIRE_LEN)) return -1;
  let len = buf[p + 1];
  let q = p + 2;
  if (len >= 0x80) {
    if (!(buf[q] < 0x80)) return -1;
    len = (len & 0x7f) | (buf[q++] << 7);
  }
  const e = q + len;
  if (!(e <= end)) return -1;
  const vs = usualValueStart(buf, q, e);
  pairKeyStart = q + 2;
  pairEnd = e;
  return vs;
}

/** Decodes one Log's pairs into s.keys/values, then appends its record and nanoseconds. */
function decodeRecord(r: Reader, end: number, records: Array<Record<string, string | number>>, timeNs: number[], g: PulledGroup, s: GroupScratch): void {
  const outer = r.end;
  r.end = end;
  const keys = s.keys;
  const values = s.values;
  // Logs of a group mostly share one layout: expect the last one's keys, byte for byte.
  const expect = s.shapes.length > 0 ? s.shapes[0] : undefined;
  const buf = r.buf;
  const { text, base, view } = s;
  const expectKeys = expect?.keys ?? NO_KEYS;
  const expectBytes = expect?.keyBytes;
  const expectViews = expect?.keyViews;
  let n = 0;
  /** Keys that were the expected layout's key at their position. */
  let matched = 0;
  let time = -1;
  let ns = 0;
  let p = r.pos;
  while (p < end) {
    // Fast path for the usual encoding (see usualPair); anything else takes the general loop below.
    const vs = usualPair(buf, p, end);
    if (vs >= 0) {
      const ks = pairKeyStart;
      const e = pairEnd;
      const kl = buf[ks - 1];
      let key: string | undefined;
      if (n < expectKeys.length) {
        const kb = expectBytes![n];
        if (kb.length === kl) {
          const kv = expectViews![n];
          let i = 0;
          while (i + 4 <= kl && kv.getInt32(i, true) === view.getInt32(ks + i, true)) i += 4;
          while (i < kl && kb[i] === buf[ks + i]) i++;
          if (i === kl) {
            key = expectKeys[n];
            matched++;
          }
        }
      }
      keys[n] = key ?? cachedKey(buf, ks, ks + kl);
      values[n++] = isAscii(buf, view, vs, e) ? text.substring(vs - base, e - base) : (buf as FastBuffer).utf8Slice(vs, e);
      p = e;
      continue;
    }
    r.pos = p;
    const tag = r.varint();
    if (tag === ((2 << 3) | WIRE_LEN)) {
      const e = r.lenEnd();
      r.end = e;
      let key: string | undefined;
      let value = "";
      while (r.pos < e) {
        const t = r.varint();
        if (t === ((1 << 3) | WIRE_LEN)) key = r.key();
        else if (t === ((2 << 3) | WIRE_LEN)) value = r.string();
        else r.skip(t & 7);
      }
      if (key === undefined) r.fail("key/value pair without a key");
      r.end = end;
      keys[n] = key;
      values[n++] = value;
    } else if (tag === ((1 << 3) | WIRE_VARINT)) time = r.varint();
    else if (tag === ((4 << 3) | WIRE_FIXED32)) ns = r.fixed32();
    else r.skip(tag & 7);
    p = r.pos;
  }
  r.pos = p;
  if (time < 0) r.fail("log without the required Time field");
  r.end = outer;
  // Every key as expected: the expected layout, without comparing the keys again.
  if (expect !== undefined && matched === n && n === expect.keys.length) records.push(expect.make(values, time, g.topic, g.source, s.tagValues));
  else records.push(build(s, n, time, g.topic, g.source));
  timeNs.push(ns);
}

function build(s: GroupScratch, n: number, time: number, topic: string, source: string): Record<string, string | number> {
  const { keys, values, shapes } = s;
  for (let si = 0; si < shapes.length; si++) {
    const shape = shapes[si];
    const sk = shape.keys;
    if (sk.length !== n) continue;
    let i = 0;
    while (i < n && sk[i] === keys[i]) i++;
    if (i < n) continue;
    if (si > 0) {
      shapes[si] = shapes[0];
      shapes[0] = shape;
    }
    return shape.make(values, time, topic, source, s.tagValues);
  }
  const make = factoryFor(keys, n, s.tagKeys);
  if (make !== undefined) {
    const shapeKeys = keys.slice(0, n);
    const keyBytes = shapeKeys.map((k) => Buffer.from(k));
    shapes.unshift({ keys: shapeKeys, keyBytes, keyViews: keyBytes.map((b) => new DataView(b.buffer, b.byteOffset, b.length)), make });
    if (shapes.length > 16) shapes.length = 16;
    return make(values, time, topic, source, s.tagValues);
  }
  const o: Record<string, string | number> = {};
  for (let i = 0; i < n; i++) o[keys[i]] = values[i];
  o.__time__ = time;
  o.__topic__ = topic;
  o.__source__ = source;
  for (let i = 0; i < s.tagKeys.length; i++) o[s.tagKeys[i]] = s.tagValues[i];
  return o;
}

/** Walks a Log without building anything, failing as decodeRecord would (see scanGroupAt). */
function checkLog(r: Reader, end: number): void {
  const buf = r.buf;
  let p = r.pos;
  let hasTime = false;
  while (p < end) {
    // The usual pair (tag 0x12, length < 16384, usual key/value encoding) is checked from its
    // bytes alone; anything else (the time, other fields, odd encodings) goes through the Reader.
    if (usualPair(buf, p, end) >= 0) {
      p = pairEnd;
      continue;
    }

    r.pos = p;
    const outer = r.end;
    r.end = end;
    const tag = r.varint();
    if (tag === ((2 << 3) | WIRE_LEN)) {
      const e = r.lenEnd();
      r.end = e;
      let hasKey = false;
      while (r.pos < e) {
        const t = r.varint();
        if (t === ((1 << 3) | WIRE_LEN)) hasKey = true;
        r.skip(t & 7);
      }
      if (!hasKey) r.fail("key/value pair without a key");
    } else if (tag === ((1 << 3) | WIRE_VARINT)) {
      r.varint();
      hasTime = true;
    } else r.skip(tag & 7);
    r.end = outer;
    p = r.pos;
  }
  r.pos = end;
  if (!hasTime) r.fail("log without the required Time field");
}

/**
 * Frees an off-heap body as soon as the next young-generation GC runs, when buf alone spans its
 * ArrayBuffer (a pooled or shared one is left alone). A pull's body outlives a few scavenges, so
 * its ArrayBuffer is promoted and would be freed only by a full GC; V8 starts full GCs when
 * external memory grows by ~64 MB, i.e. every ~64 pulls of 1 MB (~100 ms of CPU each, marking
 * all of Node-RED's heap). Moving the memory to a fresh, unreferenced ArrayBuffer (a transfer)
 * lets a scavenge free it: no full GCs from bodies, and peak RSS ~100 MB lower (bench:consumer).
 * buf reads as empty afterwards.
 */
export function detachWhenReleased(buf: Buffer): boolean {
  const ab = buf.buffer;
  if (buf.byteOffset !== 0 || ab.byteLength !== buf.length || buf.length === 0) return false;
  try {
    structuredClone(ab, { transfer: [ab] });
  } catch {
    return false; // a non-detachable ArrayBuffer: the garbage collector frees it as before
  }
  return true;
}

/**
 * A log group of a PullLogs body, its records built on first use (PulledGroup.records): a pull
 * waiting for delivery holds only its off-heap body, so records live from just before they are
 * emitted until the sink is done with them, and die young.
 */
/** A PullLogs body and the view of it its groups share, made when the first group is decoded. */
interface PulledBody {
  buf: Buffer;
  /** buf is ours alone (a decompression's output): it may be detached once every group is released. */
  owned: boolean;
  /** Groups not yet released. */
  unreleased: number;
  /** The body as a DataView (see GroupScratch.view). */
  view?: DataView;
}

export class PulledGroup implements RecordGroup {
  private decoded: { records: Array<Record<string, string | number>>; timeNs: number[] } | undefined;

  constructor(
    private readonly body: PulledBody,
    private readonly start: number,
    private readonly end: number,
    readonly topic: string,
    readonly source: string,
    readonly tags: Array<[string, string]>,
    readonly logCount: number,
  ) {}

  get records(): Array<Record<string, string | number>> {
    return (this.decoded ??= this.decode()).records;
  }

  get timeNs(): number[] {
    return (this.decoded ??= this.decode()).timeNs;
  }

  private released = false;

  /**
   * Done with this group: its records are dropped, and once every group of the body is released
   * an owned body's memory is handed to a throw-away ArrayBuffer (see detachWhenReleased).
   * The group must not be read after this.
   */
  release(): void {
    this.decoded = undefined;
    if (this.released) return;
    this.released = true;
    const body = this.body;
    if (--body.unreleased === 0 && body.owned) detachWhenReleased(body.buf);
  }

  private decode(): { records: Array<Record<string, string | number>>; timeNs: number[] } {
    if (this.released) throw new Error("internal: a PulledGroup was read after release()");
    const records: Array<Record<string, string | number>> = [];
    const timeNs: number[] = [];
    if (this.logCount === 0) return { records, timeNs };
    const { body, start, end } = this;
    const buf = body.buf;
    const s = scratch;
    const tagKeys = this.tags.map(([k]) => `__tag__:${k}`);
    // Layouts include the tag keys: keep the previous group's layouts when its tag keys were the same.
    if (tagKeys.length !== s.tagKeys.length || tagKeys.some((k, i) => k !== s.tagKeys[i])) s.shapes.length = 0;
    s.tagKeys = tagKeys;
    s.tagValues = this.tags.map(([, v]) => v);
    // ASCII values (nearly all) become substrings of one latin1 copy of the group instead of one
    // utf8Slice call each: no native call per value, and V8 makes values of 13+ chars slices of that
    // text rather than copies (about 40 % less decode CPU). One text per group, not per body: a
    // body-sized string is a large object, and allocating those costs more (fresh pages) than
    // the young-generation GC saves by not copying them. The price: a value kept long after its
    // message (e.g. in flow context) keeps its group's text (about its raw size) alive too.
    s.text = (buf as FastBuffer & { latin1Slice(s: number, e: number): string }).latin1Slice(start, end);
    s.base = start;
    s.view = body.view ??= new DataView(buf.buffer, buf.byteOffset, buf.length);
    const r = new Reader(buf, start, end, "LogGroup");
    try {
      while (r.pos < end) {
        const tag = r.varint();
        if (tag === ((1 << 3) | WIRE_LEN)) decodeRecord(r, r.lenEnd(), records, timeNs, this, s);
        else r.skip(tag & 7);
      }
    } finally {
      s.text = "";
      s.view = NO_VIEW;
    }
    return { records, timeNs };
  }
}

/**
 * Reads a LogGroup's topic, source and tags and counts its logs. Every log is checked here so
 * that building the records later (PulledGroup.decode) cannot fail.
 */
function scanGroupAt(r: Reader, end: number, body: PulledBody): PulledGroup {
  const outer = r.end;
  r.end = end;
  const start = r.pos;
  let topic = "";
  let source = "";
  const tags: Array<[string, string]> = [];
  let logs = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const wire = tag & 7;
    if (wire !== WIRE_LEN) {
      r.skip(wire);
      continue;
    }
    switch (tag >>> 3) {
      case 1:
        logs++;
        checkLog(r, r.lenEnd());
        break;
      case 3:
        topic = r.string();
        break;
      case 4:
        source = r.string();
        break;
      case 6:
        tags.push(decodePair(r, r.lenEnd()));
        break;
      default:
        r.skip(wire);
    }
  }
  r.end = outer;
  return new PulledGroup(body, start, end, topic, source, tags, logs);
}

/**
 * Splits a PullLogs body into its log groups, each decoded into sls-consumer's records when first
 * used (see PulledGroup). Malformed input fails here, never later. The groups keep `buf`; when
 * `owned` (nothing else uses it), it is detached once every group has been released.
 */
export function scanLogGroupList(buf: Buffer, owned = false): PulledGroup[] {
  const r = new Reader(buf, 0, buf.length, "LogGroupList");
  const groups: PulledGroup[] = [];
  const body: PulledBody = { buf, owned, unreleased: 0 };
  while (r.pos < buf.length) {
    const tag = r.varint();
    if (tag === ((1 << 3) | WIRE_LEN)) groups.push(scanGroupAt(r, r.lenEnd(), body));
    else r.skip(tag & 7);
  }
  body.unreleased = groups.length;
  return groups;
}

/**
 * Decodes a PullLogs body straight into sls-consumer's records (see RecordGroup): each log becomes
 * the object emitted as msg.payload, with no intermediate key/value arrays. Same result as
 * `decodeLogGroupList(buf).map(toRecordGroup)`, key order included.
 */
export function decodeLogGroupListRecords(buf: Buffer): RecordGroup[] {
  return scanLogGroupList(buf).map((g) => ({ topic: g.topic, source: g.source, tags: g.tags, records: g.records, timeNs: g.timeNs }));
}

// The consumer's hot path: a PullLogs body split into its log groups (scanLogGroupList), each
// decoded straight into the records sls-consumer emits when it is emitted (PulledGroup), with no
// intermediate key/value arrays. RecordGroup is that in-memory form of a log group.

import type { LogGroup } from "./log-group-codec";
import { Reader, WIRE_LEN, WIRE_VARINT, WIRE_FIXED32, cachedKey, decodePair, type FastBuffer } from "./protobuf";

export interface RecordGroup {
  topic: string;
  source: string;
  tags: Array<[string, string]>;
  /** Per log: its contents, then `__time__` (unix s), `__topic__`, `__source__`, `__tag__:<key>`. */
  records: Array<Record<string, string | number>>;
  /** Per log: nanosecond part of its time, 0 when absent. */
  timeNs: number[];
  /** Number of logs, when known without building the records (PulledGroup). */
  readonly logCount?: number;
  /** The tags as one frozen object, shared by the groups with the same metadata (PulledGroup). */
  readonly tagObject?: Readonly<Record<string, string>>;
  /**
   * Drops the records built on demand (PulledGroup) once they are taken: they then live only as
   * long as the messages holding them, not as long as the whole pull. Also frees the pull's
   * body once all its groups are released. The group's records must not be read after this.
   */
  release?(): void;
}

/** Number of logs of a group; does not build a pulled group's records. */
export function logsIn(g: RecordGroup): number {
  return g.logCount ?? g.records.length;
}

/**
 * The log groups of a PullLogs reply, in order: an array, or the PulledGroups of a body, made
 * when each is taken (PulledGroupList).
 */
export interface GroupList {
  readonly length: number;
  at(i: number): RecordGroup | undefined;
}

/** Logs in all the groups of a list, without building any records. */
export function logsInAll(groups: GroupList): number {
  if (groups instanceof PulledGroupList) return groups.logCount;
  let n = 0;
  for (let i = 0; i < groups.length; i++) n += logsIn(groups.at(i)!);
  return n;
}

/** A decoded LogGroup in record form (same keys, same order as the direct decoder produces). */
export function toRecordGroup(g: LogGroup): RecordGroup {
  const topic = g.topic ?? "";
  const source = g.source ?? "";
  const tagKeys = g.tags.map(([k]) => `__tag__:${k}`);
  const records = g.logs.map((log) => {
    const o: Record<string, string | number> = {};
    for (const [k, v] of log.contents) o[k] = v;
    o.__time__ = log.time;
    o.__topic__ = topic;
    o.__source__ = source;
    for (let i = 0; i < tagKeys.length; i++) o[tagKeys[i]] = g.tags[i][1];
    return o;
  });
  return { topic, source, tags: g.tags, records, timeNs: g.logs.map((l) => l.timeNs ?? 0) };
}

// Each log becomes msg.payload. Built with `{}` plus one assignment per field, an object of ~15
// fields outgrows its 4 in-object slots and reallocates its property store several times, and that
// garbage dominated the consumer's CPU. Instead every distinct field layout (content keys, then
// __time__, __topic__, __source__, __tag__:<k>) gets a generated constructor that assigns them in
// order: after V8's slack tracking, one allocation of exactly the right size, and one hidden class
// per layout. Not an object literal: V8 tracks a literal's objects by allocation site and, when
// most of one scavenge's objects of a site are still alive (a batch of 200 in flight at that
// moment), allocates that site's objects in the old generation from then on ("pretenuring"). That
// made every record and its values old-space garbage for the rest of the process: the bimodal
// drains in docs/performance.md, "Memory". Objects made by `new` carry no allocation site. The
// constructor's prototype is Object.prototype, so a record is a plain object to everyone.
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
    const fields = contentKeys.map((k, i) => `this[${JSON.stringify(k)}] = v[${i}];`);
    fields.push("this.__time__ = t;", "this.__topic__ = tp;", "this.__source__ = src;");
    tagKeys.forEach((k, i) => fields.push(`this[${JSON.stringify(k)}] = tv[${i}];`));
    if (factories.size >= MAX_FACTORIES) factories.clear();
    if (!codegen) return undefined;
    try {
      // eslint-disable-next-line no-new-func -- the factory's source is built above from JSON-quoted keys only
      make = new Function(
        `function Log(v, t, tp, src, tv) { ${fields.join(" ")} }
        Log.prototype = Object.prototype;
        return function make(v, t, tp, src, tv) { return new Log(v, t, tp, src, tv); };`,
      )() as Factory;
    } catch {
      // node --disallow-code-generation-from-strings: build records field by field instead.
      codegen = false;
      return undefined;
    }
    factories.set(id, make);
  }
  return make;
}

/**
 * What decodeRecord works with: scratch arrays for one log's pairs, and what its caller sets
 * before each call (the layouts, tags and text of the log's group and body).
 */
interface GroupScratch {
  keys: string[];
  values: string[];
  /** Layouts of the group's tag keys (tag keys are part of a layout), most recently used first. */
  shapes: Shape[];
  tagKeys: string[];
  tagValues: string[];
  /** Latin1 text (one char per byte) of the body's bytes around the log, see PulledGroup.nextRecord. */
  text: string;
  /** Offset in the body of text[0]. */
  base: number;
  /** The body as a DataView: four bytes at a time, at any offset (see isAscii, decodeRecord). */
  view: DataView;
}

/** Layout lists by tag keys: groups of any body or shard with the same tag keys share layouts. */
const shapeLists = new Map<string, Shape[]>();

function shapesFor(tagKeys: string[]): Shape[] {
  const id = JSON.stringify(tagKeys);
  let list = shapeLists.get(id);
  if (list === undefined) {
    if (shapeLists.size >= MAX_FACTORIES) shapeLists.clear();
    list = [];
    shapeLists.set(id, list);
  }
  return list;
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

/** Nanosecond part of the time of the log decodeRecord decoded last (a module variable spares an object per log). */
let decodedNs = 0;

/** Decodes one Log's pairs into s.keys/values and returns its record (its nanoseconds in decodedNs). */
function decodeRecord(r: Reader, end: number, g: GroupMeta, s: GroupScratch): Record<string, string | number> {
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
  decodedNs = ns;
  // Every key as expected: the expected layout, without comparing the keys again.
  if (expect !== undefined && matched === n && n === expect.keys.length) return expect.make(values, time, g.topic, g.source, s.tagValues);
  return build(s, n, time, g.topic, g.source);
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
 * its ArrayBuffer is promoted and would be freed only by a full GC, which V8 starts as external
 * memory grows and which marks all of Node-RED's heap. Moving the memory to a fresh, unreferenced
 * ArrayBuffer (a transfer) lets a scavenge free it (docs/performance.md, "Figures behind the code's constants"). buf reads as empty afterwards.
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
 * What a log group says besides its logs: topic, source and tags, with the tags also as the
 * record keys `__tag__:<key>` and their values, and as the frozen object msg.sls.tags holds.
 * Consecutive groups of a shard mostly carry the same bytes here, so one GroupMeta is shared by
 * every group whose metadata bytes match (see metaFor).
 */
export interface GroupMeta {
  readonly topic: string;
  readonly source: string;
  readonly tags: Array<[string, string]>;
  readonly tagKeys: string[];
  readonly tagValues: string[];
  readonly tagObject: Readonly<Record<string, string>>;
  /** The record layouts seen with these tag keys (shapesFor). */
  readonly shapes: Shape[];
}

function groupMeta(topic: string, source: string, tags: Array<[string, string]>): GroupMeta {
  const o: Record<string, string> = {};
  for (const [k, v] of tags) o[k] = v;
  const tagKeys = tags.map(([k]) => `__tag__:${k}`);
  return { topic, source, tags, tagKeys, tagValues: tags.map(([, v]) => v), tagObject: Object.freeze(o), shapes: shapesFor(tagKeys) };
}

/** Metadata of recent groups, by a hash of their bytes (a collision replaces the entry). */
const metaMemo = new Map<number, { bytes: Uint8Array; view: DataView; meta: GroupMeta }>();
const META_MEMO_SIZE = 256;
/** Metadata runs longer than this are decoded each time rather than remembered. */
const META_MEMO_MAX_BYTES = 1024;

/** A hash of view[from..to), four bytes at a time. */
function hashBytes(view: DataView, buf: Uint8Array, from: number, to: number): number {
  let h = (to - from) | 0;
  let i = from;
  for (; i + 4 <= to; i += 4) h = Math.imul(h ^ view.getInt32(i, true), 0x9e3779b1);
  for (; i < to; i++) h = Math.imul(h ^ buf[i], 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** view[from..to) holds the same bytes as `e` (a DataView of them, of the same length). */
function sameBytes(view: DataView, buf: Uint8Array, from: number, e: DataView, b: Uint8Array): boolean {
  const len = b.length;
  let i = 0;
  for (; i + 4 <= len; i += 4) if (view.getInt32(from + i, true) !== e.getInt32(i, true)) return false;
  for (; i < len; i++) if (buf[from + i] !== b[i]) return false;
  return true;
}

/**
 * The metadata of the group whose non-log fields are the bytes buf[from..to), read once per distinct
 * run of bytes: a group of one log otherwise paid more for its topic, source and tags (strings,
 * arrays, the frozen tags object, the `__tag__:` keys) than for its log.
 */
function metaFor(r: Reader, view: DataView, from: number, to: number): GroupMeta {
  const buf = r.buf;
  const len = to - from;
  const memo = len <= META_MEMO_MAX_BYTES;
  const h = memo ? hashBytes(view, buf, from, to) : 0;
  if (memo) {
    const e = metaMemo.get(h);
    if (e !== undefined && e.bytes.length === len && sameBytes(view, buf, from, e.view, e.bytes)) return e.meta;
  }
  const meta = readMeta(r, from, to);
  if (memo) {
    if (metaMemo.size >= META_MEMO_SIZE) metaMemo.clear();
    const bytes: Uint8Array = Uint8Array.prototype.slice.call(buf, from, to);
    metaMemo.set(h, { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), meta });
  }
  return meta;
}

/**
 * Bytes of a body copied into one latin1 text at a time (see PulledGroup.decode). Strings above
 * V8's regular object size (128 KB) are large objects, allocated outside the young generation:
 * a group of 1000 logs (~330 KB) used to make one per group, freed only by a full GC.
 */
const TEXT_CHUNK = 32 * 1024;

/** A PullLogs body and the view of it its groups share, made when the first group is decoded. */
interface PulledBody {
  buf: Buffer;
  /** buf is ours alone (a decompression's output): it may be detached once every group is released. */
  owned: boolean;
  /** Groups not yet released. */
  unreleased: number;
  /** The body as a DataView (see GroupScratch.view). */
  view?: DataView;
  /** The latin1 text of body[textBase..textEnd) that its groups' values are cut from (see decode). */
  text: string;
  textBase: number;
  textEnd: number;
  /** Reads the body for its groups' nextRecord (one group at a time: a body belongs to one reader). */
  reader?: Reader;
  /** Groups released so far, by index. */
  released: Uint8Array;
}

/**
 * A log group of a PullLogs body, its records built on first use (PulledGroup.records): a pull
 * waiting for delivery holds only its off-heap body, so records live from just before they are
 * emitted until the sink is done with them, and die young.
 */
export class PulledGroup implements RecordGroup {
  private decoded: { records: Array<Record<string, string | number>>; timeNs: number[] } | undefined;
  /** Where nextRecord reads on. */
  private pos: number;

  constructor(
    private readonly body: PulledBody,
    /** Position of the group in its body. */
    private readonly index: number,
    private readonly start: number,
    private readonly end: number,
    readonly meta: GroupMeta,
    readonly logCount: number,
  ) {
    this.pos = start;
  }

  private get released(): boolean {
    return this.body.released[this.index] === 1;
  }

  get topic(): string {
    return this.meta.topic;
  }

  get source(): string {
    return this.meta.source;
  }

  get tags(): Array<[string, string]> {
    return this.meta.tags;
  }

  get tagObject(): Readonly<Record<string, string>> {
    return this.meta.tagObject;
  }

  /** Every record of the group, decoded at once on first use (see nextRecord for one at a time). */
  get records(): Array<Record<string, string | number>> {
    return (this.decoded ??= this.decodeAll()).records;
  }

  get timeNs(): number[] {
    return (this.decoded ??= this.decodeAll()).timeNs;
  }

  /** Nanosecond part of the time of the record nextRecord returned last. */
  lastTimeNs = 0;

  /**
   * Decodes and returns the group's next record: a group is decoded as its records are emitted,
   * not ahead of them, so a group of 1000 logs emitted in chunks holds one chunk of records, not
   * 1000. Call it at most logCount times, and not after release().
   */
  nextRecord(): Record<string, string | number> {
    if (this.released) throw new Error("internal: a PulledGroup was read after release()");
    const body = this.body;
    const r = (body.reader ??= new Reader(body.buf, 0, body.buf.length, "LogGroup"));
    r.pos = this.pos;
    r.end = this.end;
    const rec = this.decodeLog(r);
    this.pos = r.pos;
    this.lastTimeNs = decodedNs;
    return rec;
  }

  /**
   * Done with this group: its records are dropped, and once every group of the body is released
   * an owned body's memory is handed to a throw-away ArrayBuffer (see detachWhenReleased).
   * The group must not be read after this.
   */
  release(): void {
    this.decoded = undefined;
    const body = this.body;
    if (body.released[this.index] === 1) return;
    body.released[this.index] = 1;
    if (--body.unreleased > 0) return;
    body.text = "";
    body.reader = undefined;
    if (body.owned) detachWhenReleased(body.buf);
  }

  private decodeAll(): { records: Array<Record<string, string | number>>; timeNs: number[] } {
    if (this.released) throw new Error("internal: a PulledGroup was read after release()");
    const records: Array<Record<string, string | number>> = [];
    const timeNs: number[] = [];
    const r = new Reader(this.body.buf, this.start, this.end, "LogGroup");
    for (let i = 0; i < this.logCount; i++) {
      records.push(this.decodeLog(r));
      timeNs.push(decodedNs);
    }
    return { records, timeNs };
  }

  /** Decodes the next Log field at or after r.pos (scanGroupAt checked there is one). */
  private decodeLog(r: Reader): Record<string, string | number> {
    const { body, meta } = this;
    const buf = body.buf as FastBuffer & { latin1Slice(s: number, e: number): string };
    for (;;) {
      const tag = r.varint();
      if (tag === ((1 << 3) | WIRE_LEN)) break;
      r.skip(tag & 7);
    }
    const e = r.lenEnd();
    // ASCII values (nearly all) become substrings of a latin1 copy of the body's bytes instead of
    // one utf8Slice call each: no native call per value, and V8 makes values of 13+ chars slices of
    // that text rather than copies (docs/performance.md, "Figures behind the code's constants"). One
    // text per TEXT_CHUNK of the body, shared by the groups in it, not one per body: a body-sized
    // string is a large object, and allocating those costs more (fresh pages) than the
    // young-generation GC saves by not copying them. The price: a value kept long after its message
    // (e.g. in flow context) keeps its text (up to 32 KB) alive too.
    if (r.pos < body.textBase || e > body.textEnd) {
      body.textBase = r.pos;
      body.textEnd = Math.min(buf.length, Math.max(e, r.pos + TEXT_CHUNK));
      body.text = buf.latin1Slice(body.textBase, body.textEnd);
    }
    const s = scratch;
    s.shapes = meta.shapes;
    s.tagKeys = meta.tagKeys;
    s.tagValues = meta.tagValues;
    s.text = body.text;
    s.base = body.textBase;
    s.view = body.view ??= new DataView(buf.buffer, buf.byteOffset, buf.length);
    return decodeRecord(r, e, meta, s);
  }
}

/**
 * Counts a LogGroup's logs and finds its metadata (metaFor); returns the logs. Every log is
 * checked here so that building the records later (PulledGroup.nextRecord) cannot fail.
 */
function scanGroupAt(r: Reader, end: number, body: PulledBody, metas: GroupMeta[]): number {
  const outer = r.end;
  r.end = end;
  const start = r.pos;
  let logs = 0;
  // The non-log fields, when they form one run (encoders write the logs first, then the rest).
  let metaFrom = -1;
  let metaTo = -1;
  let split = false;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      logs++;
      checkLog(r, r.lenEnd());
      if (metaFrom >= 0) split = true;
      continue;
    }
    if ((tag & 7) === WIRE_LEN && tag >>> 3 === 6) checkPair(r, r.lenEnd());
    else r.skip(tag & 7);
    if (metaFrom < 0) metaFrom = at;
    metaTo = r.pos;
  }
  const view = (body.view ??= new DataView(r.buf.buffer, r.buf.byteOffset, r.buf.length));
  if (metaFrom < 0) metas.push(metaFor(r, view, end, end));
  else if (!split) metas.push(metaFor(r, view, metaFrom, metaTo));
  else metas.push(readMeta(r, start, end)); // metadata spread between the logs: read field by field
  r.pos = end;
  r.end = outer;
  return logs;
}

/** Checks a LogTags pair as decodePair would (metaFor decodes it later, or not at all). */
function checkPair(r: Reader, end: number): void {
  const outer = r.end;
  r.end = end;
  let hasKey = false;
  while (r.pos < end) {
    const t = r.varint();
    if (t === ((1 << 3) | WIRE_LEN)) {
      hasKey = true;
      r.pos = r.lenEnd();
    } else r.skip(t & 7);
  }
  if (!hasKey) r.fail("key/value pair without a key");
  r.end = outer;
}

/** Topic, source and tags of the fields in buf[from..to) (logs in between are skipped). */
function readMeta(r: Reader, from: number, to: number): GroupMeta {
  const outer = r.end;
  r.pos = from;
  r.end = to;
  let topic = "";
  let source = "";
  const tags: Array<[string, string]> = [];
  while (r.pos < to) {
    const tag = r.varint();
    if (tag === ((3 << 3) | WIRE_LEN)) topic = r.string();
    else if (tag === ((4 << 3) | WIRE_LEN)) source = r.string();
    else if (tag === ((6 << 3) | WIRE_LEN)) tags.push(decodePair(r, r.lenEnd()));
    else r.skip(tag & 7);
  }
  r.end = outer;
  return groupMeta(topic, source, tags);
}

/**
 * The log groups of one PullLogs body. A group is a few offsets here, and becomes a PulledGroup
 * object only when it is taken (at): a pull waiting behind the one being emitted holds its body,
 * these offsets and the groups' shared metadata, and no object per group (with groups of one
 * log, those objects were most of what the young-generation GC promoted).
 */
export class PulledGroupList implements GroupList {
  /** Logs in all the groups. */
  readonly logCount: number;

  constructor(
    private readonly body: PulledBody,
    /** Per group: start, end, logs. */
    private readonly spans: Int32Array,
    private readonly metas: GroupMeta[],
  ) {
    let n = 0;
    for (let i = 2; i < spans.length; i += 3) n += spans[i];
    this.logCount = n;
  }

  get length(): number {
    return this.metas.length;
  }

  *[Symbol.iterator](): IterableIterator<PulledGroup> {
    for (let i = 0; i < this.length; i++) yield this.at(i)!;
  }

  /** Group i, made now: take each group once, and release it when done (PulledGroup.release). */
  at(i: number): PulledGroup | undefined {
    if (!(i >= 0 && i < this.metas.length)) return undefined;
    const s = this.spans;
    return new PulledGroup(this.body, i, s[3 * i], s[3 * i + 1], this.metas[i], s[3 * i + 2]);
  }
}

/**
 * Splits a PullLogs body into its log groups, each decoded into sls-consumer's records when first
 * used (see PulledGroup). Malformed input fails here, never later. The groups keep `buf`; when
 * `owned` (nothing else uses it), it is detached once every group has been released.
 */
export function scanLogGroupList(buf: Buffer, owned = false): PulledGroupList {
  const r = new Reader(buf, 0, buf.length, "LogGroupList");
  let spans = new Int32Array(3 * 64);
  const metas: GroupMeta[] = [];
  const body: PulledBody = { buf, owned, unreleased: 0, text: "", textBase: 0, textEnd: 0, released: NO_FLAGS };
  while (r.pos < buf.length) {
    const tag = r.varint();
    if (tag !== ((1 << 3) | WIRE_LEN)) {
      r.skip(tag & 7);
      continue;
    }
    const end = r.lenEnd();
    const i = metas.length;
    if (3 * i + 3 > spans.length) {
      const more = new Int32Array(spans.length * 2);
      more.set(spans);
      spans = more;
    }
    spans[3 * i] = r.pos;
    spans[3 * i + 1] = end;
    spans[3 * i + 2] = scanGroupAt(r, end, body, metas);
  }
  body.unreleased = metas.length;
  body.released = new Uint8Array(metas.length);
  return new PulledGroupList(body, spans.subarray(0, 3 * metas.length), metas);
}

const NO_FLAGS = new Uint8Array(0);

/**
 * Decodes a PullLogs body straight into sls-consumer's records (see RecordGroup): each log becomes
 * the object emitted as msg.payload, with no intermediate key/value arrays. Same result as
 * `decodeLogGroupList(buf).map(toRecordGroup)`, key order included.
 */
export function decodeLogGroupListRecords(buf: Buffer): RecordGroup[] {
  const list = scanLogGroupList(buf);
  return Array.from({ length: list.length }, (_, i) => {
    const g = list.at(i)!;
    return { topic: g.topic, source: g.source, tags: g.tags, records: g.records, timeNs: g.timeNs };
  });
}

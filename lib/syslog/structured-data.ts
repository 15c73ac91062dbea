// STRUCTURED-DATA (RFC 5424 §6.3). SD-IDs are validated, not rewritten: they name a schema (ours
// or an IANA one) and a silently altered ID would file data under the wrong name. PARAM-NAMEs come
// from arbitrary field names and are sanitised; PARAM-VALUEs escape `"`, `\` and `]`.

import { putBytes, putLatin1, putUtf8, writeBytes } from "./byte-writer";
import { SyslogFormatError, type SdValue, type StructuredData } from "./formatter-input";
import { checkSdId, type SdOptions } from "./sd-id";

/** Field names recur on every record: remember what each sanitises to. */
const nameCache = new Map<string, string>();

/** Makes a PARAM-NAME out of any field name: printable ASCII minus `= ] "` and space, 1..32 chars. */
export function sdName(raw: string): string {
  const hit = nameCache.get(raw);
  if (hit !== undefined) return hit;
  let out = "";
  for (const ch of raw) {
    const c = ch.codePointAt(0)!;
    out += c >= 0x21 && c <= 0x7e && ch !== "=" && ch !== "]" && ch !== '"' ? ch : "_";
    if (out.length >= 32) break;
  }
  if (out.length === 0) out = "_";
  // A name that needed no change is cached as the caller's own string: callers compare it with
  // the key by identity, and a rebuilt copy would be a string of one-character pieces.
  if (out === raw) out = raw;
  if (nameCache.size > 10_000) nameCache.clear();
  nameCache.set(raw, out);
  return out;
}

const SPECIAL = /["\\\]]/;
const ESCAPE = /["\\\]]/g;

/** PARAM-VALUE escaping in one pass, so backslashes added for quotes are never doubled. */
export function escapeParamValue(v: string): string {
  return SPECIAL.test(v) ? v.replace(ESCAPE, "\\$&") : v;
}

function valueText(v: string | number | boolean | object): string {
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** ` NAME="` per PARAM-NAME: names recur on every record, so two concatenations per value, not four. */
const prefixCache = new Map<string, string>();

function param(name: string, v: string | number | boolean | object): string {
  let prefix = prefixCache.get(name);
  if (prefix === undefined) {
    prefix = " " + name + '="';
    if (prefixCache.size < 10_000) prefixCache.set(name, prefix);
  }
  return prefix + escapeParamValue(valueText(v)) + '"';
}

/** One SD-ELEMENT as text: the general case, with PARAM-NAMEs that sanitising changed. */
function element(id: string, params: Record<string, SdValue>): string {
  let s = "[" + id;
  // Distinct source keys that sanitise to one name would read as a multi-valued parameter; the
  // later ones get a numeric suffix. Only names that sanitising changed can collide.
  let owner: Map<string, string> | undefined;
  for (const key in params) {
    if (!Object.prototype.hasOwnProperty.call(params, key)) continue;
    const v = params[key];
    if (v === undefined || v === null) continue;
    let name = sdName(key);
    if (name !== key || owner) {
      owner ??= new Map(
        Object.keys(params)
          .filter((k) => sdName(k) === k)
          .map((k) => [k, k]),
      );
      const prev = owner.get(name);
      if (prev !== undefined && prev !== key) {
        for (let i = 2; ; i++) {
          const suffix = "_" + i;
          const cand = name.slice(0, 32 - suffix.length) + suffix;
          if (!owner.has(cand)) {
            name = cand;
            break;
          }
        }
      }
      owner.set(name, key);
    }
    if (Array.isArray(v)) {
      for (const one of v) if (one !== undefined && one !== null) s += param(name, one);
    } else s += param(name, v as string | number | boolean | object);
  }
  return s + "]";
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A PARAM-VALUE, escaped, at `pos`: ASCII is escaped as it is copied; other text takes the long way. */
function putValue(buf: Buffer, pos: number, v: string): number {
  const start = pos;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c > 0x7f) return putUtf8(buf, start, escapeParamValue(v));
    if (c === 0x22 || c === 0x5c || c === 0x5d) buf[pos++] = 0x5c; // before " \ ]
    buf[pos++] = c;
  }
  return pos;
}

/** A number's text (nothing in it to escape); whole numbers below 10^9 digit by digit. */
function putNumber(buf: Buffer, pos: number, v: number): number {
  if (!(v >= 0 && v < 1e9 && v === Math.floor(v))) return putLatin1(buf, pos, String(v));
  const end = pos + (v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : 9);
  for (let i = end - 1; i >= pos; i--, v = Math.floor(v / 10)) buf[i] = 48 + (v % 10);
  return end;
}

/** A scalar PARAM-VALUE at `pos`; -1 for arrays and objects (they take the general way). */
function putScalar(buf: Buffer, pos: number, v: unknown): number {
  if (typeof v === "string") return putValue(buf, pos, v);
  if (typeof v === "number") return putNumber(buf, pos, v);
  if (typeof v === "boolean") return putLatin1(buf, pos, v ? "true" : "false");
  return -1;
}

/** ` NAME="VALUE"` at `pos` (`name` is a valid PARAM-NAME). */
function putParam(buf: Buffer, pos: number, name: string, v: string | number | boolean | object): number {
  buf[pos] = 0x20;
  pos = putLatin1(buf, pos + 1, name);
  buf[pos] = 0x3d; // =
  buf[pos + 1] = 0x22; // "
  pos += 2;
  const end = putScalar(buf, pos, v);
  pos = end >= 0 ? end : putValue(buf, pos, valueText(v));
  buf[pos] = 0x22;
  return pos + 1;
}

/**
 * An SD-ELEMENT whose parameters come in the same order every time (the mapper builds them so),
 * with the bytes that repeat: `heads[j]` is `[ID NAME="` for the first parameter and `" NAME="`
 * for the next ones; `prefix[j]` is the element up to value j (head j included) as it was last
 * written, valid while values 0..j-1 stay the same (`last`), so the leading parameters that repeat
 * from record to record (project, logstore, shard, cursor within a log group) are one copy.
 */
interface Shape {
  keys: string[];
  heads: Uint8Array[];
  last: unknown[];
  prefix: Array<Uint8Array | null>;
}

/** The last shape seen per SD-ID. */
const shapes = new Map<string, Shape>();

const UNSEEN = {};

function copyBytes(buf: Buffer, pos: number, src: Uint8Array): number {
  for (let i = 0; i < src.length; i++) buf[pos + i] = src[i];
  return pos + src.length;
}

/** The element's first bytes, through head j (or through the last value, j = keys.length), from `shape.last`. */
function putPrefix(buf: Buffer, pos: number, shape: Shape, j: number): number {
  const kept = shape.prefix[j];
  if (kept) return putBytes(buf, pos, kept);
  const start = pos;
  for (let k = 0; k < j; k++) pos = putScalar(buf, copyBytes(buf, pos, shape.heads[k]), shape.last[k]);
  if (j < shape.keys.length) pos = copyBytes(buf, pos, shape.heads[j]);
  if (pos <= buf.length) shape.prefix[j] = Uint8Array.prototype.slice.call(buf, start, pos);
  return pos;
}

/** The element in `shape` at `pos`; -1 when `params` do not have that shape. */
function putShaped(buf: Buffer, pos: number, shape: Shape, params: Record<string, SdValue>): number {
  const { keys, heads, last } = shape;
  const start = pos;
  let j = 0;
  /** The first value that differs from the last element's (-1: none so far). */
  let differ = -1;
  for (const key in params) {
    if (!hasOwn.call(params, key)) continue;
    const v = params[key];
    if (v === undefined || v === null) continue;
    if (key !== keys[j]) return -1;
    if (differ < 0) {
      if (v === last[j]) {
        j++;
        continue;
      }
      differ = j;
      pos = putPrefix(buf, start, shape, j);
    } else pos = copyBytes(buf, pos, heads[j]);
    pos = putScalar(buf, pos, v);
    if (pos < 0) return -1;
    last[j] = v;
    j++;
  }
  if (j !== keys.length) return -1;
  if (differ < 0) pos = putPrefix(buf, start, shape, j);
  else for (let k = differ + 1; k <= j; k++) shape.prefix[k] = null; // they held the old values
  buf[pos] = 0x22; // "
  buf[pos + 1] = 0x5d; // ]
  return pos + 2;
}

/** Remembers the shape of an element with scalar values under clean names (else forgets the ID's shape). */
function learnShape(id: string, params: Record<string, SdValue>): void {
  const keys: string[] = [];
  for (const key in params) {
    if (!hasOwn.call(params, key)) continue;
    const v = params[key];
    if (v === undefined || v === null) continue;
    if (sdName(key) !== key || (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")) {
      shapes.delete(id);
      return;
    }
    keys.push(key);
  }
  if (keys.length === 0) return;
  const heads = keys.map((k, j) => Buffer.from((j === 0 ? "[" + id : '"') + " " + k + '="', "latin1"));
  if (shapes.size >= 1000) shapes.clear();
  shapes.set(id, { keys, heads, last: keys.map(() => UNSEEN), prefix: new Array<Uint8Array | null>(keys.length + 1).fill(null) });
}

/** One SD-ELEMENT at `pos`; names that need sanitising take the general (text) way. */
function putElement(buf: Buffer, pos: number, id: string, params: Record<string, SdValue>): number {
  const shape = shapes.get(id);
  if (shape !== undefined) {
    const end = putShaped(buf, pos, shape, params);
    if (end >= 0) return end;
  }
  learnShape(id, params);
  const start = pos;
  buf[pos] = 0x5b; // [
  pos = putLatin1(buf, pos + 1, id);
  for (const key in params) {
    if (!hasOwn.call(params, key)) continue;
    const v = params[key];
    if (v === undefined || v === null) continue;
    if (sdName(key) !== key) return putUtf8(buf, start, element(id, params));
    if (Array.isArray(v)) {
      for (const one of v) if (one !== undefined && one !== null) pos = putParam(buf, pos, key, one);
    } else pos = putParam(buf, pos, key, v as string | number | boolean | object);
  }
  buf[pos] = 0x5d; // ]
  return pos + 1;
}

/** Writes the STRUCTURED-DATA field at `pos` (`-` when there is nothing to send); returns the end. */
export function putStructuredData(buf: Buffer, pos: number, sd: StructuredData | null | undefined, opts: SdOptions = {}): number {
  const start = pos;
  if (sd && typeof sd === "object") {
    for (const id in sd) {
      if (!hasOwn.call(sd, id)) continue;
      const params = sd[id];
      if (params === undefined || params === null) continue;
      if (typeof params !== "object" || Array.isArray(params)) {
        throw new SyslogFormatError(`structured data "${id}" must be an object of parameters`, "sd-params");
      }
      checkSdId(id, opts);
      pos = putElement(buf, pos, id, params);
    }
  }
  if (pos > start) return pos;
  buf[pos] = 0x2d; // -
  return pos + 1;
}

/** The STRUCTURED-DATA field text: `-` when there is nothing to send. */
export function formatStructuredData(sd: StructuredData | null | undefined, opts: SdOptions = {}): string {
  return writeBytes((buf, pos) => putStructuredData(buf, pos, sd, opts)).toString("utf8");
}

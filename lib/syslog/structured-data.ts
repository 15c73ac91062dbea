// STRUCTURED-DATA (RFC 5424 §6.3). SD-IDs are validated, not rewritten: they name a schema (ours
// or an IANA one) and a silently altered ID would file data under the wrong name. PARAM-NAMEs come
// from arbitrary field names and are sanitised; PARAM-VALUEs escape `"`, `\` and `]`.

import { putLatin1, putUtf8, writeBytes } from "./byte-writer";
import { SyslogFormatError, type SdValue, type StructuredData } from "./formatter-input";
import { checkSdId, type SdOptions } from "./sd-id";

export { checkSdId, type SdOptions };

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
      owner ??= new Map(Object.keys(params).filter((k) => sdName(k) === k).map((k) => [k, k]));
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

/** ` NAME="VALUE"` at `pos` (`name` is a valid PARAM-NAME). */
function putParam(buf: Buffer, pos: number, name: string, v: string | number | boolean | object): number {
  buf[pos] = 0x20;
  pos = putLatin1(buf, pos + 1, name);
  buf[pos] = 0x3d; // =
  buf[pos + 1] = 0x22; // "
  pos += 2;
  if (typeof v === "string") pos = putValue(buf, pos, v);
  else if (typeof v === "number" || typeof v === "boolean") pos = putLatin1(buf, pos, String(v)); // nothing to escape
  else pos = putValue(buf, pos, valueText(v));
  buf[pos] = 0x22;
  return pos + 1;
}

/** One SD-ELEMENT at `pos`; names that need sanitising take the general (text) way. */
function putElement(buf: Buffer, pos: number, id: string, params: Record<string, SdValue>): number {
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

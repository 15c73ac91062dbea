// STRUCTURED-DATA (RFC 5424 §6.3). SD-IDs are validated, not rewritten: they name a schema (ours
// or an IANA one) and a silently altered ID would file data under the wrong name. PARAM-NAMEs come
// from arbitrary field names and are sanitised; PARAM-VALUEs escape `"`, `\` and `]`.

import { SyslogFormatError, type SdValue, type StructuredData } from "./formatter-input";

/** The SD-IDs RFC 5424 registers with IANA; every other ID must be `name@PEN`. */
const IANA_IDS = new Set(["timeQuality", "origin", "meta"]);
const SD_NAME = /^[\x21-\x7e]+$/;
const SD_NAME_FORBIDDEN = /[=\]" ]/;
const PEN = /^\d+(\.\d+)*$/;

export interface SdOptions {
  /** Allow SD-IDs longer than 32 characters (Sumo Logic style tokens). Off by default. */
  allowLongSdId?: boolean;
}

/** IDs already checked (the same few IDs recur on every record). */
const validIds = new Set<string>();

/** Throws SyslogFormatError unless `id` is a valid SD-ID for a sender to emit. */
export function checkSdId(id: string, opts: SdOptions = {}): void {
  if (validIds.has(id) && (id.length <= 32 || opts.allowLongSdId)) return;
  const bad = (why: string): never => {
    throw new SyslogFormatError(`invalid SD-ID "${id}": ${why}`);
  };
  if (!SD_NAME.test(id) || SD_NAME_FORBIDDEN.test(id)) bad("only printable US-ASCII without space, =, ] or \"");
  if (id.length > 32 && !opts.allowLongSdId) bad("longer than 32 characters");
  const at = id.indexOf("@");
  if (at < 0) {
    if (!IANA_IDS.has(id)) bad("names without @ are reserved for IANA; use name@<enterprise number>");
  } else {
    if (at === 0) bad("empty name before @");
    if (!PEN.test(id.slice(at + 1))) bad("the part after @ must be an enterprise number (digits, dots)");
  }
  if (validIds.size > 1000) validIds.clear();
  validIds.add(id);
}

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

/** The STRUCTURED-DATA field text: `-` when there is nothing to send. */
export function formatStructuredData(sd: StructuredData | null | undefined, opts: SdOptions = {}): string {
  if (!sd || typeof sd !== "object") return "-";
  let out = "";
  for (const id of Object.keys(sd)) {
    const params = sd[id];
    if (params === undefined || params === null) continue;
    if (typeof params !== "object" || Array.isArray(params)) {
      throw new SyslogFormatError(`structured data "${id}" must be an object of parameters`);
    }
    checkSdId(id, opts);
    out += element(id, params);
  }
  return out === "" ? "-" : out;
}

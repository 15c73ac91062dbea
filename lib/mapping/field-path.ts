// Field paths: how a mapping rule names a value inside an SLS record.
//
// Syntax: dot-separated names (`detail.user.name`), brackets for names that contain dots or for
// array positions (`detail["user.name"]`, `items[0]`). SLS keys often contain dots or colons
// themselves (`__tag__:__hostname__`, `http.status`), so unbracketed names are matched greedily:
// at each level the longest run of remaining names that is an existing key wins (`a.b.c` finds a
// key "a.b.c", then "a.b" + "c", then "a" + "b.c" ...).
//
// SLS values are strings; a field that holds JSON text (`{"user":{"name":"x"}}`) is parsed on the
// way down, once per record and field (cached in the record's scratch), and only up to
// MAX_JSON_CHARS. Invalid or oversized JSON yields `undefined` and a warning, never an exception.

import type { SlsRecord } from "./types";
import type { Warnings } from "./warnings";

/** Longest JSON text parsed to reach a nested value (longer values are not descended into). */
export const MAX_JSON_CHARS = 1 << 20;

export interface Segment {
  key: string;
  /** Bracketed: matched alone, never joined with its neighbours. */
  atomic: boolean;
}

/** Per-record scratch: parsed JSON of top-level fields, so several rules share one parse. */
export interface PathScratch {
  json?: Map<string, unknown>;
}

export type FieldGetter = (rec: SlsRecord, scratch: PathScratch) => unknown;

/** Splits a path into segments; on a syntax error the whole text is one atomic key. */
export function parseFieldPath(path: string): { segments: Segment[]; error?: string } {
  const segments: Segment[] = [];
  let i = 0;
  let cur = "";
  let pending = false; // a name has started (possibly empty before a dot)
  const fail = (error: string) => ({ segments: [{ key: path, atomic: true }], error });
  while (i < path.length) {
    const c = path[i];
    if (c === ".") {
      if (pending || cur) segments.push({ key: cur, atomic: false });
      cur = "";
      pending = true;
      i++;
    } else if (c === "[") {
      if (cur) segments.push({ key: cur, atomic: false });
      cur = "";
      pending = false;
      const q = path[i + 1];
      if (q === '"' || q === "'") {
        let j = i + 2;
        let key = "";
        while (j < path.length && path[j] !== q) {
          if (path[j] === "\\" && j + 1 < path.length) j++;
          key += path[j];
          j++;
        }
        if (path[j] !== q || path[j + 1] !== "]") return fail(`unterminated [${q} in "${path}"`);
        segments.push({ key, atomic: true });
        i = j + 2;
      } else {
        const j = path.indexOf("]", i);
        if (j < 0) return fail(`unterminated [ in "${path}"`);
        const key = path.slice(i + 1, j).trim();
        if (!/^\d+$/.test(key)) return fail(`[${key}] is not an index; quote names: ["${key}"]`);
        segments.push({ key, atomic: true });
        i = j + 1;
      }
      if (path[i] === ".") {
        i++;
        pending = true;
      }
    } else {
      cur += c;
      pending = true;
      i++;
    }
  }
  if (pending || cur) segments.push({ key: cur, atomic: false });
  if (segments.length === 0) return { segments: [], error: "empty field path" };
  return { segments };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Returns a container to descend into: objects as they are, JSON text parsed. */
function container(v: unknown, field: string, scratch: PathScratch | null, warnings: Warnings): object | undefined {
  if (v !== null && typeof v === "object") return v;
  if (typeof v !== "string") return undefined;
  let k = 0;
  while (k < v.length && (v.charCodeAt(k) === 32 || v.charCodeAt(k) === 9 || v.charCodeAt(k) === 10 || v.charCodeAt(k) === 13)) k++;
  const first = v[k];
  if (first !== "{" && first !== "[") return undefined;
  if (scratch?.json?.has(field)) return scratch.json.get(field) as object | undefined;
  let parsed: unknown;
  if (v.length > MAX_JSON_CHARS) {
    warnings.warn(
      "json-too-large",
      field,
      `field "${field}" holds ${v.length} characters of JSON, more than ${MAX_JSON_CHARS}: nested values of it are treated as missing`,
    );
  } else {
    try {
      parsed = JSON.parse(v);
    } catch (err) {
      warnings.warn("invalid-json", field, `field "${field}" does not hold valid JSON (${(err as Error).message}): nested values of it are treated as missing`);
    }
  }
  const out = parsed !== null && typeof parsed === "object" ? parsed : undefined;
  if (scratch) (scratch.json ??= new Map()).set(field, out);
  return out;
}

/** Compiles a path into a getter. Single plain names take a fast path (one property read). */
export function compileFieldPath(path: string, warnings: Warnings): FieldGetter {
  const { segments } = parseFieldPath(path);
  if (segments.length === 1) {
    const key = segments[0].key;
    if (key in Object.prototype) return (rec) => (hasOwn.call(rec, key) ? rec[key] : undefined);
    return (rec) => rec[key];
  }
  return (rec, scratch) => {
    // A key spelled exactly like the whole path wins (SLS keys may contain dots).
    if (hasOwn.call(rec, path)) return rec[path];
    let obj: object = rec;
    let topKey = "";
    let i = 0;
    for (let depth = 0; ; depth++) {
      let end = i + 1;
      if (!segments[i].atomic) while (end < segments.length && !segments[end].atomic) end++;
      let j = end;
      let key = "";
      for (; j > i; j--) {
        key = j === i + 1 ? segments[i].key : joinKeys(segments, i, j);
        if (hasOwn.call(obj, key)) break;
      }
      if (j === i) return undefined;
      const cur = (obj as Record<string, unknown>)[key];
      if (depth === 0) topKey = key;
      i = j;
      if (i >= segments.length) return cur;
      const next = container(cur, topKey, depth === 0 ? scratch : null, warnings);
      if (next === undefined) return undefined;
      obj = next;
    }
  };
}

function joinKeys(segments: Segment[], from: number, to: number): string {
  let s = segments[from].key;
  for (let k = from + 1; k < to; k++) s += "." + segments[k].key;
  return s;
}

// JSON body: the selected fields as one JSON object. With sortKeys (default) keys are written in
// code-unit order at every level, so the same record always gives the same text whatever order
// the producer wrote its fields in (dedup hashes, diffs). With expand, fields holding JSON text
// are embedded as JSON values instead of strings. Values JSON cannot express (BigInt, cycles)
// fall back to their string form; nothing throws.

import { MAX_JSON_CHARS } from "./field-path";
import type { FieldDecider } from "./field-selection";
import type { SlsRecord } from "./types";

export interface JsonOptions {
  sortKeys: boolean;
  expand: boolean;
}

export function compileJson(opts: JsonOptions, decide: FieldDecider): (rec: SlsRecord) => string {
  const { sortKeys, expand } = opts;
  const keyCache = new Map<string, string>();
  const quotedKey = (name: string): string => {
    let q = keyCache.get(name);
    if (q === undefined) {
      q = JSON.stringify(name);
      if (keyCache.size < 4096) keyCache.set(name, q);
    }
    return q;
  };
  const value = (v: unknown): string => {
    if (typeof v === "string") {
      if (expand) {
        const parsed = tryParse(v);
        if (parsed !== undefined) return stringify(parsed, sortKeys);
      }
      return JSON.stringify(v);
    }
    return stringify(v, sortKeys);
  };
  if (!sortKeys) {
    return (rec) => {
      let out = "{";
      for (const k in rec) {
        const name = decide(k);
        if (name === null) continue;
        if (out.length > 1) out += ",";
        out += quotedKey(name) + ":" + value(rec[k]);
      }
      return out + "}";
    };
  }
  let lastNames: string[] = [];
  let lastOrder: number[] = [];
  return (rec) => {
    const names: string[] = [];
    const keys: string[] = [];
    for (const k in rec) {
      const name = decide(k);
      if (name === null) continue;
      names.push(name);
      keys.push(k);
    }
    // Records of one logstore mostly share their key list: reuse the last sort order then.
    let order = lastOrder;
    if (!sameNames(names, lastNames)) {
      order = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : a - b));
      lastNames = names;
      lastOrder = order;
    }
    let out = "{";
    let prev: string | undefined;
    for (const i of order) {
      if (names[i] === prev) continue; // a rename collided with another field: the first wins
      prev = names[i];
      if (out.length > 1) out += ",";
      out += quotedKey(names[i]) + ":" + value(rec[keys[i]]);
    }
    return out + "}";
  };
}

function sameNames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function tryParse(v: string): unknown {
  const c = v.charCodeAt(0);
  if ((c !== 123 && c !== 91) || v.length > MAX_JSON_CHARS) return undefined; // { or [
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** JSON text of any value; objects with sorted keys when asked; never throws. */
export function stringify(v: unknown, sortKeys: boolean): string {
  try {
    const s = sortKeys ? JSON.stringify(v, sortedReplacer) : JSON.stringify(v);
    return s === undefined ? "null" : s;
  } catch {
    return JSON.stringify(String(v));
  }
}

function sortedReplacer(this: unknown, _key: string, v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const out: Record<string, unknown> = Object.create(null); // a "__proto__" key stays a key
  for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
  return out;
}

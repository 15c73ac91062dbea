// Which record fields go into the body (kv, JSON, appended CEF/LEEF attributes), under which
// names. Rules: `include` / `exclude` a name or glob (`*` any run, `?` one character), `rename`
// one exact name. SLS internals (`__tag__:*` and `__name__` keys such as `__time__`, `__topic__`,
// `__source__`) are dropped unless keepInternal is on or a rule names them exactly (an exact
// include or a rename). Without include rules every other field is included. Field order is the
// record's own.
//
// Decisions are cached per key name, so glob matching costs once per distinct key, not per record.

import type { FieldRule, SlsRecord } from "./types";

/** Maps a record key to its output name, or null when the field is not selected. */
export type FieldDecider = (key: string) => string | null;

const MAX_CACHED_KEYS = 4096;

export function isInternalField(key: string): boolean {
  return (key.length > 4 && key.charCodeAt(0) === 95 && key.charCodeAt(1) === 95 && key.endsWith("__")) || key.startsWith("__tag__:");
}

export function hasGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (const c of glob) re += c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
  return new RegExp("^" + re + "$", "s");
}

/** Compiles a list of names/globs into one predicate. */
export function compileNameMatcher(patterns: string[]): (key: string) => boolean {
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const p of patterns) {
    if (p === "") continue;
    if (hasGlob(p)) globs.push(globToRegExp(p));
    else exact.add(p);
  }
  return (key) => exact.has(key) || globs.some((g) => g.test(key));
}

export function compileFieldSelection(rules: FieldRule[] | undefined, keepInternal: boolean): FieldDecider {
  const includes: string[] = [];
  const excludes: string[] = [];
  const explicit = new Set<string>();
  const renames = new Map<string, string>();
  for (const r of rules ?? []) {
    const p = String(r.pattern ?? "").trim();
    if (p === "") continue;
    if (r.action === "include") {
      includes.push(p);
      if (!hasGlob(p)) explicit.add(p);
    } else if (r.action === "exclude") excludes.push(p);
    else if (r.action === "rename" && !renames.has(p)) {
      const to = String(r.to ?? "").trim();
      renames.set(p, to === "" ? p : to);
      explicit.add(p);
    }
  }
  const included = includes.length > 0 ? compileNameMatcher(includes) : () => true;
  const excluded = excludes.length > 0 ? compileNameMatcher(excludes) : () => false;
  const decide = (key: string): string | null => {
    if (excluded(key)) return null;
    if (explicit.has(key)) return renames.get(key) ?? key;
    if (!keepInternal && isInternalField(key)) return null;
    if (!included(key)) return null;
    return key;
  };
  const cache = new Map<string, string | null>();
  return (key) => {
    let out = cache.get(key);
    if (out !== undefined) return out;
    out = decide(key);
    if (cache.size < MAX_CACHED_KEYS) cache.set(key, out);
    return out;
  };
}

/** The selected fields of a record as [name, value] pairs in record order. */
export function selectedEntries(rec: SlsRecord, decide: FieldDecider): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const k in rec) {
    const name = decide(k);
    if (name !== null) out.push([name, rec[k]]);
  }
  return out;
}

/** The text written before a selected field's value: after another pair, and as the first. */
export interface FieldPrefix {
  next: string;
  first: string;
  /** The key as written. */
  key: string;
}

/**
 * Per source key: its prefix in a `key=value` list (separator, key as `keyOf` writes it, `=`), or
 * null when the field is not selected or `keyOf` gives null (no usable key). Cached per key, so a
 * record's field costs one lookup and two concatenations.
 */
export function compileFieldPrefixes(
  decide: FieldDecider,
  keyOf: (name: string) => string | null,
  sep: string,
  leadingSeparator: boolean,
): (key: string) => FieldPrefix | null {
  const cache = new Map<string, FieldPrefix | null>();
  return (k) => {
    let p = cache.get(k);
    if (p === undefined) {
      const name = decide(k);
      const key = name === null ? null : keyOf(name);
      p = key === null ? null : { next: sep + key + "=", first: (leadingSeparator ? sep : "") + key + "=", key };
      if (cache.size < MAX_CACHED_KEYS) cache.set(k, p);
    }
    return p;
  };
}

/**
 * The prefixes of a record's fields by position: records of one source come with their keys in the
 * same order, so the key at position j is compared with last record's (property keys are unique
 * strings: a pointer compare) and a map lookup is made only when it differs.
 */
export function byPosition(prefixOf: (key: string) => FieldPrefix | null): (key: string, j: number) => FieldPrefix | null {
  const keys: string[] = [];
  const prefixes: Array<FieldPrefix | null> = [];
  return (k, j) => {
    if (keys[j] === k) return prefixes[j];
    const p = prefixOf(k);
    keys[j] = k;
    prefixes[j] = p;
    return p;
  };
}

// The `key=value` list of CEF extensions and LEEF attributes: first the mapped attributes (each a
// value reference), then, optionally, the selected record fields under sanitised keys. A key is
// written once: mapped keys and keys the encoder writes itself win over record fields, and
// mapped attributes without a value (or an empty one) are left out. Two fields whose names give
// the same key (`a-b` and `a b` both become `a_b` in CEF) are both written, the later ones as
// `a_b_2`, `a_b_3`...: a repeated key would have the SIEM keep one value and lose the other.

import { byPosition, compileFieldPrefixes, type FieldDecider } from "./field-selection";
import type { AttributeRule } from "./types";
import { compileRef, textOf, type RecordContext, type ValueGetter } from "./value-ref";
import type { Warnings } from "./warnings";

export interface AttributeListOptions {
  rules: AttributeRule[] | undefined;
  includeFields: boolean;
  decide: FieldDecider;
  /** Sanitised key for a name ("" = unusable). */
  keyOf: (name: string) => string;
  escapeValue: (v: string) => string;
  separator: string;
  /** Keys the encoder writes itself; record fields never duplicate them. */
  reserved: string[];
  what: string;
}

export interface AttributeList {
  /** Mapped keys after sanitising, in order. */
  mappedKeys: Set<string>;
  /** Writes the list; `first` tells whether nothing precedes it (no leading separator). */
  write(ctx: RecordContext, first: boolean): string;
}

export function compileAttributeList(o: AttributeListOptions, warnings: Warnings): AttributeList {
  const mapped: { key: string; get: ValueGetter }[] = [];
  const mappedKeys = new Set<string>();
  for (const r of o.rules ?? []) {
    const key = o.keyOf(String(r.key ?? ""));
    if (key === "") {
      warnings.warn("config", `${o.what} ${r.key}`, `${o.what}: attribute key "${r.key}" is not usable and was left out`);
      continue;
    }
    const get = compileRef(r.type, r.value, warnings, `${o.what} ${key}`);
    if (!get || mappedKeys.has(key)) continue;
    mappedKeys.add(key);
    mapped.push({ key, get });
  }
  const taken = new Set([...mappedKeys, ...o.reserved]);
  const keyCache = new Map<string, string>();
  /** Per key: the first field name seen giving it; keys more than one name gives. */
  const owner = new Map<string, string>();
  const shared = new Set<string>();
  /** More distinct keys than owner keeps: sharing can no longer be seen, every record is tracked. */
  let manyKeys = false;
  const fieldKey = (name: string): string => {
    let k = keyCache.get(name);
    if (k === undefined) {
      k = o.keyOf(name);
      if (taken.has(k)) k = "";
      if (keyCache.size < 4096) keyCache.set(name, k);
    }
    if (k !== "") {
      const first = owner.get(k);
      if (first === undefined) {
        if (owner.size < 4096) owner.set(k, name);
        else manyKeys = true;
      } else if (first !== name && !shared.has(k)) {
        shared.add(k);
        warnings.warn(
          "fields",
          `${o.what} ${k}`,
          `${o.what}: fields "${first}" and "${name}" both give the key ${k}; the later ones are written as ${k}_2, ${k}_3...`,
        );
      }
    }
    return k;
  };
  /** `key`, or the first of key_2, key_3... not written yet in this record nor given to any field. */
  const freeKey = (key: string, used: Set<string>): string => {
    if (!used.has(key)) return key;
    for (let i = 2; ; i++) {
      const alt = key + "_" + i;
      if (!used.has(alt) && !owner.has(alt) && !taken.has(alt)) return alt;
    }
  };
  const { separator: sep, escapeValue: esc, decide, includeFields } = o;
  const prefixAt = byPosition(compileFieldPrefixes(decide, (name) => fieldKey(name) || null, sep, false));
  return {
    mappedKeys,
    write(ctx, first) {
      // Keys are tracked per record only once some key is known to be shared; when this record
      // shows the first shared key, it is written again with tracking.
      const before = shared.size;
      const tracked = before > 0 || manyKeys;
      const out = writeList(ctx, first, tracked);
      return tracked || (shared.size === before && !manyKeys) ? out : writeList(ctx, first, true);
    },
  };

  function writeList(ctx: RecordContext, first: boolean, track: boolean): string {
    const used = track ? new Set<string>(mappedKeys) : null;
    let out = "";
    let n = first ? 0 : 1;
    for (let i = 0; i < mapped.length; i++) {
      const text = textOf(mapped[i].get(ctx));
      if (text === undefined || text === "") continue;
      out += (n++ > 0 ? sep : "") + mapped[i].key + "=" + esc(text);
    }
    if (includeFields) {
      const rec = ctx.rec;
      let j = 0;
      for (const k in rec) {
        const p = prefixAt(k, j++);
        if (p === null) continue;
        const v = rec[k];
        const text = typeof v === "string" ? v : textOf(v);
        if (text === undefined) continue;
        if (used) {
          const key = freeKey(p.key, used);
          used.add(key);
          if (key !== p.key) {
            out += (n++ > 0 ? sep : "") + key + "=" + esc(text);
            continue;
          }
        }
        out += (n++ > 0 ? p.next : p.first) + esc(text);
      }
    }
    return out;
  }
}

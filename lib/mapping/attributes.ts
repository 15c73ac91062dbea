// The `key=value` list of CEF extensions and LEEF attributes: first the mapped attributes (each a
// value reference), then, optionally, the selected record fields under sanitised keys. A key is
// written once: mapped keys and keys the encoder writes itself win over record fields, and
// mapped attributes without a value (or an empty one) are left out.

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
  const fieldKey = (name: string): string => {
    let k = keyCache.get(name);
    if (k === undefined) {
      k = o.keyOf(name);
      if (taken.has(k)) k = "";
      if (keyCache.size < 4096) keyCache.set(name, k);
    }
    return k;
  };
  const { separator: sep, escapeValue: esc, decide, includeFields } = o;
  const prefixAt = byPosition(compileFieldPrefixes(decide, (name) => fieldKey(name) || null, sep, false));
  return {
    mappedKeys,
    write(ctx, first) {
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
          out += (n++ > 0 ? p.next : p.first) + esc(text);
        }
      }
      return out;
    },
  };
}

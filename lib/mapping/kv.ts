// key=value body, as the original SLS-to-syslog recipe writes it: `||k=v||k=v` (separator before
// every pair, default `||`). Escaping modes:
//
// - `backslash` (default): in values `\` → `\\`, CR/LF/TAB → `\r` `\n` `\t`, and every occurrence
//   of the separator's FIRST character c → `\c` (so `a||b` → `a\|\|b`). No unescaped separator
//   can then occur inside a value, even across the value/separator boundary. `=` stays literal:
//   a key ends at the first `=` and keys never contain one. Reader rule: split on unescaped
//   separators, cut each pair at its first `=`, then undo `\x` → x (`\r` `\n` `\t` → CR LF TAB).
// - `quote` (Splunk style, usually with a space separator): values containing whitespace, `"`,
//   `=`, `\` or the separator are written in double quotes with `\` and `"` backslash-escaped and
//   CR/LF as `\r`/`\n`; empty values as `""`.
// - `none`: values written raw, byte-for-byte like the original recipe.
//
// In keys (backslash and quote modes) `=`, `\`, `"`, whitespace, control characters and the
// separator's first character are replaced by `_`.

import { byPosition, compileFieldPrefixes, type FieldDecider } from "./field-selection";
import { charClass } from "./text";
import type { KvEscape, SlsRecord } from "./types";
import { textOf } from "./value-ref";

export interface KvOptions {
  separator: string;
  escape: KvEscape;
  leadingSeparator: boolean;
  /**
   * "record": the record's field order. "sls-first": the order of the original recipe's Python
   * SDK (`__time__`, `__topic__`, `__source__`, `__time_ns_part__`, the `__tag__:*` fields, then
   * the log's contents), whatever order the consumer wrote the fields in.
   */
  order?: "record" | "sls-first";
}

const SLS_FIRST = ["__time__", "__topic__", "__source__", "__time_ns_part__"];

function isSlsFirst(k: string): boolean {
  return k.startsWith("__tag__:") || SLS_FIRST.includes(k);
}

export function compileKv(opts: KvOptions, decide: FieldDecider): (rec: SlsRecord) => string {
  const sep = opts.separator;
  const lead = opts.leadingSeparator;
  const first = sep[0] ?? "";
  const escapeValue = valueEscaper(opts.escape, sep);
  const escapeKey = opts.escape === "none" ? (k: string) => k : keyEscaper(first);
  // Per source key: the text before its value ("||key=" after another pair, "key=" or "||key="
  // first), or null when the field is not selected.
  const prefixOf = compileFieldPrefixes(decide, escapeKey, sep, lead);
  // Appends one field (if selected); compiled once, so no closure is allocated per record.
  const pair = (out: string, rec: SlsRecord, k: string): string => {
    const p = prefixOf(k);
    if (p === null) return out;
    const v = rec[k];
    const text = typeof v === "string" ? v : (textOf(v) ?? "");
    return out + (out.length > 0 ? p.next : p.first) + escapeValue(text);
  };
  if (opts.order === "sls-first") {
    return (rec) => {
      let out = "";
      for (const k of SLS_FIRST) if (Object.prototype.hasOwnProperty.call(rec, k)) out = pair(out, rec, k);
      for (const k in rec) if (k.startsWith("__tag__:")) out = pair(out, rec, k);
      for (const k in rec) if (!isSlsFirst(k)) out = pair(out, rec, k);
      return out;
    };
  }
  const prefixAt = byPosition(prefixOf);
  return (rec) => {
    let out = "";
    let j = 0;
    for (const k in rec) {
      const p = prefixAt(k, j++);
      if (p === null) continue;
      const v = rec[k];
      const text = typeof v === "string" ? v : (textOf(v) ?? "");
      out = out + (out.length > 0 ? p.next : p.first) + escapeValue(text);
    }
    return out;
  };
}

function keyEscaper(sepFirst: string): (k: string) => string {
  const bad = new RegExp('[=\\\\"\\s\\x00-\\x1f\\x7f' + (sepFirst ? sepFirst.replace(/[\]\\^\-[]/g, "\\$&") : "") + "]", "g");
  return (k) => (k === "" ? "_" : k.replace(bad, "_"));
}

const CONTROL: Record<string, string> = { "\r": "\\r", "\n": "\\n", "\t": "\\t" };

export function valueEscaper(mode: KvEscape, sep: string): (v: string) => string {
  if (mode === "none") return (v) => v;
  const first = sep[0] ?? "";
  if (mode === "quote") {
    const needs = new RegExp('[\\s"=\\\\' + (first ? first.replace(/[\]\\^\-[]/g, "\\$&") : "") + "]");
    return (v) => {
      if (v === "") return '""';
      if (!needs.test(v)) return v;
      return '"' + v.replace(/[\\"\r\n]/g, (c) => CONTROL[c] ?? "\\" + c) + '"';
    };
  }
  const special = charClass("\\\r\n\t" + first).source;
  const any = new RegExp(special);
  const all = new RegExp(special, "g");
  // A regex test (native scan) is cheaper than a charCodeAt loop on SLS values
  // (docs/performance.md, "Figures behind the code's constants").
  return (v) => (any.test(v) ? v.replace(all, (ch) => CONTROL[ch] ?? "\\" + ch) : v);
}

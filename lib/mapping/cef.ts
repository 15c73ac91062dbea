// CEF (ArcSight Common Event Format) body:
//   CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
// Escaping differs between the two parts (docs/syslog-and-siem.md, "CEF"):
// - header fields: `\` → `\\`, `|` → `\|`; CR/LF are not allowed there and become a space;
//   values are cut to the spec's maximum lengths (63/63/31/1023/512) before escaping;
// - extension values: `\` → `\\`, `=` → `\=`, CR → `\r`, LF → `\n` (`|` literal);
// - extension keys: only [A-Za-z0-9_] survive, other characters become `_`.
// Severity: "auto" maps the syslog severity (0 → 10 ... 7 → 0); a reference may give 0–10, the
// spec's words (Unknown, Low, Medium, High, Very-High) or a syslog severity name.

import { compileAttributeList } from "./attributes";
import type { FieldDecider } from "./field-selection";
import { CEF_SEVERITY, parseSeverity } from "./priority";
import { lastValueMemo, truncate } from "./text";
import type { MappingConfig } from "./types";
import { compileRef, compileText, textOf, type RecordContext } from "./value-ref";
import type { Warnings } from "./warnings";

export const CEF_DEFAULTS = { vendor: "Alibaba Cloud", product: "SLS", productVersion: "1.0", eventId: "sls-log", eventName: "SLS log" };

export function escapeCefHeader(v: string, max: number): string {
  const s = truncate(v, max);
  return /[\\|\r\n]/.test(s) ? s.replace(/[\\|]/g, "\\$&").replace(/\r\n|[\r\n]/g, " ") : s;
}

const EXT_ESC: Record<string, string> = { "\\": "\\\\", "=": "\\=", "\r": "\\r", "\n": "\\n" };
const EXT_SPECIAL = /[\\=\r\n]/;
const EXT_SPECIAL_G = /[\\=\r\n]/g;
export function escapeCefValue(v: string): string {
  // A regex test is a native scan: about half the cost of a charCodeAt loop on SLS values.
  return EXT_SPECIAL.test(v) ? v.replace(EXT_SPECIAL_G, (ch) => EXT_ESC[ch]) : v;
}

export function cefKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_").replace(/^_+|_+$/g, "");
}

const WORDS: Record<string, string> = { unknown: "Unknown", low: "Low", medium: "Medium", high: "High", "very-high": "Very-High" };

export function compileCef(c: MappingConfig, decide: FieldDecider, warnings: Warnings): (ctx: RecordContext, syslogSeverity: number) => string {
  const version = Number(c.cefVersion) === 1 ? 1 : 0; // the editor saves "0"/"1"
  const vendor = compileText(c.vendorType, c.vendor ?? CEF_DEFAULTS.vendor, CEF_DEFAULTS.vendor, warnings, "CEF vendor");
  const product = compileText(c.productType, c.product ?? CEF_DEFAULTS.product, CEF_DEFAULTS.product, warnings, "CEF product");
  const pver = compileText(c.productVersionType, c.productVersion ?? CEF_DEFAULTS.productVersion, CEF_DEFAULTS.productVersion, warnings, "CEF device version");
  const eventId = compileText(c.eventIdType, c.eventId ?? CEF_DEFAULTS.eventId, CEF_DEFAULTS.eventId, warnings, "CEF signature id");
  const name = compileText(c.eventNameType, c.eventName ?? CEF_DEFAULTS.eventName, CEF_DEFAULTS.eventName, warnings, "CEF name");
  const sevRef = c.cefSeverityType && c.cefSeverityType !== "auto" ? compileRef(c.cefSeverityType, c.cefSeverity, warnings, "CEF severity") : undefined;
  const severity = (ctx: RecordContext, syslogSev: number): string => {
    if (sevRef) {
      const v = sevRef(ctx);
      const t = textOf(v)?.trim();
      if (t !== undefined) {
        if (/^(10|[0-9])$/.test(t)) return t;
        const w = WORDS[t.toLowerCase()];
        if (w) return w;
        const s = parseSeverity(t);
        if (s !== undefined) return String(CEF_SEVERITY[s]);
      }
      warnings.warn(
        "severity",
        `CEF ${c.cefSeverity}`,
        `CEF severity from ${c.cefSeverityType} "${c.cefSeverity}": "${t ?? ""}" is not 0–10 or a severity name; using the syslog severity`,
      );
    }
    return String(CEF_SEVERITY[syslogSev]);
  };
  const attrs = compileAttributeList(
    {
      rules: c.attributes,
      includeFields: c.attributesIncludeFields !== false,
      decide,
      keyOf: cefKey,
      escapeValue: escapeCefValue,
      separator: " ",
      reserved: [],
      what: "CEF extension",
    },
    warnings,
  );
  const prefix = `CEF:${version}|`;
  const [escVendor, escProduct, escVersion, escId, escName] = [63, 63, 31, 1023, 512].map((max) => lastValueMemo((v) => escapeCefHeader(v, max)));
  return (ctx, syslogSev) =>
    prefix +
    escVendor(vendor(ctx)) +
    "|" +
    escProduct(product(ctx)) +
    "|" +
    escVersion(pver(ctx)) +
    "|" +
    escId(eventId(ctx)) +
    "|" +
    escName(name(ctx)) +
    "|" +
    severity(ctx, syslogSev) +
    "|" +
    attrs.write(ctx, true);
}

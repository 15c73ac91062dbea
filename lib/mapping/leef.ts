// LEEF (IBM QRadar Log Event Extended Format) body:
//   LEEF:1.0|Vendor|Product|Version|EventID|attr=value<TAB>attr=value...
//   LEEF:2.0|Vendor|Product|Version|EventID|DelimiterCharacter|attr=value<D>attr=value...
// LEEF defines no escapes (docs/syslog-and-siem.md, "LEEF"), so the encoder makes the separators
// impossible instead: in header fields `|`, CR and LF become `_`; in attribute values the
// delimiter, CR and LF become a space; keys lose `=`, `|`, whitespace and the delimiter (→ `_`).
// `=` stays literal in values (the key ends at the first `=`). The 2.0 delimiter is one
// character or its hex code (`x5E`, `0x09`); the header always carries it. Delimiters the encoder
// cannot take out of keys and values (a space, `_`, other whitespace, controls) are refused.
// Written by the encoder itself: `sev` (1–10 from the syslog severity, unless mapped), and
// `devTime` + `devTimeFormat` (ISO form `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, UTC; or epoch ms).

import { compileAttributeList } from "./attributes";
import type { FieldDecider } from "./field-selection";
import { LEEF_SEVERITY } from "./priority";
import { lastValueMemo, truncate } from "./text";
import type { MappingConfig, Timestamp } from "./types";
import { compileText, tsMillis, type RecordContext } from "./value-ref";
import type { Warnings } from "./warnings";
import { leefDelimiterProblem, parseLeefDelimiter } from "./leef-delimiter";

export const LEEF_DEFAULTS = { vendor: "Alibaba Cloud", product: "SLS", productVersion: "1.0", eventId: "sls-log", delimiter: "^" };
export const LEEF_DEVTIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";

export function escapeLeefHeader(v: string): string {
  return /[|\r\n]/.test(v) ? v.replace(/[|\r\n]/g, "_") : v;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, "0");
}

/** `2024-05-06T07:08:09.123+0000` (matches LEEF_DEVTIME_FORMAT, always UTC). */
export function leefDevTime(ts: Timestamp): string {
  const d = new Date(tsMillis(ts));
  return (
    pad(d.getUTCFullYear(), 4) +
    "-" +
    pad(d.getUTCMonth() + 1, 2) +
    "-" +
    pad(d.getUTCDate(), 2) +
    "T" +
    pad(d.getUTCHours(), 2) +
    ":" +
    pad(d.getUTCMinutes(), 2) +
    ":" +
    pad(d.getUTCSeconds(), 2) +
    "." +
    pad(d.getUTCMilliseconds(), 3) +
    "+0000"
  );
}

export function compileLeef(c: MappingConfig, decide: FieldDecider, warnings: Warnings): (ctx: RecordContext, syslogSeverity: number) => string {
  const v2 = c.leefVersion !== "1.0";
  let delim = { char: "\t", header: "x09" };
  if (v2) {
    const spec = c.leefDelimiter ?? LEEF_DEFAULTS.delimiter;
    const d = parseLeefDelimiter(spec);
    if (!d) warnings.warn("config", "LEEF delimiter", `LEEF delimiter refused: ${leefDelimiterProblem(spec)}; using "^"`);
    delim = d ?? { char: "^", header: "^" };
  }
  const vendor = compileText(c.vendorType, c.vendor ?? LEEF_DEFAULTS.vendor, LEEF_DEFAULTS.vendor, warnings, "LEEF vendor");
  const product = compileText(c.productType, c.product ?? LEEF_DEFAULTS.product, LEEF_DEFAULTS.product, warnings, "LEEF product");
  const pver = compileText(c.productVersionType, c.productVersion ?? LEEF_DEFAULTS.productVersion, LEEF_DEFAULTS.productVersion, warnings, "LEEF version");
  const eventId = compileText(c.eventIdType, c.eventId ?? LEEF_DEFAULTS.eventId, LEEF_DEFAULTS.eventId, warnings, "LEEF event id");

  const d = delim.char;
  const valueBad = new RegExp("[\\r\\n" + d.replace(/[\]\\^\-[]/g, "\\$&") + "]", "g");
  const escapeValue = (v: string): string => (v.indexOf(d) >= 0 || v.indexOf("\n") >= 0 || v.indexOf("\r") >= 0 ? v.replace(valueBad, " ") : v);
  const keyBad = new RegExp("[=|\\s" + d.replace(/[\]\\^\-[]/g, "\\$&") + "]", "g");
  const keyOf = (name: string): string => name.replace(keyBad, "_");

  const devTimeMode = c.leefDevTime ?? "iso";
  const attrs = compileAttributeList(
    {
      rules: c.attributes,
      includeFields: c.attributesIncludeFields !== false,
      decide,
      keyOf,
      escapeValue,
      separator: d,
      reserved: ["sev", "devTime", "devTimeFormat"],
      what: "LEEF attribute",
    },
    warnings,
  );
  const writeSev = !attrs.mappedKeys.has("sev");
  const writeTime = devTimeMode !== "none" && !attrs.mappedKeys.has("devTime");
  const head = v2 ? "LEEF:2.0|" : "LEEF:1.0|";
  const delimField = v2 ? delim.header + "|" : "";
  const [escVendor, escProduct, escVersion, escId] = [0, 1, 2, 3].map(() => lastValueMemo((v) => escapeLeefHeader(truncate(v, 255))));
  return (ctx, syslogSev) => {
    let out = head + escVendor(vendor(ctx)) + "|" + escProduct(product(ctx)) + "|" + escVersion(pver(ctx)) + "|" + escId(eventId(ctx)) + "|" + delimField;
    let first = true;
    if (writeTime && ctx.ts) {
      out += devTimeMode === "epoch" ? "devTime=" + tsMillis(ctx.ts) : "devTime=" + leefDevTime(ctx.ts) + d + "devTimeFormat=" + LEEF_DEVTIME_FORMAT;
      first = false;
    }
    if (writeSev) {
      out += (first ? "" : d) + "sev=" + LEEF_SEVERITY[syslogSev];
      first = false;
    }
    return out + attrs.write(ctx, first);
  };
}

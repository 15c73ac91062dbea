// Header mapping: the syslog header fields of msg.syslog for one record.
//   timestamp  SLS time (`__time__` + nanoseconds) by default; or a field (epoch s/ms/µs/ns or
//              ISO-8601, "auto" takes either); or now. A bad field value falls back to the SLS
//              time, then now, with one warning.
//   hostname   default the record's `__source__`, falling back to msg.sls.source
//   appName    default the logstore
//   procId, msgId   unset by default (NILVALUE unless sls-syslog-out's config sets one)
//   facility   fixed (default user) or from a field (numbers 0–23, names and aliases)
//   severity   fixed (default info) or from a field through the value table; unknown values take
//              severityDefault (info) with one warning; 0 is Emergency, not "missing".
// Header text is cut to the RFC 5424 maximum lengths (255/48/128/32) here; replacing characters
// outside printable US-ASCII is the RFC 5424 formatter's job (lib/syslog).

import { compileFieldPath } from "./field-path";
import { compileSeverityTable, parseFacility, parseSeverity } from "./priority";
import { UTC, timeZone } from "../time-zone";
import { fromValue, nowTimestamp, slsTime } from "./timestamp";
import { truncate } from "./text";
import type { MappingConfig, RefType, SyslogFields, Timestamp } from "./types";
import { compileRef, textOf, type RecordContext, type ValueGetter } from "./value-ref";
import type { Warnings } from "./warnings";

export interface CompiledHeader {
  /** Resolves the timestamp into ctx.ts (needed before bodies run). */
  time(ctx: RecordContext): Timestamp;
  /** Fills the header fields of `out`; returns the severity (CEF/LEEF derive theirs from it). */
  fill(ctx: RecordContext, out: SyslogFields): number;
}

function headerText(
  type: RefType | undefined,
  value: string | undefined,
  max: number,
  what: string,
  warnings: Warnings,
  fallback?: ValueGetter,
): (ctx: RecordContext) => string | undefined {
  const get = compileRef(type, value, warnings, what);
  // The default hostname (with its fallback) may well be absent: only user choices are reported.
  const configured = get !== undefined && type !== "str" && !fallback;
  return (ctx) => {
    let v = get?.(ctx);
    if (v === undefined && fallback) v = fallback(ctx);
    if (v === undefined || v === null || v === "") {
      if (configured) warnings.warn("missing", `${what}:${value}`, `${what}: ${type} "${value}" is missing in some records; sls-syslog-out's default applies`);
      return undefined;
    }
    if (typeof v === "object") {
      warnings.warn("type", `${what}:${value}`, `${what}: ${type} "${value}" holds an object, not text; sls-syslog-out's default applies`);
      return undefined;
    }
    const t = textOf(v) as string;
    if (t.length > max) {
      warnings.warn("too-long", `${what}:${value}`, `${what}: ${type} "${value}" is longer than ${max} characters and was cut`);
      return truncate(t, max);
    }
    return t;
  };
}

/** `c` has the defaults of BASE_CONFIG applied (compileMapper does that). */
export function compileHeader(c: MappingConfig, warnings: Warnings): CompiledHeader {
  // Timestamp
  const src = c.timestampSource ?? "sls";
  const unit = c.timestampUnit ?? "auto";
  // Field times written without a zone are wall time there (the node's settings check the name).
  const zone = timeZone(c.timestampZone ?? "UTC") ?? UTC;
  const tsField = src === "field" && c.timestampField ? compileFieldPath(c.timestampField, warnings) : undefined;
  if (src === "field" && !tsField) warnings.warn("config", "timestamp", "timestamp: source is a field but no field is set; using the SLS time");
  const time = (ctx: RecordContext): Timestamp => {
    let ts: Timestamp | undefined;
    if (src === "now") ts = nowTimestamp();
    else if (tsField) {
      const v = tsField(ctx.rec, ctx);
      ts = fromValue(v, unit, zone);
      if (ts === undefined)
        warnings.warn(
          v === undefined ? "missing" : "timestamp",
          `timestamp:${c.timestampField}`,
          v === undefined
            ? `timestamp: field "${c.timestampField}" is missing in some records; using the SLS time`
            : `timestamp: field "${c.timestampField}" holds "${String(textOf(v)).slice(0, 40)}", not ${unit === "iso" ? "an ISO-8601 time" : unit === "auto" ? "an epoch number or ISO-8601 time" : "epoch " + unit}; using the SLS time`,
        );
    }
    if (ts === undefined) ts = slsTime(ctx.meta, ctx.rec);
    if (ts === undefined) {
      warnings.warn("missing", "__time__", "timestamp: records without an SLS time (msg.sls.time / __time__); using the current time");
      ts = nowTimestamp();
    }
    ctx.ts = ts;
    return ts;
  };

  // Text fields. Defaults: hostname ← __source__ (then msg.sls.source), appName ← logstore.
  const useSource = c.hostnameType === "field" && c.hostname === "__source__";
  const hostname = useSource
    ? headerText("field", "__source__", 255, "hostname", warnings, (ctx) => ctx.meta.source || undefined)
    : headerText(c.hostnameType, c.hostname, 255, "hostname", warnings);
  const appName = headerText(c.appNameType, c.appName, 48, "appName", warnings);
  const procId = headerText(c.procIdType ?? "none", c.procId, 128, "procId", warnings);
  const msgId = headerText(c.msgIdType ?? "none", c.msgId, 32, "msgId", warnings);

  // Facility
  let facility: (ctx: RecordContext) => number;
  const fixedFacility = c.facilityType === "field" ? 1 : (parseFacility(c.facility ?? "user") ?? badFixed("facility", c.facility, 1));
  if (c.facilityType === "field" && c.facility) {
    const get = compileFieldPath(String(c.facility), warnings);
    facility = (ctx) => {
      const v = get(ctx.rec, ctx);
      const f = parseFacility(v);
      if (f !== undefined) return f;
      warnings.warn(
        v === undefined ? "missing" : "facility",
        `facility:${c.facility}`,
        `facility: field "${c.facility}" ${v === undefined ? "is missing in some records" : `holds "${String(textOf(v)).slice(0, 40)}", not a facility`}; using user (1)`,
      );
      return 1;
    };
  } else facility = () => fixedFacility;

  // Severity
  const def = parseSeverity(c.severityDefault ?? "info") ?? badFixed("severityDefault", c.severityDefault, 6);
  let severity: (ctx: RecordContext) => number;
  if (c.severityType === "field" && c.severity !== undefined && c.severity !== "") {
    const get = compileFieldPath(String(c.severity), warnings);
    const lookup = compileSeverityTable(c.severityTable, (row) =>
      warnings.warn("config", `severityTable:${row.values}`, `severity table: "${row.severity}" (for ${row.values}) is not a severity; row ignored`),
    );
    severity = (ctx) => {
      const v = get(ctx.rec, ctx);
      const s = lookup(v);
      if (s !== undefined) return s;
      if (v !== undefined)
        warnings.warn(
          "severity",
          `severity:${c.severity}`,
          `severity: field "${c.severity}" holds "${String(textOf(v)).slice(0, 40)}", which the value table does not know; using ${def}`,
        );
      return def;
    };
  } else {
    const fixed = c.severity === undefined || c.severity === "" ? def : (parseSeverity(c.severity) ?? badFixed("severity", c.severity, def));
    severity = () => fixed;
  }

  function badFixed(what: string, v: unknown, fallback: number): number {
    warnings.warn("config", what, `${what}: "${String(v)}" is not valid; using ${fallback}`);
    return fallback;
  }

  return {
    time,
    fill(ctx, out) {
      const sev = severity(ctx);
      out.facility = facility(ctx);
      out.severity = sev;
      out.timestamp = ctx.ts ?? time(ctx);
      const h = hostname(ctx);
      if (h !== undefined) out.hostname = h;
      const a = appName(ctx);
      if (a !== undefined) out.appName = a;
      const p = procId(ctx);
      if (p !== undefined) out.procId = p;
      const m = msgId(ctx);
      if (m !== undefined) out.msgId = m;
      return sev;
    },
  };
}

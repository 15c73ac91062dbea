// Chosen record fields into one RFC 5424 SD element, plus an optional dedup key.
//
// SD-ID: default `sls@32473`. 32473 is the documentation-only enterprise number (RFC 5612):
// production should use its own IANA PEN (`sls@<PEN>`). Names without `@` are reserved for IANA
// (only timeQuality, origin and meta are defined) and are reported.
// Fields: comma-separated names or globs; globs never pick SLS internals, exact names do.
// SD-NAMEs are sanitised (docs/syslog-and-siem.md, "Structured data"): characters outside 33–126
// and `=`, `]`, `"`, space become `_`, names are cut to 32 characters, and a clash gets a numeric
// suffix.
// Nested objects are flattened with `.`; arrays become JSON text; numbers and booleans stay
// typed (the formatter writes their text). Values are capped at MAX_SD_VALUE characters,
// because receivers cut large SD first and lib/syslog never truncates SD.
// Dedup key: project, logstore, shard, cursor (of the log group) and idx (position in the
// group) identify a record across a failover replay, so a SIEM or relay can drop repeats.

import { compileNameMatcher, hasGlob, isInternalField } from "./field-selection";
import { truncate } from "./text";
import type { SdParams, StructuredData } from "./types";
import type { RecordContext } from "./value-ref";
import type { Warnings } from "./warnings";

export const DEFAULT_SD_ID = "sls@32473";
export const MAX_SD_VALUE = 2048;
const IANA_SD_IDS = new Set(["timeQuality", "origin", "meta"]);
const DEDUP_PARAMS = ["project", "logstore", "shard", "cursor", "idx"] as const;

export function sanitizeSdName(name: string): string {
  const s = name.replace(/[^\x21-\x7e]|[=\]"]/g, "_");
  return s === "" ? "_" : s.slice(0, 32);
}

/** Validates/sanitises an SD-ID: `name@PEN` (PEN digits, dotted sub-ids allowed) or an IANA name. */
export function sanitizeSdId(id: string, warnings: Warnings): string {
  const s = sanitizeSdName(id.trim() === "" ? DEFAULT_SD_ID : id.trim());
  if (s !== id.trim()) warnings.warn("config", "sdId", `SD-ID "${id}" is not a valid SD-NAME; using "${s}"`);
  const at = s.indexOf("@");
  if (at < 0 ? !IANA_SD_IDS.has(s) : !/^[^@]+@\d+(\.\d+)*$/.test(s))
    warnings.warn("config", "sdId-pen", `SD-ID "${s}" should be name@<your IANA enterprise number>, e.g. sls@32473`);
  return s;
}

export interface SdOptions {
  sdId: string;
  fields: string;
  dedup: boolean;
}

export function compileStructuredData(o: SdOptions, warnings: Warnings): (ctx: RecordContext) => StructuredData | undefined {
  const sdId = sanitizeSdId(o.sdId, warnings);
  const patterns = o.fields
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const exact = new Set(patterns.filter((p) => !hasGlob(p)));
  const match = patterns.length ? compileNameMatcher(patterns) : () => false;
  const chosen = new Map<string, boolean>();
  const picks = (k: string): boolean => {
    let b = chosen.get(k);
    if (b === undefined) {
      b = match(k) && (exact.has(k) || !isInternalField(k));
      if (chosen.size < 4096) chosen.set(k, b);
    }
    return b;
  };
  const dedup = o.dedup;
  return (ctx) => {
    const params: SdParams = {};
    if (dedup) {
      const m = ctx.meta;
      if (m.project !== undefined) params.project = m.project;
      if (m.logstore !== undefined) params.logstore = m.logstore;
      if (m.shard !== undefined) params.shard = m.shard;
      if (m.cursor !== undefined) params.cursor = m.cursor;
      if (m.index !== undefined) params.idx = m.index;
      else
        warnings.warn(
          "dedup",
          "idx",
          "dedup key: the messages carry no record index (msg.sls.index), so idx is left out and records of one log group share a key",
        );
    }
    if (patterns.length) {
      const rec = ctx.rec;
      for (const k in rec) if (picks(k)) addParam(params, k, rec[k], warnings, 0, dedup);
    }
    for (const _ in params) return { [sdId]: params };
    return undefined;
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

function addParam(params: SdParams, name: string, v: unknown, warnings: Warnings, depth: number, dedup: boolean): void {
  if (v === undefined || v === null) return;
  if (typeof v === "object" && !Array.isArray(v) && depth < 8) {
    for (const k in v as Record<string, unknown>) addParam(params, name + "." + k, (v as Record<string, unknown>)[k], warnings, depth + 1, dedup);
    return;
  }
  let value: string | number | boolean;
  if (typeof v === "number" || typeof v === "boolean") value = v;
  else if (typeof v === "string") value = v;
  else {
    try {
      value = JSON.stringify(v) ?? String(v);
    } catch {
      value = String(v);
    }
  }
  if (typeof value === "string" && value.length > MAX_SD_VALUE) {
    warnings.warn("too-long", `sd:${name}`, `structured data: field "${name}" is longer than ${MAX_SD_VALUE} characters and was cut`);
    value = truncate(value, MAX_SD_VALUE);
  }
  let key = sanitizeSdName(name);
  if (key === "__proto__") key = "_proto_"; // would set the prototype instead of a param
  if (hasOwn.call(params, key) || (dedup && DEDUP_PARAMS.includes(key as (typeof DEDUP_PARAMS)[number]))) {
    let n = 2;
    const suffixed = () => key.slice(0, 32 - String(n).length - 1) + "_" + n;
    while (hasOwn.call(params, suffixed())) n++;
    key = suffixed();
  }
  params[key] = value;
}

// Value references: where a header field, CEF/LEEF attribute or template value comes from.
// `str` is fixed text, `field` a field path of the record, `meta` a key of the record's metadata
// (msg.sls), `none` no value. Each reference compiles once into a getter over a RecordContext.

import { hostname as osHostname } from "node:os";
import { compileFieldPath, type PathScratch } from "./field-path";
import type { RecordMeta, RefType, SlsRecord, Timestamp } from "./types";
import { META_KEYS } from "./settings";
import type { Warnings } from "./warnings";

/** Everything a compiled rule may read while mapping one record. */
export interface RecordContext extends PathScratch {
  rec: SlsRecord;
  meta: RecordMeta;
  /** Resolved event time (set by the header mapping before attributes and bodies run). */
  ts?: Timestamp;
}

export type ValueGetter = (ctx: RecordContext) => unknown;

export type MetaKey = (typeof META_KEYS)[number];

const forwarder = osHostname();

export function tsMillis(ts: Timestamp): number {
  return ts.seconds * 1000 + Math.floor(ts.nanos / 1e6);
}

/** RFC 3339 UTC with milliseconds: what `Date#toISOString` gives. */
export function tsIso(ts: Timestamp): string {
  return new Date(tsMillis(ts)).toISOString();
}

function metaGetter(key: string): ValueGetter | undefined {
  switch (key as MetaKey) {
    case "timeMs":
      return (c) => (c.ts ? tsMillis(c.ts) : undefined);
    case "timeIso":
      return (c) => (c.ts ? tsIso(c.ts) : undefined);
    case "time":
      return (c) => (c.ts ? c.ts.seconds : c.meta.time);
    case "timeNs":
      return (c) => (c.ts ? c.ts.nanos : c.meta.timeNs);
    case "forwarder":
      return () => forwarder;
    case "project":
    case "logstore":
    case "consumerGroup":
    case "shard":
    case "cursor":
    case "topic":
    case "source":
    case "index":
      return (c) => c.meta[key as keyof RecordMeta];
    default:
      return undefined;
  }
}

/**
 * Compiles a reference. Unknown meta keys and empty field paths compile to "no value" with a
 * warning, so a bad saved config degrades instead of failing the deploy.
 */
export function compileRef(type: RefType | undefined, value: string | undefined, warnings: Warnings, what: string): ValueGetter | undefined {
  const v = value ?? "";
  switch (type ?? "str") {
    case "none":
      return undefined;
    case "str":
      return v === "" ? undefined : () => v;
    case "field": {
      if (v === "") return undefined;
      const get = compileFieldPath(v, warnings);
      return (c) => get(c.rec, c);
    }
    case "meta": {
      const g = metaGetter(v);
      if (!g) warnings.warn("config", what, `${what}: unknown metadata key "${v}" (known: ${META_KEYS.join(", ")})`);
      return g;
    }
    default:
      warnings.warn("config", what, `${what}: unknown value type "${String(type)}"`);
      return undefined;
  }
}

/**
 * Text form of a value: strings as they are, numbers/booleans/bigints in their string form,
 * objects as JSON; `undefined` for null/undefined (and for values JSON cannot express).
 */
export function textOf(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "object") {
    try {
      return JSON.stringify(v);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * A text value with a default: the reference's text, else `fallback` (and, when a configured
 * field or metadata key gave nothing, one warning naming it).
 */
export function compileText(
  type: RefType | undefined,
  value: string | undefined,
  fallback: string,
  warnings: Warnings,
  what: string,
): (ctx: RecordContext) => string {
  const get = compileRef(type, value, warnings, what);
  if (!get) return () => fallback;
  return (ctx) => {
    const t = textOf(get(ctx));
    if (t !== undefined && t !== "") return t;
    warnings.warn("missing", `${what}:${value}`, `${what}: ${type} "${value}" has no value in some records; using "${fallback}"`);
    return fallback;
  };
}

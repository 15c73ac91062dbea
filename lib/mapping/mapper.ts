// The compiled mapper: settings are turned into closures once (at deploy), so mapping a record is
// a straight run of property reads and string concatenation (bench/mapping.ts measures it).
// Input: msg.payload (one record or an array of records) and msg.sls (single: the record's
// metadata; batch: common metadata plus records[i] per record). Output: msg.syslog (an object,
// or an array parallel to the payload). Nothing throws: bad input degrades to defaults and is
// reported through the warning sink once per kind and field.

import { compileCef } from "./cef";
import { compileFieldPath } from "./field-path";
import { compileFieldSelection } from "./field-selection";
import { compileHeader } from "./header";
import { compileJson, stringify } from "./json";
import { compileKv } from "./kv";
import { compileLeef } from "./leef";
import { compileStructuredData, DEFAULT_SD_ID } from "./structured-data";
import { compileTemplate } from "./template";
import { slsTime, nowTimestamp } from "./timestamp";
import type { MappingConfig, RecordMeta, SlsRecord, SyslogFields, WarnFn } from "./types";
import { textOf, type RecordContext } from "./value-ref";
import { Warnings } from "./warnings";
import { BASE_CONFIG } from "./presets";
import { kvSeparatorProblem } from "./settings";

export const DEFAULT_KV_SEPARATOR = "||";

type Body = (ctx: RecordContext, severity: number) => string;

export interface Mapper {
  /** Maps one record with its metadata. */
  mapRecord(rec: SlsRecord, meta: RecordMeta): SyslogFields;
  /** Maps msg.payload/msg.sls: an object for one record, an array for a batch. */
  mapMessage(payload: unknown, sls: unknown): SyslogFields | SyslogFields[];
  readonly warnings: Warnings;
}

function compileBody(c: MappingConfig, warnings: Warnings): Body | undefined {
  const decide = compileFieldSelection(c.fieldRules, c.keepInternal === true);
  switch (c.format ?? "kv") {
    case "kv": {
      let sep = c.kvSeparator ?? DEFAULT_KV_SEPARATOR;
      const problem = kvSeparatorProblem(sep);
      if (problem) {
        warnings.warn("config", "kvSeparator", `key=value: ${problem}; using "${DEFAULT_KV_SEPARATOR}"`);
        sep = DEFAULT_KV_SEPARATOR;
      }
      const kv = compileKv({ separator: sep, escape: c.kvEscape ?? "backslash", leadingSeparator: c.kvLeadingSeparator !== false, order: c.kvOrder }, decide);
      return (ctx) => kv(ctx.rec);
    }
    case "json": {
      const json = compileJson({ sortKeys: c.jsonSortKeys !== false, expand: c.jsonExpand === true }, decide);
      return (ctx) => json(ctx.rec);
    }
    case "cef":
      return compileCef(c, decide, warnings);
    case "leef":
      return compileLeef(c, decide, warnings);
    case "template": {
      const t = compileTemplate(c.template ?? "", c.templateEscape === "html", warnings);
      return (ctx) => t(ctx);
    }
    case "field": {
      if (!c.bodyField) {
        warnings.warn("config", "bodyField", 'body: format "field" needs a field; the body is left empty');
        return () => "";
      }
      const get = compileFieldPath(c.bodyField, warnings);
      return (ctx) => {
        const t = textOf(get(ctx.rec, ctx));
        if (t === undefined) warnings.warn("missing", `body:${c.bodyField}`, `body: field "${c.bodyField}" is missing in some records; the body is empty`);
        return t ?? "";
      };
    }
    case "none":
      return undefined;
    default:
      warnings.warn("config", "format", `body: unknown format "${String(c.format)}"; using key=value`);
      return compileBody({ ...c, format: "kv" }, warnings);
  }
}

/** Keys of a batch's msg.sls shared by all its records (time, cursor, index are per record). */
const COMMON_KEYS: (keyof RecordMeta)[] = ["project", "logstore", "consumerGroup", "shard", "topic", "source", "tags"];

function commonMeta(sls: unknown): RecordMeta {
  const m: RecordMeta = {};
  if (sls === null || typeof sls !== "object") return m;
  const s = sls as Record<string, unknown>;
  for (const k of COMMON_KEYS) if (s[k] !== undefined && s[k] !== null) (m as Record<string, unknown>)[k] = s[k];
  return m;
}

/** Batch: common metadata overlaid with one records[i] entry (a fixed-shape literal: fast). */
function recordMeta(c: RecordMeta, r: RecordMeta): RecordMeta {
  return {
    project: r.project ?? c.project,
    logstore: r.logstore ?? c.logstore,
    consumerGroup: r.consumerGroup ?? c.consumerGroup,
    shard: r.shard ?? c.shard,
    cursor: r.cursor ?? c.cursor,
    time: r.time ?? c.time,
    timeNs: r.timeNs ?? c.timeNs,
    topic: r.topic ?? c.topic,
    source: r.source ?? c.source,
    tags: r.tags ?? c.tags,
    index: r.index ?? c.index,
  };
}

export function compileMapper(config: MappingConfig, warn?: WarnFn): Mapper {
  const warnings = new Warnings(warn);
  const c: MappingConfig = { ...BASE_CONFIG };
  for (const [k, v] of Object.entries(config ?? {})) if (v !== undefined && v !== null) (c as Record<string, unknown>)[k] = v;
  const header = compileHeader(c, warnings);
  const sd = c.sdEnabled ? compileStructuredData({ sdId: c.sdId ?? DEFAULT_SD_ID, fields: c.sdFields ?? "", dedup: c.sdDedup === true }, warnings) : undefined;
  const body = compileBody(c, warnings);

  function mapRecord(rec: SlsRecord, meta: RecordMeta): SyslogFields {
    const out: SyslogFields = {};
    try {
      const ctx: RecordContext = { rec, meta, ts: undefined, json: undefined };
      header.time(ctx);
      const sev = header.fill(ctx, out);
      if (sd) {
        const s = sd(ctx);
        if (s !== undefined) out.structuredData = s;
      }
      if (body) out.message = flatten(body(ctx, sev));
    } catch (err) {
      // Defensive: a bug or an exotic value must not take the flow down.
      warnings.warn("internal", "mapper", `mapping failed (${(err as Error).message}); the record is sent as JSON`);
      out.timestamp = slsTime(meta, rec) ?? nowTimestamp();
      out.message = stringify(rec, false);
    }
    return out;
  }

  function asRecord(v: unknown, where: string): SlsRecord {
    if (v !== null && typeof v === "object" && !Array.isArray(v) && !Buffer.isBuffer(v)) return v as SlsRecord;
    warnings.warn("input", where, `${where} is not an SLS record (an object of fields); it is mapped as an empty record`);
    return {};
  }

  function mapMessage(payload: unknown, sls: unknown): SyslogFields | SyslogFields[] {
    // One record: msg.sls already is its metadata (only read, never changed).
    if (!Array.isArray(payload)) return mapRecord(asRecord(payload, "msg.payload"), sls !== null && typeof sls === "object" ? (sls as RecordMeta) : {});
    const common = commonMeta(sls);
    const records = sls !== null && typeof sls === "object" ? (sls as { records?: unknown }).records : undefined;
    const perRecord = Array.isArray(records) ? records : [];
    const out: SyslogFields[] = new Array(payload.length);
    for (let i = 0; i < payload.length; i++) {
      const r = perRecord[i];
      // No guessing of `index` from positions: a log group may straddle two batch messages.
      const meta: RecordMeta = r !== null && typeof r === "object" ? recordMeta(common, r as RecordMeta) : common;
      out[i] = mapRecord(asRecord(payload[i], `msg.payload[${i}]`), meta);
    }
    return out;
  }

  return { mapRecord, mapMessage, warnings };
}

/**
 * The body in one piece. Encoders build it from dozens of concatenations (a tree of string
 * pieces); flattening it here, while the pieces are fresh in cache and young in the heap, is much
 * cheaper than letting the out node (or the socket write) do it after the message has queued.
 */
function flatten(s: string): string {
  Buffer.byteLength(s, "utf8");
  return s;
}

import type { MappingSettings } from "./settings";

// Shapes shared by the mapping engine: what goes in (an SLS record plus its metadata), how it is
// configured (one flat, JSON-serialisable settings object: exactly what the editor saves), and
// what comes out (the msg.syslog object that sls-syslog-out reads).

/** One SLS log as the consumer emits it: field name → value (strings, plus `__time__` as a number). */
export type SlsRecord = Record<string, unknown>;

/** Metadata of one record: msg.sls (single) or msg.sls merged with msg.sls.records[i] (batch). */
export interface RecordMeta {
  project?: string;
  logstore?: string;
  consumerGroup?: string;
  shard?: number | string;
  cursor?: string;
  time?: number;
  timeNs?: number;
  topic?: string;
  source?: string;
  tags?: Record<string, string>;
  /** Position of the log inside its log group, when the consumer provides it. */
  index?: number;
}

/** `{seconds, nanos}`: the timestamp form of the shared contract (keeps sub-millisecond digits). */
export interface Timestamp {
  seconds: number;
  nanos: number;
}

export type SdParams = Record<string, string | number | boolean>;
export type StructuredData = Record<string, SdParams>;

/** msg.syslog as read by sls-syslog-out (docs/architecture.md, "Shared contracts"). */
export interface SyslogFields {
  facility?: number;
  severity?: number;
  timestamp?: Timestamp;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  structuredData?: StructuredData;
  message?: string;
}

/**
 * Where a value comes from: `str` a fixed text, `field` a field path of the record
 * (see field-path.ts), `meta` a metadata key (see value-ref.ts), `none` nothing.
 */
export type RefType = "str" | "field" | "meta" | "none";

export type BodyFormat = "kv" | "json" | "cef" | "leef" | "template" | "field" | "none";
export type KvEscape = "backslash" | "quote" | "none";
export type TimestampSource = "sls" | "field" | "now";
export type TimestampUnit = "auto" | "s" | "ms" | "us" | "ns" | "iso";

/** A row of the field-rule list: include/exclude a name or glob, or rename one field. */
export interface FieldRule {
  action: "include" | "exclude" | "rename";
  pattern: string;
  /** New name (rename only). */
  to?: string;
}

/** A row of the severity value table: `values` is `|`-separated, e.g. `ERROR|error|E|3`. */
export interface SeverityRow {
  values: string;
  severity: string | number;
}

/** A CEF extension key / LEEF attribute taken from a value reference. */
export interface AttributeRule {
  key: string;
  type: RefType;
  value: string;
}

/**
 * Mapping settings: every key is optional; compileMapper() fills in the defaults. The keys, their
 * values and defaults are defined once, in settings.ts. Value references are pairs `<name>` +
 * `<name>Type`.
 */
export type MappingConfig = Partial<MappingSettings> & { version?: number; preset?: string };

/** Warning sink: called once per (kind, field) for the lifetime of a compiled mapper. */
export type WarnFn = (text: string) => void;

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

/** msg.syslog as read by sls-syslog-out (architecture.md, shared contracts). */
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
 * Mapping settings. Every property is optional; compileMapper() fills in the defaults listed
 * here. Value references are pairs `<name>` + `<name>Type`.
 */
export interface MappingConfig {
  version?: number;
  preset?: string;

  // Field selection (body fields: kv, json, appended CEF/LEEF attributes)
  /** Keep SLS internals (`__tag__:*`, `__topic__`, `__source__`, `__time__`, ...). Default false. */
  keepInternal?: boolean;
  fieldRules?: FieldRule[];

  // Header
  timestampSource?: TimestampSource; // default "sls"
  timestampField?: string;
  timestampUnit?: TimestampUnit; // default "auto"
  hostname?: string; // default field __source__, falling back to msg.sls.source
  hostnameType?: RefType;
  appName?: string; // default meta logstore
  appNameType?: RefType;
  procId?: string;
  procIdType?: RefType; // default none
  msgId?: string;
  msgIdType?: RefType; // default none
  /** Fixed facility (number or name) or, with facilityType "field", a field path. Default `user`. */
  facility?: string | number;
  facilityType?: "fixed" | "field";
  /** Fixed severity or, with severityType "field", a field path read through severityTable. */
  severity?: string | number;
  severityType?: "fixed" | "field";
  severityTable?: SeverityRow[];
  severityDefault?: string | number; // default info

  // Body
  format?: BodyFormat; // default kv
  kvSeparator?: string; // default "||"
  kvEscape?: KvEscape; // default backslash
  kvLeadingSeparator?: boolean; // default true (`||k=v||k=v`, as the original recipe)
  kvOrder?: "record" | "sls-first"; // default record; see kv.ts
  jsonSortKeys?: boolean; // default true
  jsonExpand?: boolean; // parse fields holding JSON text into nested values; default false
  template?: string;
  templateEscape?: "none" | "html"; // default none
  bodyField?: string; // format "field": the body is this field's text

  // CEF / LEEF header and attributes
  cefVersion?: 0 | 1 | "0" | "1";
  vendor?: string;
  vendorType?: RefType;
  product?: string;
  productType?: RefType;
  productVersion?: string;
  productVersionType?: RefType;
  eventId?: string;
  eventIdType?: RefType;
  eventName?: string;
  eventNameType?: RefType;
  /** CEF severity: "auto" = from the syslog severity (table in syslog-and-siem.md 7.3), or a ref. */
  cefSeverity?: string;
  cefSeverityType?: RefType | "auto";
  leefVersion?: "1.0" | "2.0";
  leefDelimiter?: string; // 2.0 only; one character or x/0x + hex; default "^"
  leefDevTime?: "iso" | "epoch" | "none"; // default iso
  attributes?: AttributeRule[];
  /** Append the selected fields after the mapped attributes (keys sanitised). Default true. */
  attributesIncludeFields?: boolean;

  // Structured data
  sdEnabled?: boolean; // default false
  sdId?: string; // default sls@32473 (documentation PEN: replace it with yours)
  sdFields?: string; // comma-separated names / globs
  sdDedup?: boolean; // project, logstore, shard, cursor, idx
}

/** Warning sink: called once per (kind, field) for the lifetime of a compiled mapper. */
export type WarnFn = (text: string) => void;

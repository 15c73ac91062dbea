// The mapping settings, once: every key of the sls-syslog-map node with what it accepts, its
// default (what the editor saves for a new node and what an absent key means) and when it applies.
// MappingConfig (types.ts), BASE_CONFIG (presets.ts), the node's checks (lib/config) and the
// editor's defaults and validators (generated at build) all come from here.

import { SEVERITIES, severityCode } from "../syslog/facility-severity";
import { bool, custom, list, ok, oneOf, fail, verbatim, type Check, type Rule } from "../config/rules";
import { optional, type Prop, type Raw } from "../config/spec";
import { checkSdId } from "../syslog/sd-id";
import { timeZone } from "../time-zone";
import { leefDelimiterProblem } from "./leef-delimiter";
import type { AttributeRule, FieldRule, SeverityRow } from "./types";

/** Metadata keys offered by `meta` references (and `{{@key}}` in templates). */
export const META_KEYS = [
  "project",
  "logstore",
  "consumerGroup",
  "shard",
  "cursor",
  "topic",
  "source",
  "index",
  "time",
  "timeNs",
  "timeMs",
  "timeIso",
  "forwarder",
] as const;

/** Where a value comes from: a fixed text, a field path of the record, a metadata key, nothing. */
export const REF_TYPES = ["str", "field", "meta", "none"] as const;

/** A separator must be non-empty, contain no `=` and not start with a letter, digit or `\`. */
export function kvSeparatorProblem(sep: string): string | undefined {
  if (sep === "") return "the separator is empty";
  if (sep.includes("=")) return "the separator contains =";
  if (/^[A-Za-z0-9\\]/.test(sep)) return "the separator starts with a letter, digit or backslash";
  return undefined;
}

const severityRule: Rule<string | number> = custom((v) => (severityCode(v) !== null ? (v as string | number) : undefined), {
  key: "severity",
  params: { names: SEVERITIES.join(", ") },
});

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
/** The check sls-syslog-out applies to every SD-ID it sends. */
function sdIdOk(id: string): boolean {
  try {
    checkSdId(id);
    return true;
  } catch {
    return false;
  }
}

/** Text, or a number (facility and severity codes may be saved as numbers). */
const textOrNumber: Rule<string | number> = custom((v) => (typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) ? v : undefined), {
  key: "text",
});

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";

function fieldRule(v: unknown): Check<FieldRule> {
  const r = record(v);
  const action = oneOf(["include", "exclude", "rename"]).parse(r?.action);
  if (!action.ok) return action;
  if (!nonEmpty(r?.pattern)) return fail("required-field", { field: "pattern" });
  if (action.value === "rename" && !nonEmpty(r?.to)) return fail("required-field", { field: "to" });
  return ok(r as unknown as FieldRule);
}

function severityRow(v: unknown): Check<SeverityRow> {
  const r = record(v);
  if (!nonEmpty(r?.values)) return fail("required-field", { field: "values" });
  const s = severityRule.parse(r?.severity);
  return s.ok ? ok(r as unknown as SeverityRow) : s;
}

function attributeRule(v: unknown): Check<AttributeRule> {
  const r = record(v);
  if (!nonEmpty(r?.key)) return fail("required-field", { field: "key" });
  const t = oneOf(REF_TYPES).parse(r?.type);
  if (!t.ok) return t;
  const value = refValueProblem(t.value, r?.value);
  return value ? { ok: false, why: value.why } : ok(r as unknown as AttributeRule);
}

/** Why a value reference of `type` cannot use `value` (a field needs a path, meta a known key). */
export function refValueProblem(type: unknown, value: unknown): { why: { key: string; params?: Record<string, string> } } | undefined {
  if (type === "field" && !nonEmpty(value)) return { why: { key: "field-path" } };
  if (type === "meta" && !(META_KEYS as readonly unknown[]).includes(value)) return { why: { key: "meta-key", params: { values: META_KEYS.join(", ") } } };
  return undefined;
}

/** A condition on another setting (an absent key has its default). */
function is(key: string, ...values: unknown[]): (c: Raw) => boolean {
  return (c) => values.includes(c[key] ?? defaultOf(key));
}
function defaultOf(key: string): unknown {
  return (MAPPING_SETTINGS as Record<string, Prop<unknown>>)[key]?.default;
}

/** A setting whose default also stands for an absent key; empty text is a value (it can mean "nothing"). */
function setting<T>(rule: Rule<T>, dflt: T, when?: (c: Raw) => boolean): Prop<T> {
  return optional(rule, dflt, dflt, { keepsEmpty: true, ...(when ? { when } : {}) }) as Prop<T>;
}

/** A value reference: `<name>` is read by the type in `<name>Type` (checked across both, lib/config/sls-syslog-map.ts). */
const ref = (dflt: string, when?: (c: Raw) => boolean) => setting(verbatim(), dflt, when);
const refType = (dflt: (typeof REF_TYPES)[number], when?: (c: Raw) => boolean) => setting(oneOf(REF_TYPES), dflt, when);

const kv = is("format", "kv");
const json = is("format", "json");
const cefOrLeef = is("format", "cef", "leef");
const cef = is("format", "cef");
const leef = is("format", "leef");

export const MAPPING_SETTINGS = {
  // Field selection (body fields: kv, json, appended CEF/LEEF attributes)
  /** Keep SLS internals (`__tag__:*`, `__topic__`, `__source__`, `__time__`, ...). */
  keepInternal: setting(bool(), false),
  fieldRules: setting(list(fieldRule), [] as FieldRule[]),

  // Header
  timestampSource: setting(oneOf(["sls", "field", "now"]), "sls"),
  timestampField: setting(verbatim(), "", is("timestampSource", "field")),
  timestampUnit: setting(oneOf(["auto", "s", "ms", "us", "ns", "iso"]), "auto", is("timestampSource", "field")),
  /** Zone of field times written without one (ISO text): UTC, +08:00, or an IANA name such as Asia/Shanghai. */
  timestampZone: setting(
    custom((v) => (typeof v === "string" && timeZone(v) ? v.trim() : undefined), { key: "time-zone" }),
    "UTC",
    is("timestampSource", "field"),
  ),
  /** Default: the field __source__ (falling back to msg.sls.source). */
  hostname: ref("__source__"),
  hostnameType: refType("field"),
  appName: ref("logstore"),
  appNameType: refType("meta"),
  procId: ref(""),
  procIdType: refType("none"),
  msgId: ref(""),
  msgIdType: refType("none"),
  /** Fixed facility (number or name) or, with facilityType "field", a field path. */
  facility: setting(textOrNumber, "user"),
  facilityType: setting(oneOf(["fixed", "field"]), "fixed"),
  /** Fixed severity or, with severityType "field", a field path read through severityTable. */
  severity: setting(textOrNumber, "info"),
  severityType: setting(oneOf(["fixed", "field"]), "fixed"),
  severityTable: setting(list(severityRow), [] as SeverityRow[], is("severityType", "field")),
  /** For field values the table does not know (and an empty fixed severity). */
  severityDefault: setting(severityRule, "info"),

  // Body
  format: setting(oneOf(["kv", "json", "cef", "leef", "template", "field", "none"]), "kv"),
  kvSeparator: setting(
    custom(
      (v) => (typeof v === "string" && kvSeparatorProblem(v) === undefined ? v : undefined),
      (v) => ({ key: "detail", params: { text: kvSeparatorProblem(String(v)) ?? "" } }),
    ),
    "||",
    kv,
  ),
  kvEscape: setting(oneOf(["backslash", "quote", "none"]), "backslash", kv),
  /** `||k=v||k=v`, as the original recipe. */
  kvLeadingSeparator: setting(bool(), true, kv),
  /** See kv.ts. */
  kvOrder: setting(oneOf(["record", "sls-first"]), "record", kv),
  jsonSortKeys: setting(bool(), true, json),
  /** Parse fields holding JSON text into nested values. */
  jsonExpand: setting(bool(), false, json),
  template: setting(verbatim(), "", is("format", "template")),
  templateEscape: setting(oneOf(["none", "html"]), "none", is("format", "template")),
  /** Format "field": the body is this field's text. */
  bodyField: setting(verbatim(), "", is("format", "field")),

  // CEF / LEEF header and attributes
  cefVersion: setting<0 | 1 | "0" | "1">(
    custom((v) => (v === 0 || v === 1 || v === "0" || v === "1" ? v : undefined), { key: "one-of", params: { values: "0, 1" } }),
    "0",
    cef,
  ),
  vendor: ref("Alibaba Cloud", cefOrLeef),
  vendorType: refType("str", cefOrLeef),
  product: ref("SLS", cefOrLeef),
  productType: refType("str", cefOrLeef),
  productVersion: ref("1.0", cefOrLeef),
  productVersionType: refType("str", cefOrLeef),
  eventId: ref("logstore", cefOrLeef),
  eventIdType: refType("meta", cefOrLeef),
  eventName: ref("SLS log", cef),
  eventNameType: refType("str", cef),
  /** CEF severity: "auto" = from the syslog severity (docs/syslog-and-siem.md, "Severity and facility"), or a ref. */
  cefSeverity: ref("", cef),
  cefSeverityType: setting(oneOf(["auto", ...REF_TYPES]), "auto", cef),
  leefVersion: setting(oneOf(["1.0", "2.0"]), "2.0", leef),
  /** LEEF 2.0 only: one character or x/0x + hex. */
  leefDelimiter: setting(
    custom(
      (v) => (typeof v === "string" && leefDelimiterProblem(v) === undefined ? v : undefined),
      (v) => ({ key: "detail", params: { text: typeof v === "string" ? (leefDelimiterProblem(v) ?? "") : "must be text" } }),
    ),
    "^",
    (c) => leef(c) && is("leefVersion", "2.0")(c),
  ),
  leefDevTime: setting(oneOf(["iso", "epoch", "none"]), "iso", leef),
  attributes: setting(list(attributeRule), [] as AttributeRule[], cefOrLeef),
  /** Append the selected fields after the mapped attributes (keys sanitised). */
  attributesIncludeFields: setting(bool(), true, cefOrLeef),

  // Structured data
  sdEnabled: setting(bool(), false),
  /** The default uses the documentation enterprise number: replace it with yours. */
  sdId: setting(
    custom((v) => (typeof v === "string" && sdIdOk(v.trim()) ? v.trim() : undefined), { key: "sd-id" }),
    "sls@32473",
    is("sdEnabled", true),
  ),
  /** Comma-separated names / globs. */
  sdFields: setting(verbatim(), "", is("sdEnabled", true)),
  /** Adds project, logstore, shard, cursor, idx. */
  sdDedup: setting(bool(), false, is("sdEnabled", true)),
};

type Settings = typeof MAPPING_SETTINGS;
export type MappingSettings = { [K in keyof Settings]: Settings[K] extends Prop<infer T> ? T : never };

/** Every setting at its default: what a new node saves, and what absent keys mean. */
export function mappingDefaults(): MappingSettings {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(MAPPING_SETTINGS as Record<string, Prop<unknown>>)) out[k] = JSON.parse(JSON.stringify(p.default)) as unknown;
  return out as MappingSettings;
}

// Turns a Node-RED message into syslog records per the shared contract, without Node-RED:
// `msg.syslog` (object, or array parallel to `msg.payload` in batch mode) over node defaults;
// body from `syslog.message`, else the payload (string as is, Buffer as UTF-8, object → JSON);
// timestamp from the record, else the SLS record time (`msg.sls.time`/`timeNs`, or per record
// `msg.sls.records[i]`), else now.

import type { SyslogRecord } from "./formatter-input";
import type { TimestampInput } from "./timestamp";

export interface MessageLike {
  payload?: unknown;
  syslog?: unknown;
  sls?: { time?: unknown; timeNs?: unknown; records?: unknown } | null;
}

type Defaults = Omit<SyslogRecord, "message" | "timestamp">;

function slsTime(src: unknown): TimestampInput | undefined {
  if (!src || typeof src !== "object") return undefined;
  const { time, timeNs } = src as { time?: unknown; timeNs?: unknown };
  if (typeof time !== "number" || !Number.isFinite(time)) return undefined;
  return { seconds: time, nanos: typeof timeNs === "number" && Number.isFinite(timeNs) ? timeNs : 0 };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Not undefined, null or "": a value that overrides the node's default. */
const given = (v: unknown): boolean => v !== undefined && v !== null && v !== "";

const NONE: Record<string, unknown> = {};

const OBJECT_PROTO = Object.prototype;

/**
 * Whether Object.prototype carries a record field (someone polluted it). Until it does, a plain
 * object's fields are all its own, and the nine hasOwnProperty calls per record (a builtin call
 * each, about half of this file's cost per message in bench:syslog) can be skipped. V8 folds these
 * checks while Object.prototype's shape stays the same.
 */
const protoHasField = (): boolean =>
  "facility" in OBJECT_PROTO ||
  "severity" in OBJECT_PROTO ||
  "hostname" in OBJECT_PROTO ||
  "appName" in OBJECT_PROTO ||
  "procId" in OBJECT_PROTO ||
  "msgId" in OBJECT_PROTO ||
  "structuredData" in OBJECT_PROTO ||
  "timestamp" in OBJECT_PROTO ||
  "message" in OBJECT_PROTO;

/** `k` is an own property of `o`; `o` null: known without asking (a plain object, see protoHasField). */
const owns = (o: object | null, k: string): boolean => o === null || hasOwn.call(o, k);

/**
 * One record, built as a single fixed-shape object (this runs per frame): msg.syslog's own fields
 * over the defaults; the SLS time (`timeSrc`, else `common`) is only looked at without a
 * timestamp. Each field is a named property read (a keyed read per field, through a helper that
 * was not inlined, cost more: docs/performance.md, "Figures behind the code's constants").
 */
function one(over: unknown, payload: unknown, defaults: Defaults, timeSrc: unknown, common: TimestampInput | undefined): SyslogRecord {
  const o = over && typeof over === "object" && !Array.isArray(over) ? (over as Record<string, unknown>) : NONE;
  const { facility, severity, hostname, appName, procId, msgId, structuredData, timestamp, message } = o;
  // Inherited values never count: asked per field only when something could be inherited.
  const own = Object.getPrototypeOf(o) === OBJECT_PROTO && !protoHasField() ? null : o;
  const body = message !== undefined && message !== null && owns(own, "message") ? message : payload;
  return {
    facility: (given(facility) && owns(own, "facility") ? facility : defaults.facility) as SyslogRecord["facility"],
    severity: (given(severity) && owns(own, "severity") ? severity : defaults.severity) as SyslogRecord["severity"],
    hostname: (given(hostname) && owns(own, "hostname") ? hostname : defaults.hostname) as SyslogRecord["hostname"],
    appName: (given(appName) && owns(own, "appName") ? appName : defaults.appName) as SyslogRecord["appName"],
    procId: (given(procId) && owns(own, "procId") ? procId : defaults.procId) as SyslogRecord["procId"],
    msgId: (given(msgId) && owns(own, "msgId") ? msgId : defaults.msgId) as SyslogRecord["msgId"],
    structuredData: (given(structuredData) && owns(own, "structuredData") ? structuredData : defaults.structuredData) as SyslogRecord["structuredData"],
    timestamp: timestamp !== undefined && timestamp !== null && owns(own, "timestamp") ? (timestamp as TimestampInput) : (slsTime(timeSrc) ?? common),
    message: typeof body === "string" || Buffer.isBuffer(body) ? body : body === undefined || body === null ? "" : JSON.stringify(body),
  };
}

/** Batch mode: msg.syslog or msg.payload is an array (one record per element). */
export function isBatchMessage(msg: MessageLike): boolean {
  return Array.isArray(msg.syslog) || Array.isArray(msg.payload);
}

/** The record of a message that is not a batch (see isBatchMessage). */
export function recordFromMessage(msg: MessageLike, defaults: Defaults): SyslogRecord {
  return one(msg.syslog, msg.payload, defaults, msg.sls, undefined); // msg.sls's time only when needed
}

/** One record per message, or one per element in batch mode. */
export function recordsFromMessage(msg: MessageLike, defaults: Defaults): SyslogRecord[] {
  if (!isBatchMessage(msg)) return [recordFromMessage(msg, defaults)];
  const records = msg.sls && Array.isArray(msg.sls.records) ? (msg.sls.records as unknown[]) : undefined;
  const common = slsTime(msg.sls);
  if (Array.isArray(msg.syslog)) {
    const payloads = Array.isArray(msg.payload) ? msg.payload : [];
    return msg.syslog.map((s, i) => one(s, payloads[i], defaults, records?.[i], common));
  }
  const payloads = msg.payload as unknown[];
  return payloads.map((p, i) => one(msg.syslog, p, defaults, records?.[i], common));
}

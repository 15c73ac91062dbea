// Turns a Node-RED message into syslog records per the shared contract, without Node-RED:
// `msg.syslog` (object, or array parallel to `msg.payload` in batch mode) over node defaults;
// body from `syslog.message`, else the payload (string as is, Buffer as UTF-8, object → JSON);
// timestamp from the record, else the SLS record time (`msg.sls.time`/`timeNs`, or per record
// `msg.sls.records[i]`), else now.

import type { SyslogRecord } from "./record";
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

function has(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k) && (o as Record<string, unknown>)[k] !== undefined && (o as Record<string, unknown>)[k] !== null;
}

function one(over: unknown, payload: unknown, defaults: Defaults, time: TimestampInput | undefined): SyslogRecord {
  const o = over && typeof over === "object" && !Array.isArray(over) ? (over as Record<string, unknown>) : {};
  const rec: SyslogRecord = { ...defaults };
  for (const k of ["facility", "severity", "hostname", "appName", "procId", "msgId", "structuredData"] as const) {
    if (has(o, k) && o[k] !== "") (rec as Record<string, unknown>)[k] = o[k];
  }
  rec.timestamp = has(o, "timestamp") ? (o.timestamp as TimestampInput) : time;
  const body = has(o, "message") ? o.message : payload;
  rec.message = typeof body === "string" || Buffer.isBuffer(body) ? body : body === undefined || body === null ? "" : JSON.stringify(body);
  return rec;
}

/** One record per message, or one per element in batch mode. */
export function recordsFromMessage(msg: MessageLike, defaults: Defaults): SyslogRecord[] {
  const records = msg.sls && Array.isArray(msg.sls.records) ? (msg.sls.records as unknown[]) : undefined;
  const common = slsTime(msg.sls);
  if (Array.isArray(msg.syslog)) {
    const payloads = Array.isArray(msg.payload) ? msg.payload : [];
    return msg.syslog.map((s, i) => one(s, payloads[i], defaults, slsTime(records?.[i]) ?? common));
  }
  if (Array.isArray(msg.payload)) {
    return msg.payload.map((p, i) => one(msg.syslog, p, defaults, slsTime(records?.[i]) ?? common));
  }
  return [one(msg.syslog, msg.payload, defaults, common)];
}

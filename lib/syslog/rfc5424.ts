// RFC 5424 formatter: one record → the bytes of one SYSLOG-MSG (framing is applied later).
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [SP [BOM] MSG]

import { facilityCode, priority, severityCode } from "./facility-severity";
import { HEADER_LIMITS, headerField } from "./header-field";
import { assemble, bodyBytes, type BomPolicy } from "./message-body";
import type { FormatOptions, SyslogRecord } from "./formatter-input";
import { formatStructuredData } from "./structured-data";
import type { Wire } from "./framing";
import { formatRfc3339, toInstant, type Instant } from "./timestamp";

export interface Rfc5424Options extends FormatOptions {
  bom?: BomPolicy;
  allowLongSdId?: boolean;
}

const nowInstant = (): Instant => ({ ms: Date.now(), micros: 0, digits: 3, offsetMin: 0 });

/** `<PRI>1 ` for every PRI value. */
const PRI_VERSION = Array.from({ length: 192 }, (_, p) => "<" + p + ">1 ");

// The run ` HOSTNAME APP-NAME PROCID MSGID ` mostly repeats from one record to the next (one host,
// one logstore): remember the last inputs and their text.
const UNSET = {};
let lastHost: unknown = UNSET;
let lastApp: unknown = UNSET;
let lastProc: unknown = UNSET;
let lastMsgId: unknown = UNSET;
let lastRun = "";

function idRun(rec: SyslogRecord): string {
  const { hostname, appName, procId, msgId } = rec;
  if (hostname !== lastHost || appName !== lastApp || procId !== lastProc || msgId !== lastMsgId) {
    lastRun =
      " " + headerField(hostname, HEADER_LIMITS.hostname) + " " + headerField(appName, HEADER_LIMITS.appName) + " " +
      headerField(procId, HEADER_LIMITS.procId) + " " + headerField(msgId, HEADER_LIMITS.msgId) + " ";
    lastHost = hostname;
    lastApp = appName;
    lastProc = procId;
    lastMsgId = msgId;
  }
  return lastRun;
}

/** PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA. */
function header(rec: SyslogRecord, opts: Rfc5424Options): string {
  const fac = facilityCode(rec.facility) ?? opts.defaultFacility ?? 1;
  const sev = severityCode(rec.severity) ?? opts.defaultSeverity ?? 6;
  const ts = toInstant(rec.timestamp) ?? (opts.now ?? nowInstant)();
  return PRI_VERSION[priority(fac, sev)] + formatRfc3339(ts) + idRun(rec) + formatStructuredData(rec.structuredData, opts);
}

/** Formats one record. Throws SyslogFormatError for input no retry can fix (bad SD-ID, header over maxBytes). */
export function formatRfc5424(rec: SyslogRecord, opts: Rfc5424Options = {}): Buffer {
  const w = formatRfc5424Wire(rec, opts);
  return typeof w === "string" ? Buffer.from(w, "utf8") : w;
}

/**
 * Same message as formatRfc5424, as a JS string when that is exact (a string body that fits):
 * the sender then encodes a whole batch at once, which is much cheaper than a Buffer per message.
 */
export function formatRfc5424Wire(rec: SyslogRecord, opts: Rfc5424Options = {}): Wire {
  const head = header(rec, opts);
  const bom = opts.bom ?? "auto";
  const m = rec.message;
  if (typeof m === "string") {
    let text: string;
    if (m.length === 0) text = head;
    else {
      // For the BOM decision only; byteLength === length exactly when the text is ASCII.
      const withBom = bom === "always" || (bom === "auto" && Buffer.byteLength(m, "utf8") !== m.length && !m.startsWith("CEF:") && !m.startsWith("LEEF:"));
      text = head + (withBom ? " \ufeff" : " ") + m;
    }
    if (!opts.maxBytes || Buffer.byteLength(text, "utf8") <= opts.maxBytes) return text;
  }
  return assemble(head, bodyBytes(m), bom, opts.maxBytes, opts.truncationMarker ?? " [truncated]");
}

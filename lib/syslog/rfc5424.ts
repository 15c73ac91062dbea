// RFC 5424 formatter: one record → the bytes of one SYSLOG-MSG (framing is applied later), written
// straight into a buffer: the sender's (see frame-encoder.ts), or a scratch one for formatRfc5424.
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [SP [BOM] MSG]

import { putBytes, putLatin1, writeBytes } from "./byte-writer";
import { facilityCode, priority, severityCode } from "./facility-severity";
import type { MessageWriter } from "./frame-encoder";
import type { FormatOptions, SyslogRecord } from "./formatter-input";
import { putHeaderField } from "./header-field";
import { HEADER_LIMITS } from "./header-limits";
import { putBody, type BomPolicy } from "./message-body";
import { putStructuredData } from "./structured-data";
import { inZone, putRfc3339, putTimestamp, toInstant, type Instant } from "./timestamp";

export interface Rfc5424Options extends FormatOptions {
  bom?: BomPolicy;
  allowLongSdId?: boolean;
}

const nowInstant = (): Instant => ({ ms: Date.now(), micros: 0, digits: 3, offsetMin: 0 });

// Read once: a property load per field per record is measurable here.
const { hostname: MAX_HOSTNAME, appName: MAX_APP_NAME, procId: MAX_PROC_ID, msgId: MAX_MSG_ID } = HEADER_LIMITS;

/** `<PRI>1 ` for every PRI value. */
const PRI_VERSION = Array.from({ length: 192 }, (_, p) => "<" + p + ">1 ");

// The run ` HOSTNAME APP-NAME PROCID MSGID ` mostly repeats from one record to the next (the out
// node's defaults, one host): once the same four values come twice in a row, their bytes are kept
// and copied whole. (Kept only from the second time, so values that change every record cost a
// compare, not a copy.)
const UNSET = {};
let runHost: unknown = UNSET;
let runApp: unknown = UNSET;
let runProc: unknown = UNSET;
let runMsgId: unknown = UNSET;
let runBytes: Uint8Array | null = null;

/** ` HOSTNAME APP-NAME PROCID MSGID ` (with both spaces) at `pos`. */
function putIdRun(buf: Buffer, pos: number, rec: SyslogRecord): number {
  const { hostname, appName, procId, msgId } = rec;
  const same = hostname === runHost && appName === runApp && procId === runProc && msgId === runMsgId;
  if (same && runBytes) return putBytes(buf, pos, runBytes);
  const start = pos;
  buf[pos] = 0x20;
  pos = putHeaderField(buf, pos + 1, hostname, MAX_HOSTNAME);
  buf[pos] = 0x20;
  pos = putHeaderField(buf, pos + 1, appName, MAX_APP_NAME);
  buf[pos] = 0x20;
  pos = putHeaderField(buf, pos + 1, procId, MAX_PROC_ID);
  buf[pos] = 0x20;
  pos = putHeaderField(buf, pos + 1, msgId, MAX_MSG_ID);
  buf[pos] = 0x20;
  pos++;
  if (!same) {
    runHost = hostname;
    runApp = appName;
    runProc = procId;
    runMsgId = msgId;
    runBytes = null;
  } else if (pos <= buf.length) runBytes = Uint8Array.prototype.slice.call(buf, start, pos);
  return pos;
}

/**
 * Writes one record's SYSLOG-MSG at `pos` and returns the end (beyond buf.length: it did not fit).
 * Throws SyslogFormatError for input no retry can fix (bad SD-ID, header over maxBytes).
 */
export function putRfc5424(buf: Buffer, pos: number, rec: SyslogRecord, opts: Rfc5424Options): number {
  const start = pos;
  const fac = facilityCode(rec.facility) ?? opts.defaultFacility ?? 1;
  const sev = severityCode(rec.severity) ?? opts.defaultSeverity ?? 6;
  pos = putLatin1(buf, pos, PRI_VERSION[priority(fac, sev)]);
  // A configured zone takes the general way; otherwise SLS times are written without an Instant.
  if (opts.zone) pos = putRfc3339(buf, pos, inZone(toInstant(rec.timestamp) ?? (opts.now ?? nowInstant)(), opts.zone));
  else pos = putTimestamp(buf, pos, rec.timestamp, opts.now ?? nowInstant);
  pos = putIdRun(buf, pos, rec);
  pos = putStructuredData(buf, pos, rec.structuredData, opts);
  return putBody(buf, start, pos, rec.message, opts.bom ?? "auto", opts.maxBytes, opts.truncationMarker ?? " [truncated]");
}

/** The RFC 5424 writer the sender formats records with (SyslogSender.sendWith / sendManyWith). */
export function rfc5424Writer(opts: Rfc5424Options = {}): MessageWriter<SyslogRecord> {
  return { write: (rec, buf, pos) => putRfc5424(buf, pos, rec, opts) };
}

/** Formats one record as bytes of its own. Throws SyslogFormatError for input no retry can fix (bad SD-ID, header over maxBytes). */
export function formatRfc5424(rec: SyslogRecord, opts: Rfc5424Options = {}): Buffer {
  return writeBytes((buf, pos) => putRfc5424(buf, pos, rec, opts));
}

// RFC 3164 (BSD syslog) formatter for legacy receivers and CEF-over-syslog:
//   <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG
// 3164 has no year and no zone: the wall time in UTC, or in the zone the out node is set to (many
// ArcSight and QRadar parsers read BSD headers as their local time). No structured data, no BOM.

import { putBytes } from "./byte-writer";
import { facilityCode, priority, severityCode } from "./facility-severity";
import type { MessageWriter } from "./frame-encoder";
import { headerField } from "./header-field";
import { assemble, bodyBytes } from "./message-body";
import type { FormatOptions, SyslogRecord } from "./formatter-input";
import { UTC } from "../time-zone";
import { formatBsd, inZone, toInstant } from "./timestamp";

export type Rfc3164Options = FormatOptions;

/** TAG: printable ASCII without space, `[`, `]` or `:` (they delimit it), at most 32 characters. */
function tag(appName: unknown): string {
  const s = headerField(appName, 32);
  return s === "-" ? "" : s.replace(/[[\]:]/g, "_");
}

export function formatRfc3164(rec: SyslogRecord, opts: Rfc3164Options = {}): Buffer {
  const fac = facilityCode(rec.facility) ?? opts.defaultFacility ?? 1;
  const sev = severityCode(rec.severity) ?? opts.defaultSeverity ?? 6;
  const ts = inZone(toInstant(rec.timestamp) ?? (opts.now ? opts.now() : { ms: Date.now(), micros: 0, digits: 0 as const, offsetMin: 0 }), opts.zone ?? UTC);
  const t = tag(rec.appName);
  const pid = rec.procId === undefined || rec.procId === null || rec.procId === "" ? "" : "[" + headerField(rec.procId, 128).replace(/[[\]]/g, "_") + "]";
  // Without a TAG the content follows the hostname directly; with one, "TAG[PID]:" then one space.
  const head = "<" + priority(fac, sev) + ">" + formatBsd(ts) + " " + headerField(rec.hostname, 255) + (t ? " " + t + pid + ":" : "");
  return assemble(head, bodyBytes(rec.message), "never", opts.maxBytes, opts.truncationMarker ?? " [truncated]");
}

/** The RFC 3164 writer the sender formats records with. */
export function rfc3164Writer(opts: Rfc3164Options = {}): MessageWriter<SyslogRecord> {
  return { write: (rec, buf, pos) => putBytes(buf, pos, formatRfc3164(rec, opts)) };
}

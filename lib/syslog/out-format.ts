// How sls-syslog-out turns its settings into record defaults and a formatter. Shared by the out
// node and the mapping node's editor preview, so the preview shows exactly the line the out node
// would send.

import os from "node:os";
import { UTC, timeZone } from "../time-zone";
import { facilityCode, severityCode } from "./facility-severity";
import type { BomPolicy } from "./message-body";
import type { MessageWriter } from "./frame-encoder";
import type { SyslogRecord } from "./formatter-input";
import { formatRfc3164, rfc3164Writer } from "./rfc3164";
import { formatRfc5424, rfc5424Writer } from "./rfc5424";
import { syslogNgDrops, syslogNgHostname } from "./hostname-chars";

/** The settings of an sls-syslog-out node (and its server's size limit) that shape a line. */
export interface OutSettings {
  format?: string;
  facility?: string;
  severity?: string;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  bom?: string;
  maxMessageBytes?: number | string;
  /** Zone of the header timestamp: UTC (default), +08:00, an IANA name (lib/time-zone.ts). */
  timezone?: string;
  /** "replace": `[` and a `:` outside an IPv6 address become `_` in HOSTNAME (syslog-ng drops them); "keep" (default). */
  hostnameChars?: string;
}

export interface OutFormatterHooks {
  /** With hostnameChars "keep": a record's HOSTNAME syslog-ng would drop (called when the hostname changes). */
  onDroppedHostname?: (hostname: string) => void;
}

export interface OutFormatter {
  /** Header values for fields msg.syslog leaves out (empty hostname: this host). */
  defaults: Omit<SyslogRecord, "message" | "timestamp">;
  /** Writes one record's SYSLOG-MSG (RFC 5424 or 3164) into the sender's buffers (SyslogSender.sendWith). */
  writer: MessageWriter<SyslogRecord>;
  /** One record → one SYSLOG-MSG as bytes of its own (the editor preview). */
  format(rec: SyslogRecord): Buffer;
}

/**
 * Has each record's hostname checked (and with "replace" rewritten, on the record itself: the out
 * node's records are its own) before `write`. Only a hostname different from the last one is
 * looked at, so a run of one host costs a compare.
 */
function hostnameCheck(s: OutSettings, hooks: OutFormatterHooks): ((rec: SyslogRecord) => void) | undefined {
  const replace = s.hostnameChars === "replace";
  const warn = hooks.onDroppedHostname;
  if (!replace && !warn) return undefined;
  let lastIn: unknown = undefined;
  let lastOut: unknown = undefined;
  return (rec) => {
    const h = rec.hostname;
    if (h !== lastIn) {
      lastIn = h;
      lastOut = replace ? syslogNgHostname(h) : h;
      if (!replace && syslogNgDrops(h)) warn!(String(h));
    }
    if (replace) rec.hostname = lastOut as SyslogRecord["hostname"];
  };
}

export function outFormatter(s: OutSettings, hooks: OutFormatterHooks = {}): OutFormatter {
  const defaults = {
    facility: facilityCode(s.facility) ?? 1,
    severity: severityCode(s.severity) ?? 6,
    hostname: s.hostname?.trim() || os.hostname(),
    appName: s.appName ?? "",
    procId: s.procId ?? "",
    msgId: s.msgId ?? "",
  };
  const bom: BomPolicy = s.bom === "always" || s.bom === "never" ? s.bom : "auto";
  const maxBytes = Number(s.maxMessageBytes) > 0 ? Number(s.maxMessageBytes) : undefined;
  const zone = s.timezone ? timeZone(s.timezone) : undefined;
  const opts = { defaultFacility: defaults.facility, defaultSeverity: defaults.severity, maxBytes, bom, ...(zone && zone !== UTC ? { zone } : {}) };
  const check = hostnameCheck(s, hooks);
  const inner = s.format === "rfc3164" ? rfc3164Writer(opts) : rfc5424Writer(opts);
  const formatOne = s.format === "rfc3164" ? (r: SyslogRecord) => formatRfc3164(r, opts) : (r: SyslogRecord) => formatRfc5424(r, opts);
  if (!check) return { defaults, writer: inner, format: formatOne };
  return {
    defaults,
    writer: {
      write: (rec, buf, pos) => {
        check(rec);
        return inner.write(rec, buf, pos);
      },
    },
    format: (rec) => {
      check(rec);
      return formatOne(rec);
    },
  };
}

// sls-syslog-out: the RFC 5424/3164 header values for what msg.syslog leaves out.

import { FACILITIES, SEVERITIES, facilityCode, severityCode } from "../syslog/facility-severity";
import { HEADER_LIMITS } from "../syslog/header-limits";
import { timeZone } from "../time-zone";
import { custom, int, oneOf, text } from "./rules";
import { nodeSpec, optional, required, unversioned } from "./spec";

/** A header field as RFC 5424 §6.2 allows it: printable US-ASCII, no spaces, at most `max` characters. */
const header = (max: number) => text({ pattern: new RegExp(`^[\\x21-\\x7e]{1,${max}}$`), why: { key: "header-ascii", params: { max } } });

export const SLS_SYSLOG_OUT = nodeSpec({
  type: "sls-syslog-out",
  props: {
    server: required(text(), "", { ref: "sls-syslog-server" }),
    format: optional(oneOf(["rfc5424", "rfc3164"]), "rfc5424", "rfc5424" as const),
    /** Code 0..23. */
    facility: optional(
      custom((v) => facilityCode(v) ?? undefined, { key: "facility", params: { names: FACILITIES.join(", ") } }),
      "user",
      1,
    ),
    /** Code 0..7. */
    severity: optional(
      custom((v) => severityCode(v) ?? undefined, { key: "severity", params: { names: SEVERITIES.join(", ") } }),
      "info",
      6,
    ),
    /** Empty: this machine's host name. */
    hostname: optional(header(HEADER_LIMITS.hostname), "", undefined),
    /** "replace": `[` and a `:` outside an IPv6 address become `_` in HOSTNAME (syslog-ng drops such messages). */
    hostnameChars: optional(oneOf(["keep", "replace"]), "keep", "keep" as const),
    appName: optional(header(HEADER_LIMITS.appName), "aliyun-sls", ""),
    procId: optional(header(HEADER_LIMITS.procId), "", ""),
    /** RFC 5424 only. */
    msgId: optional(header(HEADER_LIMITS.msgId), "", "", { when: (c) => c.format !== "rfc3164" }),
    bom: optional(oneOf(["auto", "always", "never"]), "auto", "auto" as const),
    /** Zone of the header timestamp: RFC 3164 writes its wall time, RFC 5424 its offset. */
    timezone: optional(
      custom((v) => (typeof v === "string" && timeZone(v) ? v.trim() : undefined), { key: "time-zone" }),
      "UTC",
      "UTC",
    ),
    /** Events-per-second cap (QRadar and ArcSight are licensed by EPS); empty: no cap. */
    eps: optional(int(1, 10_000_000), "", undefined),
    /** Most events at once under the cap; empty: one second's worth. */
    epsBurst: optional(int(1, 100_000_000), "", undefined, { when: (c) => c.eps !== undefined && c.eps !== "" }),
  },
  steps: [unversioned],
});

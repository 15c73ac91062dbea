// HOSTNAME characters syslog-ng will not take. RFC 5424 allows any printable US-ASCII in HOSTNAME,
// but syslog-ng's syslog parser ends the hostname at `[` and at a `:` that is not part of an IPv6
// address, and the message is then dropped (not stored with a shorter name). The out node can
// replace them (hostnameChars "replace"); otherwise it warns once when a hostname would be dropped.

import { isIPv6 } from "node:net";

/** The text a hostname value is written from (headerField's String() of a non-string). */
function text(host: unknown): string | undefined {
  if (host === undefined || host === null) return undefined;
  return typeof host === "string" ? host : String(host);
}

/** A bracketed IPv6 literal (`[::1]`): its address. */
function unbracketed(s: string): string | undefined {
  if (s.length > 2 && s.charCodeAt(0) === 0x5b && s.charCodeAt(s.length - 1) === 0x5d) {
    const inner = s.slice(1, -1);
    if (isIPv6(inner)) return inner;
  }
  return undefined;
}

/** True when syslog-ng would drop a message with this HOSTNAME (`[`, or `:` outside an IPv6 address). */
export function syslogNgDrops(host: unknown): boolean {
  const s = text(host);
  if (s === undefined) return false;
  if (s.indexOf("[") >= 0) return true;
  return s.indexOf(":") >= 0 && !isIPv6(s);
}

/**
 * The hostname syslog-ng takes: a bracketed IPv6 literal loses its brackets, an IPv6 address is
 * kept, otherwise each `[` and `:` becomes `_`. Other values come back as they are.
 */
export function syslogNgHostname(host: unknown): unknown {
  if (!syslogNgDrops(host)) return host;
  const s = text(host) as string;
  return unbracketed(s) ?? s.replace(/[[:]/g, "_");
}

// sls-syslog-server: the receiver, the protocol (never anything but what was chosen), TLS, queue.

import { bool, int, oneOf, text, verbatim } from "./rules";
import { nodeSpec, optional, required, unversioned, type Problem, type Raw } from "./spec";

const PROTOCOLS = ["udp", "tcp", "tls", "relp"] as const;
const protocolOf = (c: Raw): string => (typeof c.protocol === "string" ? c.protocol.trim().toLowerCase() : "");
const isRelp = (c: Raw): boolean => protocolOf(c) === "relp";
const relpTls = (c: Raw): boolean => c.relpTls === true || c.relpTls === "true";
/** TLS, or RELP over TLS. */
const isTls = (c: Raw): boolean => protocolOf(c) === "tls" || (isRelp(c) && relpTls(c));

/** Largest UDP payload (65 535 − 8 UDP − 20 IP header bytes). */
export const UDP_MAX_MESSAGE = 65_507;
/** Largest stream message we frame (RFC 6587 puts no limit; 16 MiB is far beyond any SIEM's). */
export const STREAM_MAX_MESSAGE = 16 * 1024 * 1024;

const hostName = text({ pattern: /^[^\s\x00-\x1f\x7f]+$/, why: { key: "no-space" } });
const port = int(1, 65_535);

/** TLS material that makes no sense without TLS (rejectUnauthorized is saved as true by every dialog). */
const TLS_ONLY = ["servername", "caFile", "certFile", "keyFile", "ca", "cert", "key", "passphrase"] as const;

export const SLS_SYSLOG_SERVER = nodeSpec({
  type: "sls-syslog-server",
  props: {
    host: required(hostName, ""),
    port: required(port, "6514"),
    protocol: required(oneOf(PROTOCOLS, { fold: true }), "tls"),
    /** RELP (reliable event logging: the collector confirms each message) over TLS. */
    relpTls: optional(bool(), false, false, { when: isRelp }),
    /** RELP: most messages sent and not yet confirmed. */
    relpWindow: optional(int(1, 100_000), "128", 128, { when: isRelp }),
    /** TCP only: TLS always counts octets (RFC 5425), UDP sends one message per datagram. */
    framing: optional(oneOf(["octet", "lf"]), "octet", "octet" as const, { when: (c) => protocolOf(c) === "tcp" }),
    rejectUnauthorized: optional(bool(), true, true, { when: isTls }),
    servername: optional(hostName, "", undefined, { when: isTls }),
    caFile: optional(text(), "", undefined, { when: isTls }),
    certFile: optional(text(), "", undefined, { when: isTls }),
    keyFile: optional(text(), "", undefined, { when: isTls }),
    ca: optional(verbatim(), "", undefined, { when: isTls, credential: "text" }),
    cert: optional(verbatim(), "", undefined, { when: isTls, credential: "text" }),
    key: optional(verbatim(), "", undefined, { when: isTls, credential: "password" }),
    passphrase: optional(verbatim(), "", undefined, { when: isTls, credential: "password" }),
    /** Failover receiver; its port defaults to the primary's. */
    secondaryHost: optional(hostName, "", undefined),
    secondaryPort: optional(port, "", undefined),
    maxQueueMessages: optional(int(1, 10_000_000), "10000", 10_000),
    maxQueueMB: optional(int(1, 4096), "16", 16),
    /** 0 = no limit (UDP: the largest datagram). Empty: 1400 for UDP (below a 1500-byte MTU), else 8192. */
    maxMessageBytes: optional(int(0, STREAM_MAX_MESSAGE), "8192", (c: Raw) => (protocolOf(c) === "udp" ? 1400 : 8192)),
  },
  steps: [unversioned],
  checks: (c, raw): Array<Problem | undefined> => {
    const set = (k: string): boolean => typeof raw[k] === "string" && (raw[k] as string).trim() !== "";
    return [
      c.protocol === "udp" && c.maxMessageBytes > UDP_MAX_MESSAGE
        ? { property: "maxMessageBytes", value: String(c.maxMessageBytes), why: { key: "message-bytes", params: { min: 1, max: UDP_MAX_MESSAGE } } }
        : undefined,
      // The chosen protocol is never swapped for another, and TLS settings under another protocol
      // mean someone expected TLS (e.g. ${SYSLOG_PROTOCOL} set to tcp): refuse rather than send in clear.
      !isTls(raw) && TLS_ONLY.some(set)
        ? { property: "protocol", value: c.protocol, why: { key: "tls-only", params: { protocol: c.protocol, props: TLS_ONLY.filter(set).join(", ") } } }
        : undefined,
      isTls(raw) && !!(c.cert || c.certFile) !== !!(c.key || c.keyFile) ? { property: c.cert || c.certFile ? "key" : "cert", why: { key: "cert-key" } } : undefined,
    ];
  },
});

// sls-syslog-server: the receiver, the protocol (never anything but what was chosen), TLS, queue.

import { bool, decimal, fail, int, list, ok, oneOf, text, verbatim, type Check } from "./rules";
import { nodeSpec, optional, required, unversioned, type Problem, type Raw } from "./spec";
import { STREAM_DEFAULT_MESSAGE, STREAM_MAX_MESSAGE, UDP_DEFAULT_CAP, UDP_MAX_MESSAGE } from "../syslog/limits";

const PROTOCOLS = ["udp", "tcp", "tls", "relp"] as const;
const protocolOf = (c: Raw): string => (typeof c.protocol === "string" ? c.protocol.trim().toLowerCase() : "");
const isRelp = (c: Raw): boolean => protocolOf(c) === "relp";
const relpTls = (c: Raw): boolean => c.relpTls === true || c.relpTls === "true";
/** TLS, or RELP over TLS. */
const isTls = (c: Raw): boolean => protocolOf(c) === "tls" || (isRelp(c) && relpTls(c));

const hostName = text({ pattern: /^[^\s\x00-\x1f\x7f]+$/, why: { key: "no-space" } });
const port = int(1, 65_535);

/** One more target: host, port (empty: the first target's), TLS name (empty: the server's). */
export interface MoreTarget {
  host: string;
  port?: number;
  servername?: string;
}

function moreTarget(v: unknown): Check<MoreTarget> {
  if (!v || typeof v !== "object") return fail("target");
  const t = v as Record<string, unknown>;
  const blank = (x: unknown): boolean => x === undefined || x === null || (typeof x === "string" && x.trim() === "");
  const h = blank(t.host) ? fail("target") : hostName.parse(t.host);
  if (!h.ok) return h;
  const p = blank(t.port) ? ok(undefined) : port.parse(t.port);
  if (!p.ok) return p;
  const n = blank(t.servername) ? ok(undefined) : hostName.parse(t.servername);
  if (!n.ok) return n;
  return ok({ host: h.value, port: p.value, servername: n.value });
}

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
    /** Targets after host/port, in failover order. Format 1 had one: secondaryHost/secondaryPort. */
    moreTargets: optional(list(moreTarget), [], [] as MoreTarget[]),
    /** failover: one target at a time, in order; balance: round robin over the targets up. */
    mode: optional(oneOf(["failover", "balance"]), "failover", "failover" as const),
    /** Failover: how long an earlier target must stay up before it takes over again. */
    failbackSeconds: optional(decimal(0, 86_400), "30", 30),
    maxQueueMessages: optional(int(1, 10_000_000), "10000", 10_000),
    maxQueueMB: optional(int(1, 4096), "16", 16),
    /** 0 = no limit (UDP: the largest datagram). Empty: UDP_DEFAULT_CAP for UDP, else STREAM_DEFAULT_MESSAGE. */
    maxMessageBytes: optional(int(0, STREAM_MAX_MESSAGE), String(STREAM_DEFAULT_MESSAGE), (c: Raw) =>
      protocolOf(c) === "udp" ? UDP_DEFAULT_CAP : STREAM_DEFAULT_MESSAGE,
    ),
  },
  steps: [
    unversioned,
    // 1 → 2: the one failover receiver becomes the first of a list of more targets; TLS settings
    // left filled in under a protocol without TLS, which 0.1 ignored, are cleared (this release
    // refuses them: they suggest someone expected TLS). Under tls, RELP over TLS, or a protocol the
    // runtime will refuse or an editor cannot know yet (`${VAR}`), they are kept.
    (c, credentials) => {
      const protocol = protocolOf(c);
      if (protocol === "udp" || protocol === "tcp" || (protocol === "relp" && !relpTls(c))) {
        // (The PEM texts, key and passphrase are credentials: the dialog's and the runtime's.)
        for (const k of TLS_ONLY) for (const at of [c, credentials]) if (typeof at[k] === "string" && (at[k] as string).trim() !== "") at[k] = "";
      }
      const host = typeof c.secondaryHost === "string" ? c.secondaryHost.trim() : "";
      const port = c.secondaryPort === undefined || c.secondaryPort === null ? "" : String(c.secondaryPort).trim();
      const listed = Array.isArray(c.moreTargets) && c.moreTargets.length > 0;
      if (!listed) c.moreTargets = host ? [{ host, port, servername: "" }] : [];
      delete c.secondaryHost;
      delete c.secondaryPort;
    },
  ],
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
      isTls(raw) && !!(c.cert || c.certFile) !== !!(c.key || c.keyFile)
        ? { property: c.cert || c.certFile ? "key" : "cert", why: { key: "cert-key" } }
        : undefined,
    ];
  },
});

// "Send test event" of the sls-syslog-server dialog: one RFC 5424 message to each target, over a
// connection of its own (the node's senders are not involved), and what happened on the way:
// connected to which address, the TLS session (verified or not, protocol, certificate), bytes
// written, for RELP the collector's acknowledgement; or the exact error.

import type net from "node:net";
import os from "node:os";
import type tls from "node:tls";
import { randomUUID } from "node:crypto";
import { octetFrame, lfFrame, type Framing } from "./framing";
import { openRelpOn } from "./relp";
import { formatRfc5424 } from "./rfc5424";
import { connectStream, label, openChannel, where, type ChannelOptions, type Protocol, type TlsSettings } from "./transport";
import type { Target } from "./targets";

export interface TestEventOptions {
  protocol: Protocol;
  /** TCP only (TLS and RELP count octets, UDP sends a datagram). */
  framing: Framing;
  targets: Target[];
  /** TLS material: for tls, and for relp it means RELP over TLS. */
  tls?: TlsSettings;
  /** Who sends it, for the message text (e.g. the node's name). */
  from: string;
  connectTimeoutMs?: number;
}

/** What happened with one target. */
export interface TestEventResult {
  /** `host:port`. */
  target: string;
  /** `TLS 127.0.0.1:6514`, `RELP/TLS ...`. */
  via: string;
  ok: boolean;
  /** The remote address the connection reached (streams), or the datagram went to. */
  connected?: { address: string; port: number };
  tls?: {
    /** The receiver's certificate chain was checked against the CA and the name (rejectUnauthorized). */
    verified: boolean;
    /** Why it would not verify, when verification is off. */
    authorizationError?: string;
    protocol: string | null;
    cipher?: string;
    subject?: string;
    issuer?: string;
    validTo?: string;
  };
  /** Bytes handed to the connection (the framed message). */
  bytes?: number;
  /** RELP: the collector answered 200 for the message. UDP and plain streams have no answer. */
  acknowledged?: boolean;
  error?: { code?: string; message: string };
}

export interface TestEvent {
  /** The id in the message, to look it up in the SIEM. */
  id: string;
  /** The message as sent (before framing). */
  message: string;
  results: TestEventResult[];
}

/** The test message: RFC 5424, facility user, severity notice, MSGID TEST, an id to search for. */
export function testMessage(from: string, id: string, now = new Date()): Buffer {
  return formatRfc5424(
    {
      facility: 1,
      severity: 5,
      timestamp: now,
      hostname: safeHeader(os.hostname()) || "-",
      appName: "node-red",
      procId: String(process.pid),
      msgId: "TEST",
      structuredData: null,
      message: `test event ${id} from Node-RED sls-syslog-server ${from}: if this reached the SIEM, the syslog connection works`,
    },
    {},
  );
}

function safeHeader(s: string): string {
  return s.replace(/[^\x21-\x7e]/g, "_").slice(0, 255);
}

/** Sends the test message to every target, one after the other; never throws. */
export async function sendTestEvent(o: TestEventOptions): Promise<TestEvent> {
  const id = randomUUID();
  const msg = testMessage(o.from, id);
  const results: TestEventResult[] = [];
  for (const t of o.targets) results.push(await toTarget(o, t, msg));
  return { id, message: msg.toString("utf8"), results };
}

async function toTarget(o: TestEventOptions, t: Target, msg: Buffer): Promise<TestEventResult> {
  const tlsSettings = o.tls ? { ...o.tls, ...(t.servername ? { servername: t.servername } : {}) } : undefined;
  const opts: ChannelOptions = {
    protocol: o.protocol,
    endpoint: { host: t.host, port: t.port },
    tls: tlsSettings,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
  };
  const r: TestEventResult = { target: where(t), via: label(opts), ok: false };
  try {
    if (o.protocol === "udp") {
      const ch = await openChannel(opts);
      try {
        await new Promise<void>((resolve, reject) => ch.write(msg, (e) => (e ? reject(e) : resolve())));
        r.bytes = msg.length;
        r.connected = { address: t.host, port: t.port };
      } finally {
        await ch.end();
      }
    } else {
      const socket = await connectStream(opts);
      r.connected = { address: socket.remoteAddress ?? t.host, port: socket.remotePort ?? t.port };
      if (o.protocol === "tls" || (o.protocol === "relp" && tlsSettings)) r.tls = session(socket as tls.TLSSocket);
      const frame = o.protocol === "tcp" && o.framing === "lf" ? lfFrame(msg) : octetFrame(msg);
      if (o.protocol === "relp") {
        const ch = await openRelpOn(socket, { ...opts, windowSize: 1 });
        try {
          await new Promise<void>((resolve, reject) => ch.write(frame, (e) => (e ? reject(e) : resolve())));
          r.acknowledged = true;
        } finally {
          await ch.end();
        }
      } else {
        await new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          socket.write(frame, (e) => (e ? reject(e) : resolve()));
        });
        await endSocket(socket);
      }
      r.bytes = frame.length;
    }
    r.ok = true;
  } catch (e) {
    const err = e as Error & { code?: string };
    r.error = { code: err.code, message: err.message };
  }
  return r;
}

function session(s: tls.TLSSocket): NonNullable<TestEventResult["tls"]> {
  const cert = s.getPeerCertificate();
  const name = (x: unknown): string | undefined => {
    if (!x || typeof x !== "object") return undefined;
    const o = x as Record<string, string>;
    return (
      o.CN ??
      (Object.keys(o).length
        ? Object.entries(o)
            .map(([k, v]) => `${k}=${v}`)
            .join(", ")
        : undefined)
    );
  };
  return {
    verified: s.authorized,
    ...(s.authorizationError ? { authorizationError: String(s.authorizationError) } : {}),
    protocol: s.getProtocol(),
    cipher: s.getCipher()?.name,
    subject: name(cert?.subject),
    issuer: name(cert?.issuer),
    validTo: cert?.valid_to,
  };
}

/** FIN (TLS close_notify first), then wait for the close (destroyed after 2 s). */
function endSocket(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const t = setTimeout(() => socket.destroy(), 2000);
    socket.once("close", () => {
      clearTimeout(t);
      resolve();
    });
    socket.on("error", () => undefined);
    socket.on("data", () => undefined);
    socket.end();
  });
}

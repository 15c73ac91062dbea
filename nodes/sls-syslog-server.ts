// Config node for one syslog receiver: host, port, protocol, framing, TLS, queue limits. It owns
// the single sender shared by every sls-syslog-out that points at it (like core's MQTT broker node).

import fs from "node:fs";
import type { Node, NodeAPI, NodeDef } from "node-red";
import { SyslogSender, type SenderOptions } from "../lib/syslog/sender";
import type { Endpoint, Protocol, TlsSettings } from "../lib/syslog/transport";
import type { SyslogServerNode } from "./types";

interface ServerDef extends NodeDef {
  host: string;
  port: string | number;
  protocol: string;
  framing: string;
  /** RELP over TLS. */
  relpTls?: boolean;
  /** RELP: most unanswered messages. */
  relpWindow?: string | number;
  rejectUnauthorized: boolean;
  servername: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  secondaryHost: string;
  secondaryPort: string | number;
  maxQueueMessages: string | number;
  maxQueueMB: string | number;
  maxMessageBytes: string | number;
  version?: number;
}

interface ServerCreds {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
}

function num(v: unknown, dflt: number): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : dflt;
}

/** PEM text from the credential if set, else from the file (read at every connect so rotated files are picked up). */
function pem(text: string | undefined, file: string, what: string): string | undefined {
  if (text && text.trim()) return text;
  if (!file || !file.trim()) return undefined;
  try {
    return fs.readFileSync(file.trim(), "utf8");
  } catch (err) {
    throw Object.assign(new Error(`cannot read the ${what} file ${file.trim()}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`), { code: "ETLSFILE" });
  }
}

export = function (RED: NodeAPI): void {
  function SyslogServer(this: SyslogServerNode, def: ServerDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const creds = (node.credentials ?? {}) as ServerCreds;
    const protocol = (["udp", "tcp", "tls", "relp"].includes(String(def.protocol).toLowerCase()) ? String(def.protocol).toLowerCase() : "tcp") as Protocol;
    const useTls = protocol === "tls" || (protocol === "relp" && def.relpTls === true);
    const endpoints: Endpoint[] = [{ host: String(def.host || "127.0.0.1").trim(), port: num(def.port, protocol === "tls" ? 6514 : protocol === "relp" ? 20514 : 514) }];
    if (def.secondaryHost && String(def.secondaryHost).trim()) {
      endpoints.push({ host: String(def.secondaryHost).trim(), port: num(def.secondaryPort, endpoints[0].port) });
    }
    const tls = (): TlsSettings => ({
      ca: pem(creds.ca, def.caFile, "CA"),
      cert: pem(creds.cert, def.certFile, "client certificate"),
      key: pem(creds.key, def.keyFile, "client key"),
      passphrase: creds.passphrase || undefined,
      servername: def.servername?.trim() || undefined,
      rejectUnauthorized: def.rejectUnauthorized !== false,
    });
    const options: SenderOptions = {
      protocol,
      endpoints,
      framing: protocol === "tcp" && def.framing === "lf" ? "lf" : "octet",
      tls: useTls ? tls : undefined,
      relp: protocol === "relp" ? { windowSize: num(def.relpWindow, 128) || 128 } : undefined,
      maxQueueMessages: num(def.maxQueueMessages, 10_000) || 10_000,
      maxQueueBytes: (num(def.maxQueueMB, 16) || 16) * 1024 * 1024,
    };
    const maxMessageBytes = num(def.maxMessageBytes, protocol === "udp" ? 1400 : 8192);
    if (protocol === "udp") options.maxDatagramBytes = maxMessageBytes || 65507;
    if (useTls && def.rejectUnauthorized === false) {
      node.warn(`TLS certificate verification is OFF for ${endpoints[0].host}:${endpoints[0].port}: anyone on the path can read and forge these logs`);
    }

    const users = new Set<string>();
    let sender: SyslogSender | null = null;
    let closing: Promise<void> | null = null;

    Object.defineProperty(node, "maxMessageBytes", { value: maxMessageBytes });
    Object.defineProperty(node, "target", { value: `${protocol === "relp" && useTls ? "relp+tls" : protocol}://${endpoints[0].host}:${endpoints[0].port}` });

    node.register = (user: Node): SyslogSender => {
      users.add(user.id);
      if (!sender) {
        sender = new SyslogSender(options);
        sender.open();
      }
      return sender;
    };

    node.deregister = async (user: Node): Promise<void> => {
      users.delete(user.id);
      if (users.size === 0) await shutdown();
    };

    function shutdown(): Promise<void> {
      if (!sender) return closing ?? Promise.resolve();
      const s = sender;
      sender = null;
      closing = s.close(4000).catch((err: Error) => node.warn(err.message));
      return closing;
    }

    node.on("close", (done: () => void) => {
      void shutdown().then(() => done());
    });
  }

  RED.nodes.registerType<SyslogServerNode, ServerDef, object, ServerCreds>("sls-syslog-server", SyslogServer, {
    credentials: {
      ca: { type: "text" },
      cert: { type: "text" },
      key: { type: "password" },
      passphrase: { type: "password" },
    },
  });
};

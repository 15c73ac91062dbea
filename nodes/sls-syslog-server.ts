// Config node for the syslog receivers: host and port (and more targets, failover or balance),
// protocol, framing, TLS, queue limits. It owns the senders shared by every sls-syslog-out that
// points at it (like core's MQTT broker node).

import fs from "node:fs";
import type { Node, NodeAPI, NodeDef } from "node-red";
import { SyslogTargets, type Target, type TargetsOptions } from "../lib/syslog/targets";
import type { TlsSettings } from "../lib/syslog/transport";
import { SLS_SYSLOG_SERVER } from "../lib/config";
import { UDP_MAX_MESSAGE } from "../lib/config/sls-syslog-server";
import { startSettings } from "./settings";
import type { SyslogServerNode } from "./types";
import { catalogue, type Translate } from "./messages";

/** TLS material kept in Node-RED credentials. */
interface ServerCreds {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
}

/** PEM text from the credential if set, else from the file (read at every connect so rotated files are picked up). */
function pem(t: Translate, text: string | undefined, file: string | undefined, what: "ca" | "cert" | "key"): string | undefined {
  if (text && text.trim()) return text;
  if (!file) return undefined;
  try {
    return fs.readFileSync(file.trim(), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw Object.assign(new Error(t("sls-syslog-server.errors.tls-file", { what: t(`sls-syslog-server.errors.file.${what}`), file: file.trim(), code })), { code: "ETLSFILE" });
  }
}

export = function (RED: NodeAPI): void {
  function SyslogServer(this: SyslogServerNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = catalogue(RED, "sls-syslog-server");
    const cfg = startSettings(RED, node, SLS_SYSLOG_SERVER, def, node.credentials ?? {});
    if (!cfg) {
      // Users check the settings first (nodes/settings.ts): a refused server is never asked.
      node.register = () => {
        throw new Error(t("sls-syslog-server.errors.not-started", { name: node.name || node.id }));
      };
      node.deregister = () => Promise.resolve();
      return;
    }
    const protocol = cfg.protocol;
    const useTls = protocol === "tls" || (protocol === "relp" && cfg.relpTls);
    const endpoints: Target[] = [{ host: cfg.host, port: cfg.port }, ...cfg.moreTargets.map((t) => ({ ...t, port: t.port ?? cfg.port }))];
    const tls = (): TlsSettings => ({
      ca: pem(t, cfg.ca, cfg.caFile, "ca"),
      cert: pem(t, cfg.cert, cfg.certFile, "cert"),
      key: pem(t, cfg.key, cfg.keyFile, "key"),
      passphrase: cfg.passphrase || undefined,
      servername: cfg.servername,
      rejectUnauthorized: cfg.rejectUnauthorized,
    });
    const options: TargetsOptions = {
      protocol,
      targets: endpoints,
      mode: cfg.mode,
      failbackMs: cfg.failbackSeconds * 1000,
      framing: protocol === "tcp" ? cfg.framing : "octet",
      tls: useTls ? tls : undefined,
      relp: protocol === "relp" ? { windowSize: cfg.relpWindow } : undefined,
      maxQueueMessages: cfg.maxQueueMessages,
      maxQueueBytes: cfg.maxQueueMB * 1024 * 1024,
    };
    const maxMessageBytes = cfg.maxMessageBytes;
    if (protocol === "udp") options.maxDatagramBytes = maxMessageBytes || UDP_MAX_MESSAGE;
    if (useTls && !cfg.rejectUnauthorized) {
      node.warn(t("sls-syslog-server.warnings.tls-unverified", { target: `${endpoints[0].host}:${endpoints[0].port}` }));
    }

    const users = new Set<string>();
    let sender: SyslogTargets | null = null;
    let closing: Promise<void> | null = null;

    Object.defineProperty(node, "maxMessageBytes", { value: maxMessageBytes });
    const more = endpoints.length > 1 ? ` (+${endpoints.length - 1} ${options.mode})` : "";
    Object.defineProperty(node, "target", { value: `${protocol === "relp" && useTls ? "relp+tls" : protocol}://${endpoints[0].host}:${endpoints[0].port}${more}` });

    node.register = (user: Node): SyslogTargets => {
      users.add(user.id);
      if (!sender) {
        sender = new SyslogTargets(options);
        sender.open();
      }
      return sender;
    };

    node.stats = () => sender?.stats() ?? null;

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

  RED.nodes.registerType<SyslogServerNode, NodeDef, object, ServerCreds>("sls-syslog-server", SyslogServer, {
    credentials: {
      ca: { type: "text" },
      cert: { type: "text" },
      key: { type: "password" },
      passphrase: { type: "password" },
    },
  });
};

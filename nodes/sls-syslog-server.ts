// Config node for the syslog receivers: host and port (and more targets, failover or balance),
// protocol, framing, TLS, queue limits. It owns the senders shared by every sls-syslog-out that
// points at it (like core's MQTT broker node).

import fs from "node:fs";
import type { Node, NodeAPI, NodeDef } from "node-red";
import type { Request, Response } from "express";
import { metricsHub } from "../lib/metrics/hub";
import { SyslogTargets, type Target, type TargetsOptions } from "../lib/syslog/targets";
import type { TlsSettings } from "../lib/syslog/transport";
import { SLS_SYSLOG_SERVER } from "../lib/config";
import { UDP_MAX_MESSAGE } from "../lib/syslog/limits";
import { sendTestEvent } from "../lib/syslog/test-event";
import { TestEventRefused, targetsOf, testEventPlan, type SavedServer, type ServerSettings } from "../lib/syslog/test-event-request";
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
    throw Object.assign(new Error(t("sls-syslog-server.errors.tls-file", { what: t(`sls-syslog-server.errors.file.${what}`), file: file.trim(), code })), {
      code: "ETLSFILE",
    });
  }
}

/** TLS material as the settings say: PEM texts, else files (read at each call, so rotated files are picked up). */
function tlsSettingsOf(t: Translate, cfg: ServerSettings): TlsSettings {
  return {
    ca: pem(t, cfg.ca, cfg.caFile, "ca"),
    cert: pem(t, cfg.cert, cfg.certFile, "cert"),
    key: pem(t, cfg.key, cfg.keyFile, "key"),
    passphrase: cfg.passphrase || undefined,
    servername: cfg.servername,
    rejectUnauthorized: cfg.rejectUnauthorized,
  };
}

export = function (RED: NodeAPI): void {
  /** Started sls-syslog-server nodes by id, as the test event's rules need them. */
  const deployed = new Map<string, SavedServer>();

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
    const endpoints: Target[] = targetsOf(cfg);
    const tls = (): TlsSettings => tlsSettingsOf(t, cfg);
    deployed.set(node.id, {
      raw: savedConfig(RED, node.id),
      credentials: { ...((RED.nodes.getCredentials(node.id) as ServerCreds | undefined) ?? {}) },
      resolved: cfg,
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
    const scheme = protocol === "relp" && useTls ? "relp+tls" : protocol;
    Object.defineProperty(node, "target", { value: `${scheme}://${endpoints[0].host}:${endpoints[0].port}${more}` });
    // Each target's figures for the sls-stats node and the Prometheus endpoint, while senders run.
    const unlist = metricsHub.addSyslogServer({
      node: node.id,
      name: cfg.name,
      protocol: scheme,
      targets: () => (sender?.stats().targets ?? []).map((t) => ({ target: `${scheme}://${t.target}`, inUse: t.inUse, stats: t })),
    });

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
      if (deployed.get(node.id)?.resolved === cfg) deployed.delete(node.id);
      unlist();
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

  // "Send test event" in the dialog: one RFC 5424 message to each target with the settings being
  // edited. Which stored secrets it may use, and where: lib/syslog/test-event-request.ts. JSON only:
  // a cross-site form cannot send JSON without a CORS preflight (as sls-connection/test).
  RED.httpAdmin.post("/sls-syslog-server/test", RED.auth.needsPermission("sls-syslog-server.write"), (req: Request, res: Response) => {
    if (!req.is("application/json")) {
      res.status(415).json({ ok: false, code: "UnsupportedMediaType", message: catalogue(RED, "sls-syslog-server")("sls-syslog-server.errors.test-json") });
      return;
    }
    void (async () => {
      try {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const saved = typeof body.id === "string" ? deployed.get(body.id) : undefined;
        const { settings, targets } = testEventPlan(body, saved, process.env);
        const useTls = settings.protocol === "tls" || (settings.protocol === "relp" && settings.relpTls);
        let tls: TlsSettings | undefined;
        try {
          tls = useTls ? tlsSettingsOf(catalogue(RED, "sls-syslog-server"), settings) : undefined;
        } catch (e) {
          throw new TestEventRefused("ETLSFILE", (e as Error).message);
        }
        const from = typeof body.name === "string" && body.name.trim() ? JSON.stringify(body.name.trim().slice(0, 64)) : String(body.id ?? "");
        const event = await sendTestEvent({ protocol: settings.protocol, framing: settings.framing, targets, tls, from, connectTimeoutMs: 5000 });
        res.json({ ok: event.results.every((r) => r.ok), ...event });
      } catch (e) {
        const err = e as Error & { code?: string };
        res.json({ ok: false, code: err instanceof TestEventRefused ? err.code : (err.code ?? "Error"), message: err.message });
      }
    })();
  });
};

/** A node's settings as saved in the flow (before `${VAR}` substitution). */
function savedConfig(RED: NodeAPI, id: string): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  RED.nodes.eachNode((n: { id?: string }) => {
    if (n.id === id) out = { ...(n as Record<string, unknown>) };
  });
  return out;
}

// sls-syslog-map: maps SLS records (msg.payload + msg.sls from sls-consumer) to msg.syslog for
// sls-syslog-out. All logic is in lib/mapping; this file reads the saved settings, compiles them
// once, and serves the editor's preview and presets through admin endpoints.

import type { Node, NodeAPI, NodeDef } from "node-red";
import { SLS_SYSLOG_MAP } from "../lib/config";
import { compileMapper, PRESETS, presetConfig, previewMapping, type MappingConfig, type OutSettings } from "../lib/mapping";
import { skipMetricsWhenOff } from "./metrics";
import { catalogue } from "./messages";

import { holdInput, refuse, startSettings } from "./settings";

type MapDef = NodeDef & MappingConfig;

/** Properties of the node that are not mapping settings. */
const NOT_SETTINGS = new Set(["id", "type", "z", "g", "x", "y", "wires", "name", "_users"]);

function settingsOf(def: Record<string, unknown>): MappingConfig {
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(def)) if (!NOT_SETTINGS.has(k)) c[k] = v;
  return c as MappingConfig;
}

export = function (RED: NodeAPI): void {
  const t = catalogue(RED, "sls-syslog-map");
  function SlsSyslogMap(this: Node, def: MapDef): void {
    RED.nodes.createNode(this, def);
    skipMetricsWhenOff(this);
    const node = this;
    const cfg = startSettings(RED, node, SLS_SYSLOG_MAP, def);
    // What the engine still refuses while it compiles (no record yet: every warning is about settings).
    const refusals: string[] = [];
    let compiling = true;
    let warned = 0;
    const mapper = cfg
      ? compileMapper(cfg, (text) => {
          if (compiling) {
            refusals.push(text);
            return;
          }
          node.warn(text);
          warned++;
          node.status({ fill: "yellow", shape: "ring", text: t("sls-syslog-map.status.warnings", { count: warned }) });
        })
      : undefined;
    compiling = false;
    if (!mapper || refusals.length > 0) {
      if (mapper)
        refuse(
          RED,
          node,
          refusals.map((text) => ({ property: "mapping", why: { key: "mapping", params: { text } } })),
        );
      holdInput(node);
      return;
    }
    node.on("input", (msg, send, done) => {
      try {
        const m = msg as typeof msg & { sls?: unknown; syslog?: unknown };
        m.syslog = mapper.mapMessage(m.payload, m.sls);
        send(m);
        done();
      } catch (err) {
        done(err as Error);
      }
    });
  }
  RED.nodes.registerType("sls-syslog-map", SlsSyslogMap);

  // Editor support: presets need read permission on the node type, the preview write (as editing).
  RED.httpAdmin.get("/sls-syslog-map/presets", RED.auth.needsPermission("sls-syslog-map.read"), (_req, res) => {
    const out: Record<string, { label: string; description: string; config: MappingConfig }> = {};
    for (const [name, p] of Object.entries(PRESETS)) out[name] = { label: p.label, description: p.description, config: presetConfig(name)! };
    res.json(out);
  });
  // JSON only, as the other admin endpoints: a cross-site form (urlencoded with nested keys,
  // text/plain) cannot send JSON without a CORS preflight, so a page the user visits cannot make
  // the runtime map and format its input when adminAuth is off.
  RED.httpAdmin.post("/sls-syslog-map/preview", RED.auth.needsPermission("sls-syslog-map.write"), (req, res) => {
    if (!req.is("application/json")) {
      res.status(415).json({ error: t("sls-syslog-map.errors.preview-json") });
      return;
    }
    const body = (req.body ?? {}) as { config?: unknown; sample?: unknown; out?: unknown };
    if (body.config === null || typeof body.config !== "object" || body.sample === undefined) {
      res.status(400).json({ error: t("sls-syslog-map.errors.preview-request") });
      return;
    }
    try {
      const out = body.out !== null && typeof body.out === "object" ? (body.out as OutSettings) : {};
      const result = previewMapping(settingsOf(body.config as Record<string, unknown>), body.sample, out);
      res.status(result.error && result.syslog.length === 0 ? 400 : 200).json(result);
    } catch (err) {
      res.status(500).json({ error: (err as Error).message });
    }
  });
};

// Source node: joins an SLS consumer group and emits its logs; checkpoints move only past records
// whose delivery tokens were settled downstream (or at emission, in "acknowledge on emit" mode).
import os from "node:os";
import type { Node, NodeAPI, NodeDef, NodeMessage } from "node-red";
import { DeliveryWindow } from "../lib/delivery";
import { ConsumerGroup } from "../lib/sls/consumer-group";
import type { SlsError } from "../lib/sls/errors";
import type { OutMessage } from "../lib/sls/consumer-messages";
import type { StartPosition } from "../lib/sls/shard-reader";
import type { SlsConnectionNode } from "./types";
import { skipMetricsWhenOff } from "./metrics";

interface ConsumerDef extends NodeDef {
  connection: string;
  project: string;
  logstore: string;
  consumerGroup: string;
  consumerName?: string;
  start?: "begin" | "end" | "time";
  startTime?: string;
  query?: string;
  output?: "log" | "batch";
  heartbeat?: number | string;
  timeout?: number | string;
  order?: boolean;
  maxInFlight?: number | string;
  ackMode?: "delivery" | "emit";
  commitInterval?: number | string;
  claimTimeout?: number | string;
  version?: number;
}

/** Positive number from a config field, else the default. */
function num(v: unknown, dflt: number): number {
  const n = typeof v === "number" ? v : Number(String(v ?? "").trim());
  return Number.isFinite(n) && n > 0 ? n : dflt;
}

function startPosition(def: ConsumerDef): StartPosition {
  if (def.start === "end") return { from: "end" };
  if (def.start === "time" && def.startTime) {
    const t = String(def.startTime).trim();
    const secs = /^\d+$/.test(t) ? Number(t) : Math.floor(Date.parse(t) / 1000);
    if (Number.isFinite(secs)) return { from: "time", time: secs };
  }
  return { from: "begin" };
}

/** Consumer names must stay in [A-Za-z0-9_.-] (sls-protocol.md §4.2: V4 query encoding). */
function consumerName(def: ConsumerDef): string {
  const raw = (def.consumerName ?? "").trim() || `${os.hostname()}-${process.pid}-${def.id}`;
  return raw.replace(/[^A-Za-z0-9_.-]/g, "_");
}

export = function (RED: NodeAPI): void {
  function SlsConsumer(this: Node, def: ConsumerDef): void {
    RED.nodes.createNode(this, def);
    skipMetricsWhenOff(this);
    const node = this;
    const conn = RED.nodes.getNode(def.connection) as SlsConnectionNode | null;
    const project = (def.project ?? "").trim();
    const logstore = (def.logstore ?? "").trim();
    const consumerGroup = (def.consumerGroup ?? "").trim();
    if (!conn || !project || !logstore || !consumerGroup) {
      node.status({ fill: "red", shape: "ring", text: "sls-consumer.status.not-configured" });
      node.error(RED._("sls-consumer.errors.not-configured"));
      return;
    }
    const heartbeatSec = num(def.heartbeat, 20);
    // A consumer silent for the group timeout loses its shards: keep at least two heartbeats in it.
    let timeoutSec = Math.ceil(num(def.timeout, 3 * heartbeatSec));
    if (timeoutSec < 2 * heartbeatSec) {
      node.warn(`consumer timeout ${timeoutSec} s is shorter than two heartbeats; using ${Math.ceil(2 * heartbeatSec)} s`);
      timeoutSec = Math.ceil(2 * heartbeatSec);
    }
    const maxInFlight = Math.floor(num(def.maxInFlight, 1000));
    const window = def.ackMode === "emit" ? undefined : new DeliveryWindow({ maxInFlight, claimTimeoutMs: num(def.claimTimeout, 30) * 1000 });
    const mode = def.output === "batch" ? "batch" : "log";
    // One send per message: Node-RED clones every message after the first of a multi-message send.
    const sendNow = (msgs: OutMessage[]): void => {
      for (let i = 0; i < msgs.length; i++) node.send(msgs[i] as unknown as NodeMessage);
    };
    // While a deploy restarts other nodes, the runtime drops messages sent to them, and their
    // unclaimed tokens would later expire as "handled by the flow": hold what is emitted from
    // "flows:stopping" to "flows:started" (bounded by the delivery window).
    let held: OutMessage[][] | null = null;
    const onStopping = (): void => {
      held ??= [];
    };
    const onStarted = (): void => {
      const h = held;
      held = null;
      if (h) for (const msgs of h) sendNow(msgs);
    };
    RED.events.on("flows:stopping", onStopping);
    RED.events.on("flows:started", onStarted);
    const send = (msgs: OutMessage[]): void => {
      if (held) held.push(msgs);
      else sendNow(msgs);
    };

    const engine = new ConsumerGroup({
      api: conn.getClient(),
      project,
      logstore,
      group: consumerGroup,
      consumer: consumerName(def),
      start: startPosition(def),
      query: (def.query ?? "").trim() || undefined,
      heartbeatIntervalMs: heartbeatSec * 1000,
      timeoutSec,
      order: def.order === true,
      commitIntervalMs: num(def.commitInterval, 10) * 1000,
      window,
      // Bounded well below Node-RED's 15 s close timeout.
      stopTimeoutMs: 10_000,
      messages: { mode, send },
    });

    // Errors reach Catch nodes; the same code is repeated at most every 30 s (retries continue).
    let lastCode = "";
    let lastAt = 0;
    engine.on("failure", (e: SlsError) => {
      const now = Date.now();
      if (e.code === lastCode && now - lastAt < 30_000) return;
      lastCode = e.code;
      lastAt = now;
      const c = e.context;
      node.error(e, {
        _msgid: RED.util.generateId(),
        payload: { code: e.code, status: e.status, requestId: e.requestId, retryable: e.retryable },
        sls: { project, logstore, consumerGroup, shard: c.shard, host: c.host },
      } as NodeMessage);
      updateStatus();
    });
    engine.on("assigned", () => updateStatus());
    engine.on("recovered", () => {
      lastCode = "";
      updateStatus();
    });

    let lastLogs = 0;
    let lastTick = Date.now();
    let rate = 0;
    function updateStatus(): void {
      const s = engine.stats();
      const now = Date.now();
      if (now - lastTick >= 900) {
        rate = Math.round(((s.logs - lastLogs) * 1000) / (now - lastTick));
        lastLogs = s.logs;
        lastTick = now;
      }
      if (s.error) node.status({ fill: "red", shape: "ring", text: s.error.code });
      else if (s.waiting) node.status({ fill: "yellow", shape: "ring", text: `waiting for delivery (${s.shards.length} shards)` });
      else if (s.shards.length === 0) node.status({ fill: "grey", shape: "ring", text: "sls-consumer.status.no-shards" });
      else node.status({ fill: "green", shape: "dot", text: `${s.shards.length} shards · ${rate} logs/s${s.lagSec ? ` · lag ${s.lagSec}s` : ""}` });
    }
    const statusTimer = setInterval(updateStatus, 1000);
    node.status({ fill: "yellow", shape: "ring", text: "sls-consumer.status.joining" });
    void engine.start();

    node.on("close", (_removed: boolean, done: () => void) => {
      clearInterval(statusTimer);
      RED.events.removeListener("flows:stopping", onStopping);
      RED.events.removeListener("flows:started", onStarted);
      engine
        .stop()
        .catch(() => undefined)
        .finally(() => {
          window?.close();
          node.status({});
          done();
        });
    });
  }
  RED.nodes.registerType("sls-consumer", SlsConsumer);
};

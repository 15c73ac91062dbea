// Source node: joins an SLS consumer group and emits its logs; checkpoints move only past records
// whose delivery tokens were settled downstream (or at emission, in "acknowledge on emit" mode).
// With an end time (`to`) it is a backfill: it reads the range, reports "done" per shard and overall
// on its second output, and stops.
import os from "node:os";
import type { Node, NodeAPI, NodeDef, NodeMessage } from "node-red";
import type { Request, Response } from "express";
import { SLS_CONSUMER } from "../lib/config";
import { DeliveryWindow } from "../lib/delivery";
import { metricsHub } from "../lib/metrics/hub";
import { ConsumerGroup, type RangeDone, type ShardDone } from "../lib/sls/consumer-group";
import { SlsError } from "../lib/sls/errors";
import { groupLag, resetGroup } from "../lib/sls/checkpoint-reset";
import { resetGroupOf, resetPositionOf, type DeployedConsumer, type ResetRequest } from "../lib/sls/reset-request";
import type { OutMessage } from "../lib/sls/consumer-messages";
import { startSettings } from "./settings";
import type { SlsConnectionNode } from "./types";
import { skipMetricsWhenOff } from "./metrics";
import { catalogue, joined, type Text, type Translate } from "./messages";

/** 29.5 d, 6.2 h, 12 min, 40 s. */
function duration(t: Translate, sec: number): string {
  if (sec >= 86_400) return t("sls-consumer.duration.d", { n: (sec / 86_400).toFixed(1) });
  if (sec >= 3_600) return t("sls-consumer.duration.h", { n: (sec / 3_600).toFixed(1) });
  if (sec >= 60) return t("sls-consumer.duration.min", { n: Math.round(sec / 60) });
  return t("sls-consumer.duration.s", { n: sec });
}

/** A unix time as ISO 8601 (UTC), for messages. */
const iso = (sec: number): string => new Date(sec * 1000).toISOString().replace(".000Z", "Z");

/** The default consumer name: host, process and node id, made URL-safe (docs/sls-protocol.md, "V4"). */
function defaultConsumerName(nodeId: string): string {
  return `${os.hostname()}-${process.pid}-${nodeId}`.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** A started sls-consumer, for the dialog's checkpoint reset. */
interface Running extends DeployedConsumer {
  conn: SlsConnectionNode;
  engine: ConsumerGroup;
}

export = function (RED: NodeAPI): void {
  const t = catalogue(RED, "sls-consumer");
  /** Started sls-consumer nodes by id. */
  const running = new Map<string, Running>();

  function SlsConsumer(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    skipMetricsWhenOff(this);
    const node = this;
    // Checked before anything runs: a node that does not start leaves no listener, timer or group behind.
    const cfg = startSettings(RED, node, SLS_CONSUMER, def);
    if (!cfg) return;
    const conn = RED.nodes.getNode(cfg.connection) as SlsConnectionNode;
    const { project, logstore, consumerGroup, maxInFlight } = cfg;
    const backfill = cfg.to !== undefined;
    // A backfill commits into its group: in a live consumer's group it would move the live
    // checkpoints (and start from them). Refused when this runtime deploys such a live consumer.
    const live = backfill ? liveConsumerOfGroup(RED, def.id) : undefined;
    if (live) {
      node.status({ fill: "red", shape: "ring", text: "sls-consumer.status.live-group" });
      node.error(t("sls-consumer.errors.live-group", { group: consumerGroup, live }));
      return;
    }
    // Acknowledge on emit keeps a window too, for flow control only: checkpoints move at emission,
    // but while sinks hold maxInFlight logs unwritten (a SIEM outage) the source stops pulling.
    const ackOnEmit = cfg.ackMode === "emit";
    const window = new DeliveryWindow({ maxInFlight, claimTimeoutMs: cfg.claimTimeout * 1000, claimedOnly: ackOnEmit });
    const mode = cfg.output;
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
    const send = (msgs: OutMessage[]): void => {
      if (held) held.push(msgs);
      else sendNow(msgs);
    };

    const consumer = cfg.consumerName ?? defaultConsumerName(def.id);
    const engine = new ConsumerGroup({
      api: conn.getClient(),
      project,
      logstore,
      group: consumerGroup,
      consumer,
      start: cfg.start === "time" ? { from: "time", time: cfg.startTime } : { from: cfg.start },
      end: backfill ? { time: cfg.to! } : undefined,
      query: cfg.query,
      heartbeatIntervalMs: cfg.heartbeat * 1000,
      timeoutSec: cfg.timeout,
      order: cfg.order,
      commitIntervalMs: cfg.commitInterval * 1000,
      window,
      ackOnEmit,
      // Bounded well below Node-RED's 15 s close timeout.
      stopTimeoutMs: 10_000,
      messages: { mode, send },
    });
    RED.events.on("flows:stopping", onStopping);
    RED.events.on("flows:started", onStarted);
    running.set(node.id, { saved: savedSettings(RED, node.id), resolved: { project, logstore, consumerGroup }, conn, engine });
    // Its figures for the sls-stats node and the Prometheus endpoint, while it runs.
    const unlist = metricsHub.addConsumer({ node: node.id, name: cfg.name, project, logstore, consumerGroup, consumer, engine });

    // Errors reach Catch nodes; the same code is repeated at most every 30 s (retries continue).
    let lastCode = "";
    let lastAt = 0;
    engine.on("failure", (e: SlsError) => {
      const now = Date.now();
      // An expired cursor is reported with its count by the dataLoss event below.
      if (e.code === "InvalidCursor") return updateStatus();
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
    const slsOf = (shard: number): Record<string, unknown> => ({ project, logstore, consumerGroup, shard });
    // Data close to the logstore's TTL: SLS deletes it whether or not it was delivered. A Catch
    // node gets it (level "warning"), as the log and the status do.
    engine.on("retention", (r) => {
      node.error(
        t("sls-consumer.errors.retention", { shard: r.shard, age: duration(t, r.ageSec), percent: r.percent, retention: duration(t, r.retentionSec) }),
        { _msgid: RED.util.generateId(), payload: { code: "RetentionRisk", level: "warning", ...r }, sls: slsOf(r.shard) } as NodeMessage,
      );
      updateStatus();
    });
    engine.on("dataLoss", (l) => {
      const what =
        l.groups === undefined
          ? t("sls-consumer.errors.expired-data")
          : t(l.logs === undefined ? "sls-consumer.errors.expired-groups" : "sls-consumer.errors.expired-groups-logs", { groups: l.groups, logs: l.logs ?? 0 });
      node.error(t("sls-consumer.errors.expired", { shard: l.shard, what }), {
        _msgid: RED.util.generateId(),
        payload: { code: "DataExpired", shard: l.shard, skippedLogGroups: l.groups, skippedLogs: l.logs, fromCursor: l.fromCursor, toCursor: l.toCursor },
        sls: slsOf(l.shard),
      } as NodeMessage);
      updateStatus();
    });
    // Logs SLS could not run the query on are left out by SLS itself: say so (at most once a
    // minute, with the count since the last report), they never reach the flow.
    let queryFailed = 0;
    let queryReportAt = 0;
    engine.on("queryFailures", (f) => {
      queryFailed += f.logs;
      const now = Date.now();
      if (now - queryReportAt < 60_000) return;
      queryReportAt = now;
      node.error(t("sls-consumer.errors.spl-failed", { logs: queryFailed }), {
        _msgid: RED.util.generateId(),
        payload: { code: "SplEvaluationFailed", level: "warning", logs: queryFailed, shard: f.shard },
        sls: slsOf(f.shard),
      } as NodeMessage);
      queryFailed = 0;
    });
    engine.on("assigned", () => updateStatus());
    // Someone (a reset from a dialog, here or in another Node-RED) moved a checkpoint of the group.
    engine.on("moved", (m) => {
      node.warn(t("sls-consumer.warnings.checkpoint-moved", { shard: m.shard, cursor: m.to }));
      updateStatus();
    });
    const range = { from: cfg.start === "time" ? iso(cfg.startTime) : cfg.start, to: backfill ? iso(cfg.to!) : undefined };
    // Backfill progress on the second output, so a flow can chain or notify.
    engine.on("shardDone", (d: ShardDone) => {
      node.send([
        null,
        {
          _msgid: RED.util.generateId(),
          topic: "shard-done",
          payload: { shard: d.shard, logs: d.logs, cursor: d.cursor, ...range },
          sls: slsOf(d.shard),
        } as NodeMessage,
      ]);
      updateStatus();
    });
    let doneText: Text | undefined;
    engine.on("done", (d: RangeDone) => {
      doneText = { key: "sls-consumer.status.done", params: { logs: d.logs, shards: d.shards.length, to: range.to ?? "" } };
      node.log(t("sls-consumer.log.range-done", { from: range.from, to: range.to ?? "", project, logstore, logs: d.logs, group: consumerGroup }));
      node.send([
        null,
        {
          _msgid: RED.util.generateId(),
          topic: "done",
          payload: { logs: d.logs, shards: d.finished.map((f) => ({ shard: f.shard, logs: f.logs })), allShards: d.shards.map((s) => s.shard), ...range },
          sls: { project, logstore, consumerGroup },
        } as NodeMessage,
      ]);
      updateStatus();
    });
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
      // Status lines are parts joined by " · "; what SLS expired unread (and plain http) ends every line.
      const expired: Text[] =
        s.expired.groups === 0
          ? []
          : [
              s.expired.logs > 0
                ? { key: "sls-consumer.status.expired-logs", params: { count: s.expired.logs } }
                : { key: "sls-consumer.status.expired-groups", params: { count: s.expired.groups } },
            ];
      // A plain-http endpoint to another machine is named in every status (its warning is logged once).
      if (conn.plainHttp) expired.push({ key: "sls-consumer.status.plain-http" });
      const finished: Text[] =
        s.range && s.range.finished.length > 0 ? [{ key: "sls-consumer.status.finished", params: { count: s.range.finished.length } }] : [];
      const show = (fill: "red" | "green" | "yellow" | "grey", shape: "dot" | "ring", parts: Text[]): void =>
        node.status({ fill, shape, text: joined(t, [...parts, ...expired]) });
      if (s.range?.done && doneText) show("green", "ring", [doneText]);
      else if (s.error)
        node.status({ fill: "red", shape: "ring", text: conn.plainHttp ? `${s.error.code} · ${t("sls-consumer.status.plain-http")}` : s.error.code });
      else if (s.retention)
        show("yellow", "dot", [{ key: "sls-consumer.status.retention", params: { shard: s.retention.shard, percent: s.retention.percent } }]);
      else if (s.waiting) show("yellow", "ring", [{ key: "sls-consumer.status.waiting", params: { shards: s.shards.length } }]);
      else if (s.shards.length === 0 && finished.length > 0)
        show("grey", "ring", [{ key: "sls-consumer.status.backfill" }, ...finished, { key: "sls-consumer.status.waiting-others" }]);
      else if (s.shards.length === 0) node.status({ fill: "grey", shape: "ring", text: "sls-consumer.status.no-shards" });
      else
        show("green", "dot", [
          ...(backfill ? [{ key: "sls-consumer.status.backfill" }] : []),
          { key: "sls-consumer.status.running", params: { shards: s.shards.length, rate } },
          ...(s.lagSec ? [{ key: "sls-consumer.status.lag", params: { lag: s.lagSec } }] : []),
          ...finished,
        ]);
    }
    const statusTimer = setInterval(updateStatus, 1000);
    node.status({ fill: "yellow", shape: "ring", text: "sls-consumer.status.joining" });
    void engine.start();

    node.on("close", (_removed: boolean, done: () => void) => {
      if (running.get(node.id)?.engine === engine) running.delete(node.id);
      clearInterval(statusTimer);
      RED.events.removeListener("flows:stopping", onStopping);
      RED.events.removeListener("flows:started", onStarted);
      unlist();
      engine
        .stop()
        .catch(() => undefined)
        .finally(() => {
          window.close();
          node.status({});
          done();
        });
    });
  }
  RED.nodes.registerType("sls-consumer", SlsConsumer);

  // The dialog's "reset checkpoints": first the lag per shard (for the confirmation), then the
  // reset. Which node, group and credentials a request may use: lib/sls/reset-request.ts. JSON
  // only: a cross-site form cannot send JSON without a CORS preflight (as sls-connection/test).
  const admin = (path: string, run: (body: ResetRequest, r: Running) => Promise<object>): void => {
    RED.httpAdmin.post(path, RED.auth.needsPermission("sls-consumer.write"), (req: Request, res: Response) => {
      if (!req.is("application/json")) {
        res.status(415).json({ ok: false, code: "UnsupportedMediaType", message: t("sls-consumer.errors.request-json") });
        return;
      }
      void (async () => {
        try {
          const body = (req.body ?? {}) as ResetRequest;
          if (typeof body !== "object" || Array.isArray(body))
            throw new SlsError("ParameterInvalid", t("sls-consumer.errors.request-object"), { retryable: false });
          const r = typeof body.id === "string" ? running.get(body.id) : undefined;
          resetGroupOf(body, r);
          res.json({ ok: true, ...(await run(body, r!)) });
        } catch (e) {
          const err = e instanceof SlsError ? e : new SlsError("Error", (e as Error).message);
          res.json({ ok: false, code: err.code, status: err.status, message: err.message });
        }
      })();
    });
  };

  admin("/sls-consumer/checkpoints", async (_body, r) => {
    const { project, logstore, consumerGroup } = r.resolved;
    const shards = await groupLag(r.conn.getClient(), { project, logstore, group: consumerGroup });
    return { project, logstore, consumerGroup, shards };
  });

  admin("/sls-consumer/reset", async (body, r) => {
    const { project, logstore, consumerGroup } = r.resolved;
    const position = resetPositionOf(body);
    const client = r.conn.getClient();
    // Consumers of this group in this runtime look at once; those elsewhere at their next commit.
    const local = (): Running[] =>
      [...running.values()].filter(
        (o) =>
          o.conn.endpoint === r.conn.endpoint &&
          o.resolved.project === project &&
          o.resolved.logstore === logstore &&
          o.resolved.consumerGroup === consumerGroup,
      );
    const result = await resetGroup(client, {
      project,
      logstore,
      group: consumerGroup,
      position,
      onWritten: async () => {
        await Promise.all(local().map((o) => o.engine.recheck()));
      },
    });
    RED.log.info(
      t("sls-consumer.log.reset", {
        group: consumerGroup,
        project,
        logstore,
        to: position.to === "time" ? position.time : position.to,
        shards: result.shards.length,
      }),
    );
    return { project, logstore, consumerGroup, ...result };
  });
};

/** A node's settings as saved in the flow (before `${VAR}` substitution). */
function savedSettings(RED: NodeAPI, id: string): DeployedConsumer["saved"] {
  const out = { connection: "", project: "", logstore: "", consumerGroup: "" };
  RED.nodes.eachNode((n: { id?: string; connection?: unknown; project?: unknown; logstore?: unknown; consumerGroup?: unknown }) => {
    if (n.id !== id) return;
    for (const k of Object.keys(out) as Array<keyof typeof out>) out[k] = typeof n[k] === "string" ? (n[k] as string) : "";
  });
  return out;
}

/**
 * The name (or id) of another deployed sls-consumer without an end time that reads the same group
 * through the same connection (saved settings compared as written, `${VAR}` included).
 */
function liveConsumerOfGroup(RED: NodeAPI, self: string): string | undefined {
  type Saved = {
    id?: string;
    type?: string;
    d?: boolean;
    name?: string;
    connection?: unknown;
    project?: unknown;
    logstore?: unknown;
    consumerGroup?: unknown;
    to?: unknown;
  };
  const consumers: Saved[] = [];
  RED.nodes.eachNode((n: Saved) => {
    if (n.type === "sls-consumer" && !n.d) consumers.push(n);
  });
  const me = consumers.find((n) => n.id === self);
  if (!me) return undefined;
  const text = (v: unknown): string => (typeof v === "string" ? v.trim() : v === undefined || v === null ? "" : String(v));
  const key = (n: Saved): string => JSON.stringify([n.connection, n.project, n.logstore, n.consumerGroup].map(text));
  const live = consumers.find((n) => n.id !== self && text(n.to) === "" && key(n) === key(me));
  return live ? live.name || live.id : undefined;
}

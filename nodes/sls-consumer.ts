// Source node: joins an SLS consumer group and emits its logs; checkpoints move only past records
// whose delivery tokens were settled downstream (or at emission, in "acknowledge on emit" mode).
// With an end time (`to`) it is a backfill: it reads the range, reports "done" per shard and overall
// on its second output, and stops.
import os from "node:os";
import type { Node, NodeAPI, NodeDef, NodeMessage } from "node-red";
import type { Request, Response } from "express";
import { SLS_CONSUMER } from "../lib/config";
import { DeliveryWindow } from "../lib/delivery";
import { ConsumerGroup, type RangeDone, type ShardDone } from "../lib/sls/consumer-group";
import { SlsError } from "../lib/sls/errors";
import { groupLag, resetGroup } from "../lib/sls/checkpoint-reset";
import { resetGroupOf, resetPositionOf, type DeployedConsumer, type ResetRequest } from "../lib/sls/reset-request";
import type { OutMessage } from "../lib/sls/consumer-messages";
import { startSettings } from "./settings";
import type { SlsConnectionNode } from "./types";
import { skipMetricsWhenOff } from "./metrics";

/** 29.5 d, 6.2 h, 12 min, 40 s. */
function duration(sec: number): string {
  if (sec >= 86_400) return `${(sec / 86_400).toFixed(1)} d`;
  if (sec >= 3_600) return `${(sec / 3_600).toFixed(1)} h`;
  if (sec >= 60) return `${Math.round(sec / 60)} min`;
  return `${sec} s`;
}

/** A unix time as ISO 8601 (UTC), for messages. */
const iso = (sec: number): string => new Date(sec * 1000).toISOString().replace(".000Z", "Z");

/** The default consumer name: host, process and node id, made URL-safe (sls-protocol.md §4.2: V4 query encoding). */
function defaultConsumerName(nodeId: string): string {
  return `${os.hostname()}-${process.pid}-${nodeId}`.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** A started sls-consumer, for the dialog's checkpoint reset. */
interface Running extends DeployedConsumer {
  conn: SlsConnectionNode;
  engine: ConsumerGroup;
}

export = function (RED: NodeAPI): void {
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
      node.status({ fill: "red", shape: "ring", text: "group of a live consumer" });
      node.error(`not started: consumer group "${consumerGroup}" is read by the live sls-consumer ${live}; a time range reads in a group of its own (e.g. ${consumerGroup}-backfill), so the live checkpoints stay untouched`);
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

    const engine = new ConsumerGroup({
      api: conn.getClient(),
      project,
      logstore,
      group: consumerGroup,
      consumer: cfg.consumerName ?? defaultConsumerName(def.id),
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
        `shard ${r.shard}: logs not yet delivered are ${duration(r.ageSec)} old, ${r.percent}% of the logstore's ${duration(r.retentionSec)} retention; SLS deletes them at 100% (restore the SIEM, add consumers, or raise the TTL)`,
        { _msgid: RED.util.generateId(), payload: { code: "RetentionRisk", level: "warning", ...r }, sls: slsOf(r.shard) } as NodeMessage,
      );
      updateStatus();
    });
    engine.on("dataLoss", (l) => {
      const what = l.groups === undefined ? "data" : `${l.groups} log group(s)${l.logs === undefined ? "" : ` (about ${l.logs} logs)`}`;
      node.error(`shard ${l.shard}: SLS expired ${what} before it was read (TTL); reading resumes at the oldest retained log group`, {
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
      node.error(
        `SLS could not evaluate the SPL query on ${queryFailed} log(s) and left them out (e.g. cast() of a value that is not a number: try_cast() gives null instead)`,
        { _msgid: RED.util.generateId(), payload: { code: "SplEvaluationFailed", level: "warning", logs: queryFailed, shard: f.shard }, sls: slsOf(f.shard) } as NodeMessage,
      );
      queryFailed = 0;
    });
    engine.on("assigned", () => updateStatus());
    // Someone (a reset from a dialog, here or in another Node-RED) moved a checkpoint of the group.
    engine.on("moved", (m) => {
      node.warn(`shard ${m.shard}: the group's checkpoint was moved by someone else (a reset?); reading from there (cursor ${m.to})`);
      updateStatus();
    });
    const range = { from: cfg.start === "time" ? iso(cfg.startTime) : cfg.start, to: backfill ? iso(cfg.to!) : undefined };
    // Backfill progress on the second output, so a flow can chain or notify.
    engine.on("shardDone", (d: ShardDone) => {
      node.send([null, { _msgid: RED.util.generateId(), topic: "shard-done", payload: { shard: d.shard, logs: d.logs, cursor: d.cursor, ...range }, sls: slsOf(d.shard) } as NodeMessage]);
      updateStatus();
    });
    let doneText = "";
    engine.on("done", (d: RangeDone) => {
      doneText = `done · ${d.logs} logs · ${d.shards.length} shards to ${range.to}`;
      node.log(`time range ${range.from} to ${range.to} of ${project}/${logstore} done: ${d.logs} logs read by this consumer; every shard of the logstore reached the end (group ${consumerGroup})`);
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
      let expired = s.expired.groups > 0 ? ` · ${s.expired.logs > 0 ? `${s.expired.logs} logs` : `${s.expired.groups} log groups`} expired unread` : "";
      const finished = s.range && s.range.finished.length > 0 ? ` · ${s.range.finished.length} done` : "";
      // A plain-http endpoint to another machine is named in every status (its warning is logged once).
      const clear = conn.plainHttp ? " · http: not encrypted" : "";
      expired += clear;
      if (s.range?.done) node.status({ fill: "green", shape: "ring", text: doneText + expired });
      else if (s.error) node.status({ fill: "red", shape: "ring", text: s.error.code + clear });
      else if (s.retention) node.status({ fill: "yellow", shape: "dot", text: `shard ${s.retention.shard}: lag at ${s.retention.percent}% of retention${expired}` });
      else if (s.waiting) node.status({ fill: "yellow", shape: "ring", text: `waiting for delivery (${s.shards.length} shards)${expired}` });
      else if (s.shards.length === 0) node.status({ fill: "grey", shape: "ring", text: finished ? `backfill${finished} · waiting for other consumers` : "sls-consumer.status.no-shards" });
      else node.status({ fill: "green", shape: "dot", text: `${backfill ? "backfill · " : ""}${s.shards.length} shards · ${rate} logs/s${s.lagSec ? ` · lag ${s.lagSec}s` : ""}${finished}${expired}` });
    }
    const statusTimer = setInterval(updateStatus, 1000);
    node.status({ fill: "yellow", shape: "ring", text: "sls-consumer.status.joining" });
    void engine.start();

    node.on("close", (_removed: boolean, done: () => void) => {
      if (running.get(node.id)?.engine === engine) running.delete(node.id);
      clearInterval(statusTimer);
      RED.events.removeListener("flows:stopping", onStopping);
      RED.events.removeListener("flows:started", onStarted);
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
        res.status(415).json({ ok: false, code: "UnsupportedMediaType", message: "send the request as application/json" });
        return;
      }
      void (async () => {
        try {
          const body = (req.body ?? {}) as ResetRequest;
          if (typeof body !== "object" || Array.isArray(body)) throw new SlsError("ParameterInvalid", "expected a JSON object", { retryable: false });
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
    const local = (): Running[] => [...running.values()].filter((o) => o.conn.endpoint === r.conn.endpoint && o.resolved.project === project && o.resolved.logstore === logstore && o.resolved.consumerGroup === consumerGroup);
    const result = await resetGroup(client, {
      project,
      logstore,
      group: consumerGroup,
      position,
      onWritten: async () => {
        await Promise.all(local().map((o) => o.engine.recheck()));
      },
    });
    RED.log.info(`sls-consumer: checkpoints of consumer group ${consumerGroup} (${project}/${logstore}) reset to ${position.to === "time" ? position.time : position.to} for ${result.shards.length} shards`);
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
  type Saved = { id?: string; type?: string; d?: boolean; name?: string; connection?: unknown; project?: unknown; logstore?: unknown; consumerGroup?: unknown; to?: unknown };
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

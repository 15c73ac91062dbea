// The hub's snapshot in the Prometheus text exposition format, through prom-client: one registry per
// process, whose metrics are filled from a single snapshot taken at each scrape (so every line of a
// scrape describes the same instant, and nothing is counted between scrapes). Label values are node
// ids, project/logstore/group names, shard numbers, targets, outcomes, fault kinds and SLS error
// codes: bounded by the configuration, never taken from log contents.

import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from "prom-client";
import { LATENCY_BOUNDS } from "./histogram-counts";
import {
  metricsHub,
  type ConsumerSnapshot,
  type MetricsHub,
  type ShardSnapshot,
  type StatsSnapshot,
  type SyslogOutSnapshot,
  type SyslogTargetSnapshot,
} from "./hub";
import { SETTLE_OUTCOMES } from "../sls/shard-counters";
import { FAULT_KINDS } from "../syslog/faults";

type Labels = Record<string, string | number>;
type Row = [Labels, number];

const CONSUMER = ["node", "project", "logstore", "consumer_group"] as const;
const SHARD = [...CONSUMER, "shard"] as const;
const TARGET = ["server", "target"] as const;

const consumerLabels = (c: ConsumerSnapshot): Labels => ({ node: c.node, project: c.project, logstore: c.logstore, consumer_group: c.consumerGroup });
const shardLabels = (c: ConsumerSnapshot, s: ShardSnapshot): Labels => ({ ...consumerLabels(c), shard: s.shard });
const targetLabels = (t: SyslogTargetSnapshot): Labels => ({ server: t.server, target: t.target });

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  labels: readonly string[];
  rows(s: StatsSnapshot): Row[];
}

const perShard = (name: string, help: string, type: Family["type"], value: (s: ShardSnapshot) => number | null): Family => ({
  name,
  help,
  type,
  labels: SHARD,
  rows: (snap) => snap.consumers.flatMap((c) => c.shards.flatMap((s): Row[] => (value(s) === null ? [] : [[shardLabels(c, s), value(s)!]]))),
});

const perShardOutcome = (name: string, help: string, value: (s: ShardSnapshot) => Record<string, number>): Family => ({
  name,
  help,
  type: "counter",
  labels: [...SHARD, "outcome"],
  rows: (snap) => snap.consumers.flatMap((c) => c.shards.flatMap((s) => SETTLE_OUTCOMES.map((o): Row => [{ ...shardLabels(c, s), outcome: o }, value(s)[o]]))),
});

const perConsumer = (name: string, help: string, value: (c: ConsumerSnapshot) => number, type: Family["type"] = "gauge"): Family => ({
  name,
  help,
  type,
  labels: CONSUMER,
  rows: (snap) => snap.consumers.map((c): Row => [consumerLabels(c), value(c)]),
});

const perTarget = (name: string, help: string, type: Family["type"], value: (t: SyslogTargetSnapshot) => number): Family => ({
  name,
  help,
  type,
  labels: TARGET,
  rows: (snap) => snap.syslogTargets.map((t): Row => [targetLabels(t), value(t)]),
});

const perOut = (name: string, help: string, type: Family["type"], value: (o: SyslogOutSnapshot) => number | null): Family => ({
  name,
  help,
  type,
  labels: ["node", "server"],
  rows: (snap) => snap.syslogOuts.flatMap((o): Row[] => (value(o) === null ? [] : [[{ node: o.node, server: o.server }, value(o)!]])),
});

/** Every family we export, in the order of the exposition. */
export const FAMILIES: readonly Family[] = [
  {
    name: "sls_consumer_info",
    help: "A running sls-consumer node (always 1), with its name and its consumer name in the group.",
    type: "gauge",
    labels: [...CONSUMER, "name", "consumer"],
    rows: (snap) => snap.consumers.map((c): Row => [{ ...consumerLabels(c), name: c.name, consumer: c.consumer }, 1]),
  },
  perConsumer("sls_consumer_shards_held", "Shards the consumer group assigned to this consumer now.", (c) => c.shardsHeld),
  perConsumer("sls_consumer_in_flight_logs", "Logs emitted into the flow and not settled yet (delivery window).", (c) => c.inFlightLogs),
  perConsumer(
    "sls_consumer_max_in_flight_logs",
    "Bound of the delivery window: the consumer stops pulling when this many logs are in flight.",
    (c) => c.maxInFlightLogs,
  ),
  {
    name: "sls_consumer_errors_total",
    help: "Failures talking to SLS, by error code (SLS's or the network's); retries go on.",
    type: "counter",
    labels: [...CONSUMER, "code"],
    rows: (snap) => snap.consumers.flatMap((c) => Object.entries(c.errors).map(([code, n]): Row => [{ ...consumerLabels(c), code }, n])),
  },
  perConsumer(
    "sls_consumer_expired_logs_total",
    "Logs SLS deleted (logstore TTL) before this consumer read them, estimated from the shard's mean logs per group.",
    (c) => c.expiredLogs,
    "counter",
  ),
  perConsumer(
    "sls_consumer_expired_log_groups_total",
    "Log groups SLS deleted (logstore TTL) before this consumer read them.",
    (c) => c.expiredLogGroups,
    "counter",
  ),
  perShard(
    "sls_consumer_lag_seconds",
    "Seconds since the oldest log of the shard not yet settled (or not yet read) reached SLS; 0 when caught up. Held shards only.",
    "gauge",
    (s) => s.lagSeconds,
  ),
  perShard(
    "sls_consumer_lag_logs",
    "Logs of the shard not yet settled: in flight, or still in SLS (log groups behind the end times the mean logs per group). Held shards only.",
    "gauge",
    (s) => s.lagLogs,
  ),
  perShard("sls_consumer_pulled_logs_total", "Logs returned by PullLogs.", "counter", (s) => s.pulledLogs),
  perShard("sls_consumer_pulled_bytes_total", "Raw (uncompressed) bytes returned by PullLogs.", "counter", (s) => s.pulledBytes),
  perShard("sls_consumer_emitted_logs_total", "Logs sent into the flow.", "counter", (s) => s.emittedLogs),
  perShard("sls_consumer_emitted_bytes_total", "Raw bytes of the logs sent into the flow.", "counter", (s) => s.emittedBytes),
  perShardOutcome(
    "sls_consumer_settled_logs_total",
    "Logs whose delivery token ended, by outcome: delivered (written by a sink), failed (reported), expired (no sink claimed it: filtered), returned (given back unwritten: read again), cancelled (the node stopped).",
    (s) => s.settledLogs,
  ),
  perShardOutcome("sls_consumer_settled_bytes_total", "Raw bytes of the settled logs, by outcome (each token's share of its pull).", (s) => s.settledBytes),
  perShard("sls_consumer_checkpoint_commits_total", "Checkpoints stored in the consumer group.", "counter", (s) => s.checkpointCommits),
  perShard(
    "sls_consumer_backpressure_seconds_total",
    "Seconds the shard's reader waited for room in the delivery window (sinks slower than SLS).",
    "counter",
    (s) => s.backpressureSeconds,
  ),
  {
    name: "sls_syslog_out_info",
    help: "A running sls-syslog-out node (always 1), with its name and its sls-syslog-server.",
    type: "gauge",
    labels: ["node", "name", "server"],
    rows: (snap) => snap.syslogOuts.map((o): Row => [{ node: o.node, name: o.name, server: o.server }, 1]),
  },
  {
    name: "sls_syslog_out_messages_total",
    help: "Syslog messages handled by the node, by outcome: written, failed (reported to Catch nodes), returned (unwritten at close: read again).",
    type: "counter",
    labels: ["node", "server", "outcome"],
    rows: (snap) =>
      snap.syslogOuts.flatMap((o: SyslogOutSnapshot): Row[] => [
        [{ node: o.node, server: o.server, outcome: "written" }, o.writtenMessages],
        [{ node: o.node, server: o.server, outcome: "failed" }, o.failedMessages],
        [{ node: o.node, server: o.server, outcome: "returned" }, o.returnedMessages],
      ]),
  },
  perOut(
    "sls_syslog_out_held_messages",
    "Messages the node holds because every log would fail to format the same way (a settings problem): neither sent nor dead-lettered until the next deploy.",
    "gauge",
    (o) => o.heldMessages,
  ),
  perOut(
    "sls_syslog_out_rate_limited_seconds_total",
    "Seconds during which messages waited for the node's EPS cap (0 without a cap).",
    "counter",
    (o) => o.rateLimitedSeconds,
  ),
  perOut("sls_syslog_out_rate_limit_waiting_messages", "Messages waiting for the node's EPS cap now.", "gauge", (o) => o.rateLimitWaiting),
  perOut("sls_syslog_out_eps_limit", "The node's EPS cap, events per second (only for nodes with a cap).", "gauge", (o) => o.epsLimit),
  {
    name: "sls_syslog_target_info",
    help: "A syslog receiver in use (always 1), with its server node's name and protocol.",
    type: "gauge",
    labels: [...TARGET, "name", "protocol"],
    rows: (snap) => snap.syslogTargets.map((t): Row => [{ ...targetLabels(t), name: t.serverName, protocol: t.protocol }, 1]),
  },
  perTarget("sls_syslog_target_up", "1 while a connection to the receiver is up, else 0.", "gauge", (t) => (t.up ? 1 : 0)),
  perTarget("sls_syslog_target_in_use", "1 while sends go to this receiver (failover: the one in use; balance: every one that is up).", "gauge", (t) =>
    t.inUse ? 1 : 0,
  ),
  perTarget("sls_syslog_target_sent_messages_total", "Syslog messages written to the receiver (RELP: acknowledged by it).", "counter", (t) => t.sentMessages),
  perTarget("sls_syslog_target_sent_bytes_total", "Bytes of those messages, framing included.", "counter", (t) => t.sentBytes),
  perTarget(
    "sls_syslog_target_resent_messages_total",
    "Messages sent again after a connection broke (unconfirmed ones and the replay window).",
    "counter",
    (t) => t.resentMessages,
  ),
  perTarget(
    "sls_syslog_target_reconnects_total",
    "Connections made after the first one (after a failure or a lost connection).",
    "counter",
    (t) => t.reconnects,
  ),
  {
    name: "sls_syslog_target_faults_total",
    help: "Failed connects and lost connections, by kind: certificate, tls-file, refused, host-not-found, timeout, collector-error, protocol, disconnected.",
    type: "counter",
    labels: [...TARGET, "kind"],
    rows: (snap) => snap.syslogTargets.flatMap((t) => FAULT_KINDS.map((k): Row => [{ ...targetLabels(t), kind: k }, t.faults[k]])),
  },
  perTarget("sls_syslog_target_queue_messages", "Messages queued for the receiver (waiting to be written or confirmed).", "gauge", (t) => t.queuedMessages),
  perTarget("sls_syslog_target_queue_bytes", "Bytes queued for the receiver.", "gauge", (t) => t.queuedBytes),
  perTarget("sls_syslog_target_waiting_messages", "Messages waiting for room in the full queue (backpressure).", "gauge", (t) => t.waitingMessages),
];

/** Pull latency as a Prometheus histogram: the engine keeps plain counts, read at the scrape. */
class PullLatency {
  readonly name = "sls_consumer_pull_duration_seconds";
  readonly help = "Time from sending a PullLogs request to having its logs decoded, seconds.";
  readonly type = "histogram";
  readonly aggregator = "sum";

  constructor(private readonly current: () => StatsSnapshot) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Labels; value: number; metricName: string }> }> {
    const values: Array<{ labels: Labels; value: number; metricName: string }> = [];
    for (const c of this.current().consumers) {
      for (const s of c.shards) {
        const labels = shardLabels(c, s);
        for (const b of [...LATENCY_BOUNDS.map(String), "+Inf"])
          values.push({ labels: { ...labels, le: b }, value: s.pullSecondsBuckets[b], metricName: `${this.name}_bucket` });
        values.push({ labels, value: s.pullSeconds, metricName: `${this.name}_sum` });
        values.push({ labels, value: s.pulls, metricName: `${this.name}_count` });
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export interface PrometheusExport {
  readonly contentType: string;
  /** The exposition of one fresh snapshot (and of the process metrics). */
  metrics(): Promise<string>;
}

/**
 * A prom-client registry over `hub`, with the process metrics of prom-client (CPU, memory, event
 * loop lag, GC) beside ours. Make one per process (prom-client's process collectors are global).
 */
export function prometheusExport(hub: MetricsHub = metricsHub): PrometheusExport {
  const registry = new Registry();
  let snap: StatsSnapshot = hub.snapshot();
  const current = (): StatsSnapshot => snap;
  for (const f of FAMILIES) {
    const config = { name: f.name, help: f.help, labelNames: [...f.labels], registers: [registry] };
    // At each scrape the family is rebuilt from the snapshot: a counter's value is the engine's total.
    if (f.type === "counter") new Counter({ ...config, collect: refill(f, (m, labels, v) => m.inc(labels, v)) });
    else new Gauge({ ...config, collect: refill(f, (m, labels, v) => m.set(labels, v)) });
  }
  function refill<M extends { reset(): void }>(f: Family, put: (m: M, labels: Labels, v: number) => void): (this: M) => void {
    return function (this: M) {
      this.reset();
      for (const [labels, v] of f.rows(current())) put(this, labels, v);
    };
  }
  // prom-client's registry takes any metric with get(); the histogram's counts come from the engines.
  registry.registerMetric(new PullLatency(current) as unknown as Metric);
  collectDefaultMetrics({ register: registry });
  return {
    contentType: registry.contentType,
    metrics() {
      // Every collect() runs synchronously inside metrics() before it first awaits: all read this one snapshot.
      snap = hub.snapshot();
      return registry.metrics();
    },
  };
}

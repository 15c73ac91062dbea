// Where the figures of every running consumer and syslog sink of this process meet: each node
// registers its engine here while it runs, and snapshot() reads them all at once, on demand. The
// Prometheus endpoint (prometheus.ts) and the stats message (sls-stats node) both show a snapshot,
// so the two always agree. Reading costs a walk over shards and targets; nothing is counted here.

import type { HistogramCounts } from "./histogram-counts";
import type { ConsumerGroupStats, ShardStats } from "../sls/consumer-group";
import { SETTLE_OUTCOMES, type PerOutcome } from "../sls/shard-counters";
import type { WindowLike } from "../sls/shard-reader";
import { FAULT_KINDS, type FaultKind } from "../syslog/faults";
import type { RateLimitStats } from "../syslog/rate-limit";
import type { SenderStats } from "../syslog/sender";

/** Who a consumer is. */
export interface ConsumerIdentity {
  /** Node id, and the node's name ("" when unnamed). */
  node: string;
  name: string;
  project: string;
  logstore: string;
  consumerGroup: string;
  /** This consumer's name in the group. */
  consumer: string;
}

/** A running sls-consumer. */
export interface ConsumerSource extends ConsumerIdentity {
  engine: {
    stats(): ConsumerGroupStats;
    shardStats(now?: number): ShardStats[];
    failureCounts(): ReadonlyMap<string, number>;
    readonly window: WindowLike | undefined;
  };
}

/** What a running sls-syslog-out counts itself: records (a batch message counts each of its records). */
export interface OutCounters {
  /** Written (the sender confirmed them). */
  written: number;
  /** Failed for good (could not be formatted, too large for a datagram), reported to Catch nodes. */
  failed: number;
  /** Given back unwritten (held, or queued when the node closed): the source reads them again. */
  returned: number;
}

/** A running sls-syslog-out. */
export interface SyslogOutSource {
  node: string;
  name: string;
  /** Id of its sls-syslog-server. */
  server: string;
  counters: OutCounters;
  /** Records held now: a format failure every log would hit (a settings problem) stops them. */
  held(): number;
  /** The EPS cap's counters; null without a cap. */
  rateLimit(): RateLimitStats | null;
}

/** A running sls-syslog-server: one sender per target while any sls-syslog-out uses it. */
export interface SyslogServerSource {
  node: string;
  name: string;
  protocol: string;
  /** Each target (`scheme://host:port`), whether sends go to it now (failover: one; balance: those up), and its sender's counters. */
  targets(): Array<{ target: string; inUse: boolean; stats: SenderStats }>;
}

export interface ShardSnapshot {
  shard: number;
  held: boolean;
  /** Only while held: seconds since the oldest log not yet settled reached SLS (0 = caught up). */
  lagSeconds: number | null;
  /** Only while held: logs not yet settled, in flight or still in SLS (ShardLag). */
  lagLogs: number | null;
  pulls: number;
  /** Total seconds of those pulls (average: pullSeconds / pulls). */
  pullSeconds: number;
  /** Pulls that took at most each bound ("0.005" .. "30" seconds, and "+Inf" = all of them). */
  pullSecondsBuckets: Record<string, number>;
  pulledLogs: number;
  pulledBytes: number;
  emittedLogs: number;
  emittedBytes: number;
  settledLogs: PerOutcome;
  settledBytes: PerOutcome;
  checkpointCommits: number;
  /** Seconds spent waiting for room in the delivery window (the sinks were slower). */
  backpressureSeconds: number;
}

export interface ConsumerSnapshot extends ConsumerIdentity {
  shardsHeld: number;
  /** Logs emitted and not settled (0 when acknowledging on emit), and the bound. */
  inFlightLogs: number;
  maxInFlightLogs: number;
  /** The delivery window is full: the consumer waits for the sinks. */
  waitingForDelivery: boolean;
  /** Code of the latest unresolved SLS error, else null. */
  error: string | null;
  /** Failures reported since start, by code. */
  errors: Record<string, number>;
  /** Largest lag over held shards, and the logs behind summed over them. */
  lagSeconds: number;
  lagLogs: number;
  /** Sums over every shard read since start. */
  pulledLogs: number;
  pulledBytes: number;
  emittedLogs: number;
  emittedBytes: number;
  deliveredLogs: number;
  failedLogs: number;
  checkpointCommits: number;
  /** Logs (estimated from the shard's mean logs per group) and log groups SLS deleted (TTL) before they were read. */
  expiredLogs: number;
  expiredLogGroups: number;
  shards: ShardSnapshot[];
}

export interface SyslogOutSnapshot {
  node: string;
  name: string;
  server: string;
  writtenMessages: number;
  failedMessages: number;
  returnedMessages: number;
  heldMessages: number;
  /** EPS cap (null without one), seconds during which messages waited for it, and messages waiting now. */
  epsLimit: number | null;
  rateLimitedSeconds: number;
  rateLimitWaiting: number;
}

export interface SyslogTargetSnapshot {
  server: string;
  serverName: string;
  /** e.g. tcp://siem.example.com:514 */
  target: string;
  protocol: string;
  state: SenderStats["state"];
  up: boolean;
  /** Sends go to it now (failover: the target in use; balance: every target that is up). */
  inUse: boolean;
  /** Seconds since a connection was last up (0 while connected). */
  downSeconds: number;
  sentMessages: number;
  sentBytes: number;
  resentMessages: number;
  /** Connections made after the first (after a failure or a lost connection). */
  reconnects: number;
  faults: Record<FaultKind, number>;
  /** Frames queued (waiting to be written or confirmed), their bytes, and messages waiting for queue room. */
  queuedMessages: number;
  queuedBytes: number;
  waitingMessages: number;
  lastError: string | null;
}

export interface StatsSnapshot {
  /** When it was taken, ISO 8601. */
  time: string;
  /** The figures a Switch node tests first. */
  summary: {
    consumers: number;
    shardsHeld: number;
    maxLagSeconds: number;
    lagLogs: number;
    consumersFailing: number;
    targets: number;
    targetsDown: number;
    /** Longest time any target has been unreachable, seconds. */
    maxDownSeconds: number;
  };
  consumers: ConsumerSnapshot[];
  syslogOuts: SyslogOutSnapshot[];
  syslogTargets: SyslogTargetSnapshot[];
}

export class MetricsHub {
  private readonly consumers = new Set<ConsumerSource>();
  private readonly outs = new Set<SyslogOutSource>();
  private readonly servers = new Set<SyslogServerSource>();

  /** Adds a running node's figures; call the returned function when it stops. */
  addConsumer(s: ConsumerSource): () => void {
    return add(this.consumers, s);
  }

  addSyslogOut(s: SyslogOutSource): () => void {
    return add(this.outs, s);
  }

  addSyslogServer(s: SyslogServerSource): () => void {
    return add(this.servers, s);
  }

  snapshot(nowMs = Date.now()): StatsSnapshot {
    const consumers = [...this.consumers].map((c) => consumerSnapshot(c, nowMs));
    const syslogOuts = [...this.outs].map((o): SyslogOutSnapshot => ({
      node: o.node,
      name: o.name,
      server: o.server,
      writtenMessages: o.counters.written,
      failedMessages: o.counters.failed,
      returnedMessages: o.counters.returned,
      heldMessages: o.held(),
      ...rateLimitSnapshot(o.rateLimit()),
    }));
    const syslogTargets = [...this.servers].flatMap((s) => s.targets().map((t) => targetSnapshot(s, t, nowMs)));
    return {
      time: new Date(nowMs).toISOString(),
      summary: {
        consumers: consumers.length,
        shardsHeld: sum(consumers, (c) => c.shardsHeld),
        maxLagSeconds: Math.max(0, ...consumers.map((c) => c.lagSeconds)),
        lagLogs: sum(consumers, (c) => c.lagLogs),
        consumersFailing: consumers.filter((c) => c.error !== null).length,
        targets: syslogTargets.length,
        targetsDown: syslogTargets.filter((t) => !t.up).length,
        maxDownSeconds: Math.max(0, ...syslogTargets.map((t) => t.downSeconds)),
      },
      consumers,
      syslogOuts,
      syslogTargets,
    };
  }
}

/** The hub of this process (a Node-RED runtime is one per process). */
export const metricsHub = new MetricsHub();

function add<T>(set: Set<T>, s: T): () => void {
  set.add(s);
  return () => void set.delete(s);
}

function sum<T>(xs: T[], f: (x: T) => number): number {
  let n = 0;
  for (const x of xs) n += f(x);
  return n;
}

function buckets(h: HistogramCounts): Record<string, number> {
  const cum = h.cumulative();
  const out: Record<string, number> = {};
  h.bounds.forEach((b, i) => (out[String(b)] = cum[i]));
  out["+Inf"] = cum[cum.length - 1];
  return out;
}

function perOutcome(p: PerOutcome, round: boolean): PerOutcome {
  const out = {} as PerOutcome;
  for (const o of SETTLE_OUTCOMES) out[o] = round ? Math.round(p[o]) : p[o];
  return out;
}

function consumerSnapshot(c: ConsumerSource, nowMs: number): ConsumerSnapshot {
  const st = c.engine.stats();
  const win = c.engine.window;
  const shards = c.engine.shardStats(nowMs).map((s): ShardSnapshot => {
    const k = s.counters;
    return {
      shard: s.shard,
      held: s.held,
      lagSeconds: s.lag ? s.lag.seconds : null,
      lagLogs: s.lag ? s.lag.logs : null,
      pulls: k.pullSeconds.count,
      pullSeconds: k.pullSeconds.sum,
      pullSecondsBuckets: buckets(k.pullSeconds),
      pulledLogs: k.pulledLogs,
      pulledBytes: k.pulledBytes,
      emittedLogs: k.emittedLogs,
      emittedBytes: k.emittedBytes,
      settledLogs: perOutcome(k.settledLogs, false),
      // A token's bytes are a share of its pull's: whole bytes once summed.
      settledBytes: perOutcome(k.settledBytes, true),
      checkpointCommits: k.commits,
      backpressureSeconds: k.waitSeconds,
    };
  });
  const held = shards.filter((s) => s.held);
  return {
    node: c.node,
    name: c.name,
    project: c.project,
    logstore: c.logstore,
    consumerGroup: c.consumerGroup,
    consumer: c.consumer,
    shardsHeld: held.length,
    inFlightLogs: win?.inFlight ?? 0,
    maxInFlightLogs: win?.maxInFlight ?? 0,
    waitingForDelivery: st.waiting,
    error: st.error?.code ?? null,
    errors: Object.fromEntries(c.engine.failureCounts()),
    lagSeconds: Math.max(0, ...held.map((s) => s.lagSeconds ?? 0)),
    lagLogs: sum(held, (s) => s.lagLogs ?? 0),
    pulledLogs: sum(shards, (s) => s.pulledLogs),
    pulledBytes: sum(shards, (s) => s.pulledBytes),
    emittedLogs: sum(shards, (s) => s.emittedLogs),
    emittedBytes: sum(shards, (s) => s.emittedBytes),
    deliveredLogs: sum(shards, (s) => s.settledLogs.delivered),
    failedLogs: sum(shards, (s) => s.settledLogs.failed),
    checkpointCommits: sum(shards, (s) => s.checkpointCommits),
    expiredLogs: st.expired.logs,
    expiredLogGroups: st.expired.groups,
    shards,
  };
}

function rateLimitSnapshot(r: RateLimitStats | null): Pick<SyslogOutSnapshot, "epsLimit" | "rateLimitedSeconds" | "rateLimitWaiting"> {
  return { epsLimit: r ? r.eps : null, rateLimitedSeconds: r ? r.limitedMs / 1000 : 0, rateLimitWaiting: r ? r.waiting : 0 };
}

function targetSnapshot(s: SyslogServerSource, t: { target: string; inUse: boolean; stats: SenderStats }, nowMs: number): SyslogTargetSnapshot {
  const st = t.stats;
  const faults = {} as Record<FaultKind, number>;
  for (const k of FAULT_KINDS) faults[k] = st.faults[k] ?? 0;
  return {
    server: s.node,
    serverName: s.name,
    target: t.target,
    protocol: s.protocol,
    state: st.state,
    up: st.state === "connected",
    inUse: t.inUse,
    downSeconds: st.downSince === undefined ? 0 : Math.max(0, Math.round((nowMs - st.downSince) / 1000)),
    sentMessages: st.sent,
    sentBytes: st.sentBytes,
    resentMessages: st.resent,
    reconnects: Math.max(0, st.connects - 1),
    faults,
    queuedMessages: st.queued,
    queuedBytes: st.queuedBytes,
    waitingMessages: st.waiting,
    lastError: st.lastError ?? null,
  };
}

// The hub's figures as the Prometheus text format and as the stats message: every family, its
// labels and values from known engine numbers; histogram buckets cumulative; names escaped; rates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MetricsHub, type ConsumerSource } from "../../lib/metrics/hub";
import { prometheusExport, FAMILIES } from "../../lib/metrics/prometheus";
import { withRates } from "../../lib/metrics/rates";
import { ShardCounters } from "../../lib/sls/shard-counters";
import { SlsError } from "../../lib/sls/errors";
import type { SenderStats } from "../../lib/syslog/sender";
import { parseExposition } from "../support/prometheus-text";

function counters(n: number): ShardCounters {
  const c = new ShardCounters();
  c.pulledLogs = 100 * n;
  c.pulledBytes = 1000 * n;
  c.emittedLogs = 90 * n;
  c.emittedBytes = 900 * n;
  c.issuedLogs = 90 * n;
  c.settle("delivered", 80 * n, 800.4 * n);
  c.settle("failed", 5 * n, 50 * n);
  c.commits = 3 * n;
  c.waitSeconds = 1.5 * n;
  for (const s of [0.001, 0.02, 0.02, 0.3, 45]) c.pullSeconds.observe(s);
  return c;
}

function consumer(over: Partial<ConsumerSource> = {}): ConsumerSource {
  const c0 = counters(1);
  const c1 = counters(2);
  return {
    node: "n1",
    name: 'audit "main"',
    project: "p",
    logstore: "l",
    consumerGroup: "g",
    consumer: "host-1",
    engine: {
      stats: () => ({
        shards: [0],
        logs: 270,
        bytes: 2700,
        lagSec: 12,
        waiting: true,
        error: new SlsError("Unauthorized", "no", { status: 401 }),
        retention: undefined,
        expired: { logs: 70, groups: 7 },
      }),
      shardStats: () => [
        { shard: 0, held: true, counters: c0, lag: { seconds: 12, logs: 340 } },
        { shard: 1, held: false, counters: c1, lag: undefined },
      ],
      failureCounts: () => new Map([["Unauthorized", 4]]),
      window: { full: true, maxInFlight: 1000, inFlight: 1000, issue: () => "", waitForRoom: () => Promise.resolve() },
    },
    ...over,
  };
}

const sender = (over: Partial<SenderStats> = {}): SenderStats => ({
  state: "disconnected",
  endpoint: "siem:514",
  queued: 7,
  queuedBytes: 700,
  waiting: 2,
  sent: 1234,
  sentBytes: 56789,
  resent: 3,
  connects: 4,
  writes: 99,
  faults: { certificate: 0, "tls-file": 0, refused: 5, "host-not-found": 0, timeout: 1, "collector-error": 0, protocol: 0, disconnected: 2 },
  downSince: Date.now() - 65_000,
  lastError: "connect ECONNREFUSED",
  ...over,
});

function hub(): MetricsHub {
  const h = new MetricsHub();
  h.addConsumer(consumer());
  h.addSyslogOut({
    node: "o1",
    name: "to SIEM",
    server: "s1",
    counters: { written: 1200, failed: 3, returned: 9 },
    held: () => 4,
    rateLimit: () => ({ eps: 1000, burst: 1000, waiting: 12, limitedMs: 2500, delayed: 40 }),
  });
  h.addSyslogServer({ node: "s1", name: "QRadar", protocol: "tcp", targets: () => [{ target: "tcp://siem:514", inUse: true, stats: sender() }] });
  return h;
}

test("prometheus: every family with its labels and values, from the engines' numbers", async () => {
  const exp = prometheusExport(hub());
  assert.equal(exp.contentType, "text/plain; version=0.0.4; charset=utf-8");
  const e = parseExposition(await exp.metrics());
  const s0 = { node: "n1", project: "p", logstore: "l", consumer_group: "g", shard: "0" };
  const s1 = { ...s0, shard: "1" };
  const n1 = { node: "n1", project: "p", logstore: "l", consumer_group: "g" };
  assert.equal(e.value("sls_consumer_info", { ...n1, name: 'audit "main"', consumer: "host-1" }), 1, "quotes in a name are escaped and read back");
  assert.equal(e.value("sls_consumer_shards_held", n1), 1);
  assert.equal(e.value("sls_consumer_in_flight_logs", n1), 1000);
  assert.equal(e.value("sls_consumer_max_in_flight_logs", n1), 1000);
  assert.equal(e.value("sls_consumer_errors_total", { ...n1, code: "Unauthorized" }), 4);
  assert.equal(e.value("sls_consumer_expired_logs_total", n1), 70);
  assert.equal(e.value("sls_consumer_expired_log_groups_total", n1), 7);
  assert.equal(e.value("sls_consumer_lag_seconds", s0), 12);
  assert.equal(e.value("sls_consumer_lag_logs", s0), 340);
  assert.deepEqual(e.find("sls_consumer_lag_seconds", s1), [], "no lag for a shard not held");
  for (const [s, k] of [
    [s0, 1],
    [s1, 2],
  ] as const) {
    assert.equal(e.value("sls_consumer_pulled_logs_total", s), 100 * k);
    assert.equal(e.value("sls_consumer_pulled_bytes_total", s), 1000 * k);
    assert.equal(e.value("sls_consumer_emitted_logs_total", s), 90 * k);
    assert.equal(e.value("sls_consumer_emitted_bytes_total", s), 900 * k);
    assert.equal(e.value("sls_consumer_settled_logs_total", { ...s, outcome: "delivered" }), 80 * k);
    assert.equal(e.value("sls_consumer_settled_logs_total", { ...s, outcome: "failed" }), 5 * k);
    assert.equal(e.value("sls_consumer_settled_logs_total", { ...s, outcome: "expired" }), 0);
    assert.equal(e.value("sls_consumer_settled_bytes_total", { ...s, outcome: "delivered" }), Math.round(800.4 * k), "whole bytes");
    assert.equal(e.value("sls_consumer_checkpoint_commits_total", s), 3 * k);
    assert.equal(e.value("sls_consumer_backpressure_seconds_total", s), 1.5 * k);
    // 0.001, 0.02, 0.02, 0.3 and 45 s: cumulative buckets, 45 s only in +Inf.
    const b = (le: string): number => e.value("sls_consumer_pull_duration_seconds_bucket", { ...s, le });
    assert.deepEqual(["0.005", "0.01", "0.025", "0.25", "0.5", "30", "+Inf"].map(b), [1, 1, 3, 3, 4, 4, 5]);
    assert.equal(e.value("sls_consumer_pull_duration_seconds_count", s), 5);
    assert.ok(Math.abs(e.value("sls_consumer_pull_duration_seconds_sum", s) - 45.341) < 1e-9);
  }
  assert.equal(e.types.get("sls_consumer_pull_duration_seconds"), "histogram");
  const o1 = { node: "o1", server: "s1" };
  assert.equal(e.value("sls_syslog_out_info", { ...o1, name: "to SIEM" }), 1);
  assert.deepEqual(
    ["written", "failed", "returned"].map((outcome) => e.value("sls_syslog_out_messages_total", { ...o1, outcome })),
    [1200, 3, 9],
  );
  assert.equal(e.value("sls_syslog_out_held_messages", o1), 4);
  assert.equal(e.value("sls_syslog_out_rate_limited_seconds_total", o1), 2.5);
  assert.equal(e.value("sls_syslog_out_rate_limit_waiting_messages", o1), 12);
  assert.equal(e.value("sls_syslog_out_eps_limit", o1), 1000);
  const t = { server: "s1", target: "tcp://siem:514" };
  assert.equal(e.value("sls_syslog_target_info", { ...t, name: "QRadar", protocol: "tcp" }), 1);
  assert.equal(e.value("sls_syslog_target_up", t), 0);
  assert.equal(e.value("sls_syslog_target_in_use", t), 1);
  assert.equal(e.value("sls_syslog_target_sent_messages_total", t), 1234);
  assert.equal(e.value("sls_syslog_target_sent_bytes_total", t), 56789);
  assert.equal(e.value("sls_syslog_target_resent_messages_total", t), 3);
  assert.equal(e.value("sls_syslog_target_reconnects_total", t), 3);
  assert.equal(e.value("sls_syslog_target_faults_total", { ...t, kind: "refused" }), 5);
  assert.equal(e.value("sls_syslog_target_faults_total", { ...t, kind: "timeout" }), 1);
  assert.equal(e.find("sls_syslog_target_faults_total", t).length, 8, "every kind, zeros included");
  assert.equal(e.value("sls_syslog_target_queue_messages", t), 7);
  assert.equal(e.value("sls_syslog_target_queue_bytes", t), 700);
  assert.equal(e.value("sls_syslog_target_waiting_messages", t), 2);
  // Conventions: counters end in _total, units are base units, every family has a HELP.
  for (const f of FAMILIES) {
    assert.equal(e.types.get(f.name), f.type, f.name);
    assert.ok((e.help.get(f.name) ?? "").length > 20, `${f.name} has help`);
    assert.equal(f.name.endsWith("_total"), f.type === "counter", `${f.name}: _total exactly on counters`);
    assert.match(f.name, /^sls_(consumer|syslog)_[a-z_]+$/);
  }
  assert.ok(e.find("process_cpu_user_seconds_total").length === 1 && e.find("nodejs_eventloop_lag_seconds").length === 1, "process metrics beside ours");
});

test("prometheus: series come and go with the nodes; each scrape reads a fresh snapshot", async () => {
  const h = new MetricsHub();
  const exp = prometheusExport(h);
  assert.deepEqual(parseExposition(await exp.metrics()).find("sls_consumer_info"), []);
  const drop = h.addConsumer(consumer());
  assert.equal(parseExposition(await exp.metrics()).find("sls_consumer_info").length, 1);
  drop();
  assert.deepEqual(parseExposition(await exp.metrics()).find("sls_consumer_pulled_logs_total"), [], "a closed node's series are gone");
});

test("stats message: the same figures, a summary for Switch nodes, and rates since the previous one", () => {
  const h = hub();
  const t0 = Date.now();
  const first = withRates(h.snapshot(t0), undefined);
  assert.equal(first.intervalSeconds, null);
  assert.equal(first.consumers[0].deliveredLogsPerSecond, null);
  assert.deepEqual(first.summary, {
    consumers: 1,
    shardsHeld: 1,
    maxLagSeconds: 12,
    lagLogs: 340,
    consumersFailing: 1,
    targets: 1,
    targetsDown: 1,
    maxDownSeconds: 65,
    deliveredLogsPerSecond: null,
    sentMessagesPerSecond: null,
  });
  const c = first.consumers[0];
  assert.deepEqual(
    {
      error: c.error,
      errors: c.errors,
      delivered: c.deliveredLogs,
      failed: c.failedLogs,
      pulled: c.pulledLogs,
      waiting: c.waitingForDelivery,
      commits: c.checkpointCommits,
      expired: c.expiredLogs,
    },
    { error: "Unauthorized", errors: { Unauthorized: 4 }, delivered: 240, failed: 15, pulled: 300, waiting: true, commits: 9, expired: 70 },
  );
  assert.deepEqual(first.consumers[0].shards[1].pullSecondsBuckets["+Inf"], 5);
  const t = first.syslogTargets[0];
  assert.deepEqual({ up: t.up, down: t.downSeconds, reconnects: t.reconnects, refused: t.faults.refused }, { up: false, down: 65, reconnects: 3, refused: 5 });
  assert.ok(JSON.parse(JSON.stringify(first)), "plain JSON for any node");
  const later = withRates(h.snapshot(t0 + 10_000), first);
  assert.equal(later.intervalSeconds, 10);
  assert.equal(later.consumers[0].deliveredLogsPerSecond, 0, "no change in 10 s");
  assert.equal(later.summary.sentMessagesPerSecond, 0);
});

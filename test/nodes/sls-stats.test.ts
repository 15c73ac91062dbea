// The figures of a real drain, read the two ways users read them, and checked against what the
// syslog receiver got: emulator → sls-consumer → sls-syslog-out (TCP) → receiver, with an
// sls-stats node that serves Prometheus on Node-RED's HTTP app (scraped with fetch) and sends its
// message every second. Then the receiver goes away (lag grows, the target is down) and comes back.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { start, type Emulator } from "../../emulator/index";
import type { RatedSnapshot } from "../../lib/metrics/rates";
import { helper, until } from "../support/red-helper";
import { captureRed } from "../support/node-red";
import { parseExposition, type Exposition } from "../support/prometheus-text";
import { streamReceiver, type StreamReceiver } from "../support/receivers";
import { consumerFlow, putSeq, syslogOutNodes } from "../support/sls-fixtures";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import serverNode = require("../../nodes/sls-syslog-server");
import outNode = require("../../nodes/sls-syslog-out");
import statsNode = require("../../nodes/sls-stats");

const LOGSTORE = "stats";
const SHARDS = 4;
const PATH = "/sls/metrics";
let emu: Emulator;
let rx: StreamReceiver;
let earlier: Buffer[] = [];
let web: http.Server;
let url: string;
const cap = captureRed();
const messages: RatedSnapshot[] = [];

/** The logs' seq numbers, as the receiver got them. */
const seqsOf = (frames: Buffer[]): number[] => frames.map((f) => Number(/"seq":"(\d+)"/.exec(f.toString("utf8"))?.[1] ?? -1));
/** Bytes on the wire for these frames with octet-counting framing: "LEN SP MSG". */
const wireBytes = (frames: Buffer[]): number => frames.reduce((n, f) => n + String(f.length).length + 1 + f.length, 0);
const allFrames = (): Buffer[] => [...earlier, ...rx.frames];

async function scrape(): Promise<Exposition> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  return parseExposition(await res.text());
}

function shardLabels(shard: number): Record<string, string | number> {
  return { node: "cons", project: emu.project, logstore: LOGSTORE, consumer_group: "stats", shard };
}

before(async () => {
  emu = await start({ port: 0 });
  emu.createLogstore(LOGSTORE, { shards: SHARDS });
  rx = await streamReceiver({ framing: "octet" });
  const { flow, credentials } = consumerFlow(emu, { logstore: LOGSTORE, group: "stats", maxInFlight: 400, into: "out" });
  flow.push(
    ...syslogOutNodes(rx.port, { server: { name: "SIEM" } }),
    { id: "stats", z: "tab", type: "sls-stats", interval: 1, prometheus: true, metricsPath: PATH, version: 1, wires: [["got"]] },
    { id: "got", z: "tab", type: "helper" },
  );
  await helper.load([connNode, consumerNode, serverNode, outNode, statsNode, cap.module], flow, credentials);
  (helper.getNode("got") as unknown as { on(ev: "input", f: (msg: { payload: RatedSnapshot }) => void): void }).on("input", (msg) =>
    messages.push(msg.payload),
  );
  // Node-RED's HTTP-in app (RED.httpNode) on a real socket, as Node-RED's own server mounts it.
  web = http.createServer(cap.red().httpNode as unknown as http.RequestListener);
  await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(web.address() as AddressInfo).port}${PATH}`;
});

after(async () => {
  await helper.unload();
  web.closeAllConnections();
  await new Promise<void>((r) => web.close(() => r()));
  await rx.close();
  await emu.close();
});

/** The next stats message sent after now. */
async function nextMessage(): Promise<RatedSnapshot> {
  const n = messages.length;
  await until(() => messages.length > n, 5000, "a stats message");
  return messages[messages.length - 1];
}

test("after a drain: the scrape and the stats message agree with what the receiver got", { timeout: 60_000 }, async () => {
  const pulls = emu.faults.add({ actions: ["PullLogs"] });
  putSeq(emu, 0, 2000, 10, SHARDS, LOGSTORE);
  await rx.waitFor(2000);
  const ls = emu.getLogstore(LOGSTORE);
  await until(
    () => emu.checkpoints(LOGSTORE, "stats").every((c) => c.checkpoint === ls.shard(c.shard).cursor(ls.shard(c.shard).endSeq)),
    10_000,
    "checkpoints at the end",
  );
  await new Promise((r) => setTimeout(r, 300)); // the last commits' counts
  const hitsBefore = emu.faults.list().find((f) => f.id === pulls)!.hits;
  const e = await scrape();
  const hitsAfter = emu.faults.list().find((f) => f.id === pulls)!.hits;
  const frames = rx.frames;
  assert.deepEqual(
    [...seqsOf(frames)].sort((a, b) => a - b),
    Array.from({ length: 2000 }, (_, i) => i),
    "the receiver got every log once",
  );

  const cons = { node: "cons", project: emu.project, logstore: LOGSTORE, consumer_group: "stats" };
  assert.equal(e.value("sls_consumer_shards_held", cons), SHARDS);
  assert.equal(e.value("sls_consumer_in_flight_logs", cons), 0);
  assert.equal(e.value("sls_consumer_max_in_flight_logs", cons), 400);
  let pulled = 0;
  for (let s = 0; s < SHARDS; s++) {
    const l = shardLabels(s);
    // putSeq writes groups of 10 round-robin: 500 logs per shard.
    assert.equal(e.value("sls_consumer_pulled_logs_total", l), 500, `shard ${s} pulled`);
    assert.equal(e.value("sls_consumer_emitted_logs_total", l), 500, `shard ${s} emitted`);
    assert.equal(e.value("sls_consumer_settled_logs_total", { ...l, outcome: "delivered" }), 500, `shard ${s} delivered`);
    assert.equal(e.value("sls_consumer_settled_logs_total", { ...l, outcome: "failed" }), 0);
    assert.equal(e.value("sls_consumer_emitted_bytes_total", l), e.value("sls_consumer_pulled_bytes_total", l));
    assert.equal(
      e.value("sls_consumer_settled_bytes_total", { ...l, outcome: "delivered" }),
      e.value("sls_consumer_pulled_bytes_total", l),
      "every pulled byte settled",
    );
    assert.ok(e.value("sls_consumer_checkpoint_commits_total", l) >= 1, `shard ${s} committed`);
    assert.equal(e.value("sls_consumer_lag_seconds", l), 0, `shard ${s} caught up`);
    assert.equal(e.value("sls_consumer_lag_logs", l), 0);
    const count = e.value("sls_consumer_pull_duration_seconds_count", l);
    assert.equal(e.value("sls_consumer_pull_duration_seconds_bucket", { ...l, le: "+Inf" }), count);
    pulled += count;
  }
  // Idle readers keep polling: the scrape falls between the two counts of the emulator (less the pulls in flight).
  assert.ok(pulled <= hitsAfter && pulled >= hitsBefore - 2 * SHARDS, `${pulled} pulls counted, the emulator answered ${hitsBefore}..${hitsAfter}`);
  assert.equal(e.sum("sls_consumer_settled_logs_total", { outcome: "delivered" }), frames.length, "delivered = frames received");

  const target = { server: "srv", target: `tcp://127.0.0.1:${rx.port}` };
  assert.equal(e.value("sls_syslog_target_up", target), 1);
  assert.equal(e.value("sls_syslog_target_sent_messages_total", target), frames.length);
  assert.equal(e.value("sls_syslog_target_sent_bytes_total", target), wireBytes(frames), "bytes on the wire, framing included");
  assert.equal(e.value("sls_syslog_target_queue_messages", target), 0);
  assert.equal(e.sum("sls_syslog_target_faults_total", target), 0);
  assert.equal(e.value("sls_syslog_target_info", { ...target, name: "SIEM", protocol: "tcp" }), 1);
  assert.equal(e.value("sls_syslog_out_messages_total", { node: "out", server: "srv", outcome: "written" }), frames.length);

  const m = await nextMessage();
  const c = m.consumers.find((x) => x.node === "cons")!;
  assert.deepEqual(
    {
      pulled: c.pulledLogs,
      emitted: c.emittedLogs,
      delivered: c.deliveredLogs,
      failed: c.failedLogs,
      lag: c.lagSeconds,
      lagLogs: c.lagLogs,
      held: c.shardsHeld,
    },
    { pulled: 2000, emitted: 2000, delivered: frames.length, failed: 0, lag: 0, lagLogs: 0, held: SHARDS },
  );
  const t = m.syslogTargets[0];
  assert.deepEqual(
    { up: t.up, sent: t.sentMessages, bytes: t.sentBytes, down: t.downSeconds },
    { up: true, sent: frames.length, bytes: wireBytes(frames), down: 0 },
  );
  assert.equal(m.syslogOuts[0].writtenMessages, frames.length);
  assert.deepEqual({ lag: m.summary.maxLagSeconds, down: m.summary.targetsDown, failing: m.summary.consumersFailing }, { lag: 0, down: 0, failing: 0 });
  emu.faults.remove(pulls);
});

test(
  "SIEM away: the target is down, lag in logs = everything not received, lag in seconds grows; all figures agree after it returns",
  { timeout: 90_000 },
  async () => {
    const port = rx.port;
    const target = { server: "srv", target: `tcp://127.0.0.1:${port}` };
    earlier = [...rx.frames];
    await rx.close();
    const writtenAt = Date.now();
    putSeq(emu, 2000, 3000, 10, SHARDS, LOGSTORE);
    // The window (400) fills with claimed, unwritten logs; the other 600 stay in SLS. The end-cursor
    // probe (every 5 s while behind) counts those.
    let e!: Exposition;
    const deadline = Date.now() + 20_000;
    for (;;) {
      e = await scrape();
      const refused = e.value("sls_syslog_target_faults_total", { ...target, kind: "refused" });
      // Lag in logs is 1000 as soon as the outage began (in flight + still in SLS): wait for the full window too.
      const inFlight = e.value("sls_consumer_in_flight_logs", { node: "cons", project: emu.project, logstore: LOGSTORE, consumer_group: "stats" });
      if (e.sum("sls_consumer_lag_logs") === 1000 && inFlight === 400 && e.value("sls_syslog_target_up", target) === 0 && refused >= 1) break;
      if (Date.now() > deadline)
        assert.fail(`lag_logs ${e.sum("sls_consumer_lag_logs")}, in flight ${inFlight}, up ${e.value("sls_syslog_target_up", target)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    for (let s = 0; s < SHARDS; s++) assert.equal(e.value("sls_consumer_lag_logs", shardLabels(s)), 250, `shard ${s}: 250 logs not received`);
    assert.equal(
      e.value("sls_syslog_target_faults_total", { ...target, kind: "disconnected" }),
      1,
      "the lost connection is counted, then each refused connect",
    );
    assert.equal(e.value("sls_consumer_in_flight_logs", { node: "cons", project: emu.project, logstore: LOGSTORE, consumer_group: "stats" }), 400);
    // The oldest log not received reached SLS at writtenAt: its age is the lag, and it keeps growing.
    await new Promise((r) => setTimeout(r, 2100));
    e = await scrape();
    const age = Math.round((Date.now() - writtenAt) / 1000);
    const lag = Math.max(...[0, 1, 2, 3].map((s) => e.value("sls_consumer_lag_seconds", shardLabels(s))));
    assert.ok(lag >= 2 && lag <= age + 1, `lag ${lag} s, the logs are ${age} s old`);
    const m = await nextMessage();
    assert.equal(m.summary.targetsDown, 1);
    assert.equal(m.summary.lagLogs, 1000);
    assert.ok(m.summary.maxLagSeconds >= 2, `stats message lag ${m.summary.maxLagSeconds}`);
    assert.ok(m.summary.maxDownSeconds >= 2 && m.syslogTargets[0].downSeconds === m.summary.maxDownSeconds, `down for ${m.summary.maxDownSeconds} s`);
    assert.ok(m.syslogTargets[0].faults.refused >= 1 && m.syslogTargets[0].lastError, `refused: ${m.syslogTargets[0].lastError}`);

    rx = await streamReceiver({ framing: "octet", port });
    await until(() => new Set(seqsOf(allFrames())).size === 3000, 30_000, "all 3000 logs");
    const ls = emu.getLogstore(LOGSTORE);
    await until(
      () => emu.checkpoints(LOGSTORE, "stats").every((c) => c.checkpoint === ls.shard(c.shard).cursor(ls.shard(c.shard).endSeq)),
      10_000,
      "checkpoints at the end",
    );
    await new Promise((r) => setTimeout(r, 300));
    e = await scrape();
    const frames = allFrames();
    assert.equal(e.sum("sls_consumer_settled_logs_total", { outcome: "delivered" }), 3000, "each log delivered once, as far as the source knows");
    assert.equal(e.value("sls_syslog_out_messages_total", { node: "out", server: "srv", outcome: "written" }), 3000);
    // Frames re-sent after the broken connection (replay window) reached the receiver twice: the
    // target's counts are what went on the wire.
    assert.equal(e.value("sls_syslog_target_sent_messages_total", target), frames.length, `${frames.length} frames received`);
    assert.equal(e.value("sls_syslog_target_sent_bytes_total", target), wireBytes(frames));
    assert.equal(e.value("sls_syslog_target_resent_messages_total", target), frames.length - 3000, "duplicates = resent");
    assert.equal(e.value("sls_syslog_target_up", target), 1);
    assert.ok(e.value("sls_syslog_target_reconnects_total", target) >= 1);
    assert.equal(e.sum("sls_consumer_lag_logs"), 0);
    assert.equal(Math.max(...[0, 1, 2, 3].map((s) => e.value("sls_consumer_lag_seconds", shardLabels(s)))), 0);
    assert.ok(e.sum("sls_consumer_backpressure_seconds_total") > 1, "the readers waited for the sink during the outage");
    const after = await nextMessage();
    assert.deepEqual(
      {
        delivered: after.consumers[0].deliveredLogs,
        sent: after.syslogTargets[0].sentMessages,
        resent: after.syslogTargets[0].resentMessages,
        down: after.summary.targetsDown,
        lag: after.summary.maxLagSeconds,
      },
      { delivered: 3000, sent: frames.length, resent: frames.length - 3000, down: 0, lag: 0 },
    );
  },
);

test("the endpoint goes with the last sls-stats node serving it", { timeout: 30_000 }, async () => {
  await helper.unload();
  const res = await fetch(url);
  assert.equal(res.status, 404);
  await res.text();
});

test(
  "httpNodeRoot false (Node-RED serves no HTTP node routes): a warning instead of a dead endpoint, the message still goes out",
  { timeout: 30_000 },
  async () => {
    const h = helper as unknown as { settings(s: Record<string, unknown>): unknown; log(): { args: Array<[{ level: number; id?: string; msg: unknown }]> } };
    h.settings({ nodeCloseTimeout: 15_000, httpNodeRoot: false });
    try {
      const flow = [
        { id: "tab", type: "tab" },
        { id: "st", z: "tab", type: "sls-stats", interval: 0, prometheus: true, metricsPath: "/off/metrics", version: 1, wires: [["got2"]] },
        { id: "got2", z: "tab", type: "helper" },
      ];
      await helper.load([statsNode, cap.module], flow);
      const warnings = h
        .log()
        .args.filter(([e]) => e.level === 30 && e.id === "st")
        .map(([e]) => String(e.msg));
      assert.deepEqual(warnings, [
        "not serving /off/metrics to Prometheus: httpNodeRoot is false in Node-RED's settings, so Node-RED serves no HTTP node routes (the stats message still goes out)",
      ]);
      const app = http.createServer(cap.red().httpNode as unknown as http.RequestListener);
      await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
      try {
        const res = await fetch(`http://127.0.0.1:${(app.address() as AddressInfo).port}/off/metrics`);
        assert.equal(res.status, 404, "no route was added");
        await res.text();
      } finally {
        app.closeAllConnections();
        await new Promise<void>((r) => app.close(() => r()));
      }
      const got = new Promise<{ payload: RatedSnapshot }>((resolve) =>
        (helper.getNode("got2") as unknown as { once(ev: "input", f: (m: { payload: RatedSnapshot }) => void): void }).once("input", resolve),
      );
      (helper.getNode("st") as unknown as { receive(m: object): void }).receive({});
      assert.equal((await got).payload.summary.consumers, 0);
      await helper.unload();
    } finally {
      h.settings({ nodeCloseTimeout: 15_000 });
    }
  },
);

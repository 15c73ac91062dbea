// Writes examples/*.json (run after `npm run build`: the mapping nodes take their settings from
// the compiled presets, so each example maps exactly like choosing that preset in the editor).
// Edit here, run `node scripts/make-examples.js`, and commit the regenerated examples.
"use strict";
const fs = require("fs");
const { presetConfig } = require("../dist/lib/mapping/presets.js");
const out = require("node:path").join(__dirname, "..", "examples");

const ENV_NOTE = `Settings come from environment variables (\`\${NAME}\` in a property is read when the flow starts):

| Variable | Meaning |
| --- | --- |
| \`SLS_ENDPOINT\` | SLS endpoint of the project's region, e.g. \`cn-hangzhou.log.aliyuncs.com\` |
| \`SLS_PROJECT\`, \`SLS_LOGSTORE\` | what to read |
| \`SLS_CG\` | consumer group (created if missing; checkpoints live there) |
| \`SLS_AK_ID\`, \`SLS_AK_KEY\` | AccessKey pair: after import, open the **sls connection** node and type \`\${SLS_AK_ID}\` and \`\${SLS_AK_KEY}\` into its AccessKey fields (credentials are never part of an example) |
| \`SYSLOG_HOST\`, \`SYSLOG_PORT\` | the syslog receiver |
| \`SYSLOG_PROTOCOL\` | \`tcp\`, \`udp\`, \`tls\` or \`relp\` |

In the \`npm start\` demo of this package all of them are already set (emulator and local receiver).`;

// The debug node ships switched on so the example shows its logs at once; an inactive one costs about
// 1.0–1.8 µs per log (npm run bench -- --matrix, "after-out"), an active one sends every log to the editor.
const DEBUG_NOTE = `The debug node after *syslog out* is on, to show the logs as they are sent. At volume, switch it
off with its button (an active debug node sends every log to every open editor), or delete it: even
switched off it costs Node-RED a hop per message (README, "Performance").`;
const NOTES = `${DEBUG_NOTE}

${ENV_NOTE}`;

function consumer(p, extra = {}) {
  return {
    id: `${p}-consumer`,
    type: "sls-consumer",
    name: "",
    connection: `${p}-sls`,
    project: "${SLS_PROJECT}",
    logstore: "${SLS_LOGSTORE}",
    consumerGroup: "${SLS_CG}",
    consumerName: "",
    start: "begin",
    startTime: "",
    query: "",
    output: "log",
    ackMode: "delivery",
    maxInFlight: 1000,
    heartbeat: 20,
    timeout: 60,
    commitInterval: 10,
    claimTimeout: 30,
    order: false,
    version: 1,
    x: 190,
    y: 140,
    wires: [[`${p}-map`]],
    ...extra,
  };
}
function connection(p) {
  return { id: `${p}-sls`, type: "sls-connection", name: "SLS (${SLS_ENDPOINT})", endpoint: "${SLS_ENDPOINT}", cname: "auto", version: 1 };
}
function map(p, preset, name, extra = {}) {
  const c = presetConfig(preset);
  if (!c) throw new Error(preset);
  return { id: `${p}-map`, type: "sls-syslog-map", name, version: 1, ...c, ...extra, x: 470, y: 140, wires: [[`${p}-out`]] };
}
function server(p, name, extra = {}) {
  return {
    id: `${p}-syslog`,
    type: "sls-syslog-server",
    name,
    host: "${SYSLOG_HOST}",
    port: "${SYSLOG_PORT}",
    protocol: "${SYSLOG_PROTOCOL}",
    framing: "octet",
    rejectUnauthorized: true,
    servername: "",
    caFile: "",
    certFile: "",
    keyFile: "",
    moreTargets: [],
    mode: "failover",
    failbackSeconds: "30",
    maxQueueMessages: "10000",
    maxQueueMB: "16",
    maxMessageBytes: "8192",
    version: 2,
    ...extra,
  };
}
function sink(p, name, extra = {}) {
  return {
    id: `${p}-out`,
    type: "sls-syslog-out",
    name,
    server: `${p}-syslog`,
    format: "rfc5424",
    facility: "user",
    severity: "info",
    hostname: "",
    appName: "aliyun-sls",
    procId: "",
    msgId: "",
    bom: "auto",
    version: 1,
    x: 730,
    y: 140,
    wires: [[`${p}-debug`]],
    ...extra,
  };
}
// Wired after syslog out, which passes on each message it has written: beside it, Node-RED would
// deep-copy every message for the second wire (README, "Performance").
function debug(p, name, y = 140) {
  return {
    id: `${p}-debug`,
    type: "debug",
    name,
    active: true,
    tosidebar: true,
    console: false,
    tostatus: false,
    complete: "syslog.message",
    targetType: "msg",
    statusVal: "",
    statusType: "auto",
    x: 960,
    y,
    wires: [],
  };
}
function comment(p, name, info, y = 60) {
  return { id: `${p}-about`, type: "comment", name, info, x: 330, y, wires: [] };
}
function write(file, nodes) {
  fs.writeFileSync(`${out}/${file}.json`, JSON.stringify(nodes, null, 2) + "\n");
}

write("SLS to rsyslog relay (RFC 5424 kv)", [
  comment(
    "rsyslog",
    "SLS → rsyslog relay: RFC 5424, ||key=value body as in the original recipe",
    `Reads the logstore as a member of consumer group \`SLS_CG\` and forwards every log as RFC 5424 syslog
whose body is \`||key=value||key=value...\` for all fields, byte for byte what Alibaba's Python sample
sends (mapping preset *Original recipe*). Octet-counted framing over \`SYSLOG_PROTOCOL\` (\`tcp\` or \`tls\`
for rsyslog's \`imtcp\` / \`imptcp\`, both auto-detect the framing).

Delivery: *syslog out* settles each log's delivery token once it is written, and only then can the
shard's checkpoint pass it: a restart resumes without loss. The debug node after *syslog out* shows each
log once it is written (wired there rather than beside *syslog out*, it costs no copy of the message).

${NOTES}`,
  ),
  consumer("rsyslog"),
  connection("rsyslog"),
  map("rsyslog", "recipe", "recipe: ||key=value"),
  server("rsyslog", "relay (${SYSLOG_HOST})"),
  sink("rsyslog", "rsyslog relay"),
  debug("rsyslog", "sent to syslog"),
]);

write("SLS to QRadar (LEEF 2.0 over TLS)", [
  comment(
    "qradar",
    "SLS → IBM QRadar: LEEF 2.0 over TLS syslog",
    `Maps every log to **LEEF 2.0** (preset *IBM QRadar*: \`^\` as delimiter, EventID = logstore, \`cat\` = topic,
\`devTime\` + \`devTimeFormat\`, \`src\` from the client IP tag, all fields as attributes) and sends it as RFC 5424
syslog over **TLS** (RFC 5425) to a QRadar *TLS Syslog* log source (default port 6514).

TLS: the server certificate is verified. QRadar's listener uses a certificate QRadar generated: open the
**syslog server** node and paste QRadar's CA (or the certificate itself) into *CA certificate*, or give a CA
file. For *TLS + client authentication* add a client certificate and key there too. QRadar identifies the
log source by the syslog HOSTNAME, which the mapping takes from the log's source.

${NOTES}

\`SYSLOG_PROTOCOL\` is not used here: this flow always speaks TLS.`,
  ),
  consumer("qradar"),
  connection("qradar"),
  map("qradar", "qradar-leef", "QRadar LEEF 2.0"),
  server("qradar", "QRadar TLS (${SYSLOG_HOST})", { protocol: "tls" }),
  sink("qradar", "QRadar"),
  debug("qradar", "sent to QRadar"),
]);

write("SLS to ArcSight (CEF over TCP)", [
  comment(
    "arcsight",
    "SLS → ArcSight: CEF over TCP",
    `Maps every log to **CEF:0** (preset *ArcSight*: Signature ID = logstore, \`rt\` = event time in epoch ms,
\`cs1\`/\`cs2\` = project/logstore, \`src\` from the client IP tag, all fields as extensions) and sends it over
plain **TCP** with a BSD (RFC 3164) syslog header and **LF framing**: what an ArcSight SmartConnector
(Syslog Daemon) or ArcSight Logger listener expects.

TCP has no encryption: run it inside a network you trust, or put TLS in front of the connector.
The CEF header escapes \`|\` and \`\\\\\`, extensions escape \`=\` and \`\\\\\`, line breaks become \`\\\\n\`,
so one log is always one event.

${NOTES}

\`SYSLOG_PROTOCOL\` is not used here: this flow always speaks TCP.`,
  ),
  consumer("arcsight"),
  connection("arcsight"),
  map("arcsight", "arcsight-cef", "ArcSight CEF"),
  server("arcsight", "ArcSight connector (${SYSLOG_HOST})", { protocol: "tcp", framing: "lf" }),
  sink("arcsight", "ArcSight", { format: "rfc3164" }),
  debug("arcsight", "sent to ArcSight"),
]);

write("SLS to rsyslog over RELP (acknowledged delivery, EPS cap)", [
  comment(
    "relp",
    "SLS → rsyslog over RELP: each log acknowledged by the collector, capped in EPS",
    `Forwards every log as RFC 5424 (mapping preset *Original recipe*) over **RELP** to rsyslog's \`imrelp\`
(Debian/Ubuntu package \`rsyslog-relp\`; \`module(load="imrelp") input(type="imrelp" port="20514")\`).

Delivery: with RELP the collector answers every message, and *syslog out* settles a log's delivery
token only when that answer (\`rsp 200\`) arrived, so the shard's checkpoint never passes a log the
collector did not take. If the collector dies, every unanswered message is sent again after the
reconnect (at most one RELP window of duplicates, 128 by default).

Several collectors: open the **syslog server** node and add them under *More targets*; *Failover* sends
to the first one up and fails back after 30 s, *Balance* spreads messages round robin. RELP over TLS:
tick *RELP over TLS* and give the CA and a client certificate (librelp collectors check it).

EPS cap: *syslog out* sends at most 5 000 events per second (QRadar and ArcSight are licensed by EPS);
above that messages wait and the consumer stops pulling, nothing is dropped. Clear the field for no cap.

${NOTES}

\`SYSLOG_PROTOCOL\` is not used here: this flow always speaks RELP.`,
  ),
  consumer("relp"),
  connection("relp"),
  map("relp", "recipe", "recipe: ||key=value"),
  server("relp", "rsyslog RELP (${SYSLOG_HOST})", { protocol: "relp", relpTls: false, relpWindow: "128" }),
  sink("relp", "rsyslog (RELP, ≤ 5000 EPS)", { eps: "5000", epsBurst: "" }),
  debug("relp", "acknowledged by rsyslog"),
]);

write("SLS to Splunk (JSON)", [
  comment(
    "splunk",
    "SLS → Splunk: JSON over syslog (SC4S)",
    `Sends every log as RFC 5424 syslog with a **JSON** body (preset *Splunk (JSON)*: sorted keys, fields that
hold JSON text embedded as objects), for **Splunk Connect for Syslog** (SC4S, Splunk's recommended syslog
path: TCP 601 or TLS 6514, octet counting auto-detected) or a Splunk TCP input with JSON extraction.
Splunk indexes the JSON fields as they are (\`spath\`).

Splunk advises against sending syslog straight to indexers; with SC4S the events reach Splunk through
HEC. To post to HEC directly instead, replace *syslog out* with an *http request* node followed by an
*sls ack* node (see the dead-letter example for *sls ack*).

${NOTES}`,
  ),
  consumer("splunk"),
  connection("splunk"),
  map("splunk", "splunk-json", "Splunk JSON"),
  server("splunk", "SC4S (${SYSLOG_HOST})"),
  sink("splunk", "Splunk (SC4S)"),
  debug("splunk", "sent to Splunk"),
]);

const scale = [
  comment(
    "scale",
    "Scale-out: run this same flow on several Node-RED instances",
    `**Deploy this flow unchanged on as many Node-RED instances as you like** (containers, VMs, regions), all with
the same \`SLS_PROJECT\`, \`SLS_LOGSTORE\` and \`SLS_CG\`. They join one SLS **consumer group**, and SLS gives every
shard to exactly one live member:

- an instance that starts takes over a fair share of shards; one that stops (or misses heartbeats for the
  group's *timeout*, 60 s here) loses them to the others, which continue from the last checkpoint;
- throughput grows with shards, not with instances: more instances than shards leaves some idle; split
  shards in SLS to go further (*Order* reads a parent shard to its end before its children);
- the consumer name must differ between instances: leave it empty (default \`host-pid-nodeid\`).

Duplicates after a fail-over (at-least-once) carry the same dedup key: the mapping (preset *Generic
RFC 5424*) writes project, logstore, shard, cursor and the log's index into structured data, and PROCID is
the shard. The Status node below shows which shards this instance holds.

${NOTES}`,
  ),
  consumer("scale", { name: "consumer (shared group)" }),
  connection("scale"),
  map("scale", "rfc5424", "RFC 5424 + dedup key"),
  server("scale", "syslog (${SYSLOG_HOST})"),
  sink("scale", "syslog out"),
  debug("scale", "sent (this instance)"),
  { id: "scale-status", type: "status", name: "shards held here", scope: ["scale-consumer"], x: 190, y: 260, wires: [["scale-status-debug"]] },
  {
    id: "scale-status-debug",
    type: "debug",
    name: "consumer status",
    active: true,
    tosidebar: true,
    console: false,
    tostatus: false,
    complete: "status.text",
    targetType: "msg",
    statusVal: "",
    statusType: "auto",
    x: 450,
    y: 260,
    wires: [],
  },
];
write("Scale-out across instances (one consumer group)", scale);

const backfill = [
  comment(
    "backfill",
    "Re-send a time range to the SIEM (backfill), beside the live flow",
    `**When to use it**: the SIEM lost events that SLS still holds (a collector's disk filled, a parser dropped a
day of events, a new collector must be seeded with the last week). Import this flow **beside** the live one,
which goes on meanwhile; set the range, deploy, and delete or disable the flow once it reports *done*. For
a first check that a new collector receives anything at all, use *Send test event* in the **syslog server**
node instead.

The **sls consumer** reads every shard of the logstore from *Start at* (\`BACKFILL_FROM\`) up to, not
including, *Until* (\`BACKFILL_TO\`), by SLS **receive time** (when SLS got the log, not the log's own
\`__time__\`), across shard splits and merges that happened in between. Times are ISO 8601
(\`2026-11-28T00:00:00Z\`) or unix seconds; instead of the variables you can type them into the consumer.
An end time still to come is fine: logs flow until it has passed (plus a minute for the clock difference
between this machine and SLS).

It reads in a **consumer group of its own** (\`SLS_BACKFILL_CG\`, e.g. \`siem-forwarder-backfill-20261128\`),
never the live flow's \`SLS_CG\`: the live checkpoints stay untouched (a backfill given the group of a live
consumer in the same Node-RED does not start). Its own checkpoints let it resume after a restart; to send
the same range again, use a new group name, or *Reset checkpoints…* in the consumer's dialog.

**Done**: the consumer's second output sends \`topic: "shard-done"\` for each shard it finished
(\`payload.shard\`, \`payload.logs\`) and \`topic: "done"\` once every shard of the logstore reached the end
(\`payload.logs\`, \`payload.from\`, \`payload.to\`); the debug node *backfill progress* shows them in the
Debug sidebar and the last topic under itself, and the consumer's status ends at *done · N logs*. Then the
consumer stops: no pulls, no heartbeats. Wire an e-mail or chat node there to tell someone.

Logs of the range that the SIEM still has arrive twice: choose the range tight, or de-duplicate in the SIEM
on the key the mapping (preset *Generic RFC 5424*) writes into structured data (project, logstore, shard,
cursor and the log's index).

Settings come from environment variables (\`\${NAME}\` in a property is read when the flow starts):

| Variable | Meaning |
| --- | --- |
| \`SLS_ENDPOINT\` | SLS endpoint of the project's region, e.g. \`cn-hangzhou.log.aliyuncs.com\` |
| \`SLS_PROJECT\`, \`SLS_LOGSTORE\` | what to read |
| \`SLS_BACKFILL_CG\` | the backfill's own consumer group (created if missing), not \`SLS_CG\` |
| \`BACKFILL_FROM\`, \`BACKFILL_TO\` | the range \`[from, to)\`: ISO 8601 or unix seconds |
| \`SLS_AK_ID\`, \`SLS_AK_KEY\` | AccessKey pair: after import, open the **sls connection** node and type \`\${SLS_AK_ID}\` and \`\${SLS_AK_KEY}\` into its AccessKey fields (credentials are never part of an example) |
| \`SYSLOG_HOST\`, \`SYSLOG_PORT\` | the syslog receiver |
| \`SYSLOG_PROTOCOL\` | \`tcp\`, \`udp\`, \`tls\` or \`relp\` |

In the \`npm start\` demo of this package all of them are already set: the range is the quarter of an hour
before the demo started, the group \`node-red-demo-backfill-<start of the range>\`.`,
  ),
  consumer("backfill", {
    name: "backfill [BACKFILL_FROM, BACKFILL_TO)",
    consumerGroup: "${SLS_BACKFILL_CG}",
    start: "time",
    startTime: "${BACKFILL_FROM}",
    to: "${BACKFILL_TO}",
    outputs: 2,
    wires: [["backfill-map"], ["backfill-done"]],
  }),
  connection("backfill"),
  map("backfill", "rfc5424", "RFC 5424 + dedup key"),
  server("backfill", "syslog (${SYSLOG_HOST})"),
  sink("backfill", "syslog out"),
  debug("backfill", "re-sent to syslog"),
  {
    id: "backfill-done",
    type: "debug",
    name: "backfill progress",
    active: true,
    tosidebar: true,
    console: false,
    tostatus: true,
    complete: "payload",
    targetType: "msg",
    statusVal: "topic",
    statusType: "msg",
    x: 470,
    y: 220,
    wires: [],
  },
];
write("Re-send a time range to the SIEM", backfill);

const dl = [
  comment(
    "deadletter",
    "Dead-letter handling: failed logs go to a file, the shard moves on",
    `Normal path: consumer → mapping → syslog out. When a log **cannot** be delivered for good (the mapping
fails on it, or *syslog out* reports a permanent error such as a message larger than the server's limit),
the node reports it with \`done(err)\` and the **Catch** node gets the message with \`msg.error\`.

The dead-letter branch writes the original log, its SLS position (\`msg.sls\`) and the error as one JSON line
to \`sls-dead-letter.jsonl\` (in Node-RED's working directory), then **sls ack** settles the log's delivery
token: the checkpoint only passes a failed log once it is safely in the dead-letter file. Transient
problems (SIEM down, network) are *not* errors: *syslog out* retries them and the shard waits.

Replay later by reading the file (a *watch*/*read file* node) and sending the lines back through the mapping.

${NOTES}`,
  ),
  consumer("deadletter"),
  connection("deadletter"),
  map("deadletter", "rfc5424", "RFC 5424 (JSON body)"),
  server("deadletter", "syslog (${SYSLOG_HOST})"),
  sink("deadletter", "syslog out"),
  debug("deadletter", "sent to syslog"),
  {
    id: "deadletter-catch",
    type: "catch",
    name: "delivery failed",
    scope: ["deadletter-map", "deadletter-out"],
    uncaught: false,
    x: 180,
    y: 300,
    wires: [["deadletter-record"]],
  },
  {
    id: "deadletter-record",
    type: "change",
    name: "dead-letter record",
    rules: [
      {
        t: "set",
        p: "payload",
        pt: "msg",
        to: '{"failedAt": $now(), "error": error.message, "source": error.source.name ? error.source.name : error.source.type, "sls": sls ~> |$|{}, [\'token\']|, "log": payload}',
        tot: "jsonata",
      },
    ],
    action: "",
    property: "",
    from: "",
    to: "",
    reg: false,
    x: 390,
    y: 300,
    wires: [["deadletter-file"]],
  },
  {
    id: "deadletter-file",
    type: "file",
    name: "sls-dead-letter.jsonl",
    filename: "sls-dead-letter.jsonl",
    filenameType: "str",
    appendNewline: true,
    createDir: false,
    overwriteFile: "false",
    encoding: "utf8",
    x: 620,
    y: 300,
    wires: [["deadletter-ack"]],
  },
  { id: "deadletter-ack", type: "sls-ack", name: "settle after writing", version: 1, x: 840, y: 300, wires: [["deadletter-debug-dl"]] },
  {
    id: "deadletter-debug-dl",
    type: "debug",
    name: "dead-lettered",
    active: true,
    tosidebar: true,
    console: false,
    tostatus: true,
    complete: "payload",
    targetType: "msg",
    statusVal: "payload.error",
    statusType: "msg",
    x: 1040,
    y: 300,
    wires: [],
  },
];
write("Dead-letter handling with a Catch node", dl);

// Alerting: the sls stats node reports every 10 s; two Switch nodes decide alert or OK, a Filter
// node lets only changes through (per topic), so an email node gets one message per change.
function alertState(id, name, topic, alert, text, y, next) {
  return {
    id,
    type: "change",
    name,
    rules: [
      { t: "set", p: "topic", pt: "msg", to: topic, tot: "str" },
      { t: "set", p: "alert", pt: "msg", to: alert ? "true" : "false", tot: "bool" },
      { t: "set", p: "payload", pt: "msg", to: text, tot: "jsonata" },
    ],
    action: "",
    property: "",
    from: "",
    to: "",
    reg: false,
    x: 640,
    y,
    wires: [[next]],
  };
}
write("Alert on lag or an unreachable SIEM", [
  comment(
    "alert",
    "Alerts: a shard's lag over 5 minutes, or the SIEM unreachable for a minute",
    `The **sls stats** node reports every 10 seconds on every *sls consumer* and *syslog out* of this Node-RED
(\`msg.payload.summary\` holds the figures to test). Two **Switch** nodes decide alert or OK:

- \`payload.summary.maxLagSeconds\` over **300**: some shard's oldest undelivered log reached SLS more than
  5 minutes ago (lag grows while the SIEM is down or too slow, and while a backlog is read);
- \`payload.summary.maxDownSeconds\` at least **60**: a syslog receiver has been unreachable for a minute.

The **Filter** node passes a message only when the state of its topic changes (OK → alert → OK), so the
output gets one message per change, plus the OK state of each check once after a deploy (proof that
the alert path works). Wire an **email** node (\`node-red-node-email\`: \`msg.topic\` is the subject,
\`msg.payload\` the text) or a Slack/Teams node where the debug node is. Change the thresholds in the Switch
nodes. For Prometheus and Grafana instead, tick *Serve to Prometheus* in **sls stats** (see the README,
"Operations").

The SLS → syslog part is the rsyslog relay example (RFC 5424, ||key=value body).

${ENV_NOTE}`,
  ),
  consumer("alert"),
  connection("alert"),
  map("alert", "recipe", "recipe: ||key=value"),
  server("alert", "SIEM (${SYSLOG_HOST})"),
  { ...sink("alert", "SIEM"), wires: [[]] },
  {
    id: "alert-stats",
    type: "sls-stats",
    name: "every 10 s",
    interval: 10,
    prometheus: false,
    metricsPath: "/metrics",
    version: 1,
    x: 170,
    y: 280,
    wires: [["alert-lag", "alert-down"]],
  },
  {
    id: "alert-lag",
    type: "switch",
    name: "lag > 5 min?",
    property: "payload.summary.maxLagSeconds",
    propertyType: "msg",
    rules: [{ t: "gt", v: "300", vt: "num" }, { t: "else" }],
    checkall: "false",
    repair: false,
    outputs: 2,
    x: 390,
    y: 260,
    wires: [["alert-lag-on"], ["alert-lag-off"]],
  },
  {
    id: "alert-down",
    type: "switch",
    name: "SIEM down ≥ 1 min?",
    property: "payload.summary.maxDownSeconds",
    propertyType: "msg",
    rules: [{ t: "gte", v: "60", vt: "num" }, { t: "else" }],
    checkall: "false",
    repair: false,
    outputs: 2,
    x: 390,
    y: 360,
    wires: [["alert-down-on"], ["alert-down-off"]],
  },
  alertState(
    "alert-lag-on",
    "lag alert",
    "SLS → SIEM: lag over 5 minutes",
    true,
    '"Lag " & payload.summary.maxLagSeconds & " s, " & payload.summary.lagLogs & " logs not delivered yet. Consumers: " & $join(payload.consumers.(logstore & "/" & consumerGroup & " lag " & lagSeconds & " s"), ", ")',
    240,
    "alert-filter",
  ),
  alertState("alert-lag-off", "lag OK", "SLS → SIEM: lag over 5 minutes", false, '"OK: lag " & payload.summary.maxLagSeconds & " s"', 280, "alert-filter"),
  alertState(
    "alert-down-on",
    "SIEM alert",
    "SLS → SIEM: SIEM unreachable",
    true,
    '"Unreachable for " & payload.summary.maxDownSeconds & " s: " & $join(payload.syslogTargets[up = false].(target & " (" & lastError & ")"), ", ")',
    340,
    "alert-filter",
  ),
  alertState("alert-down-off", "SIEM OK", "SLS → SIEM: SIEM unreachable", false, '"OK: every SIEM target reachable"', 380, "alert-filter"),
  {
    id: "alert-filter",
    type: "rbe",
    name: "only changes",
    func: "rbe",
    gap: "",
    start: "",
    inout: "out",
    septopics: true,
    property: "alert",
    topi: "topic",
    x: 860,
    y: 310,
    wires: [["alert-notify"]],
  },
  {
    id: "alert-notify",
    type: "debug",
    name: "alerts (wire an email node here)",
    active: true,
    tosidebar: true,
    console: false,
    tostatus: true,
    complete: "true",
    targetType: "full",
    statusVal: "topic",
    statusType: "msg",
    x: 1100,
    y: 310,
    wires: [],
  },
]);

// The shipped examples (Import > Examples): together they use every node type of the package,
// they take their settings from the recipe's environment variables and carry no credentials, and
// each one loads into the real Node-RED runtime and runs against the emulator and a local receiver
// without errors, producing the format its title promises (kv, LEEF over TLS, CEF over TCP, JSON).
/* eslint-disable @typescript-eslint/no-require-imports -- node modules are loaded by type name from package.json, as Node-RED loads them */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { helper, until, type TestNode } from "../support/red-helper";
import { streamReceiver, type StreamReceiver } from "../support/receivers";
import { relpServer } from "../support/relp-server";
import { makePki, type TestPki } from "../support/certs";
import { parseRfc5424 } from "../support/rfc5424-parser";
import { parseLeef } from "../support/leef-parser";
import { parseCef } from "../support/cef-parser";
import { coreNodeFile } from "../support/core-nodes";
import { packageRoot } from "../support/demo-process";
import { start as startEmulator, type Emulator } from "../../emulator";
import { LogGenerator } from "../../emulator/generator";
import { seqGroup } from "../support/sls-fixtures";

type FlowNode = { id: string; type: string; x?: number; z?: string; [k: string]: unknown };

const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { "node-red": { nodes: Record<string, string> } };
const OUR_TYPES = Object.keys(pkg["node-red"].nodes);
const examplesDir = path.join(packageRoot, "examples");
const EXAMPLES = fs
  .readdirSync(examplesDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ name: f.slice(0, -5), nodes: JSON.parse(fs.readFileSync(path.join(examplesDir, f), "utf8")) as FlowNode[] }));

const LOGS = 20;

/** The in-process RELP collector, seen as a receiver of frames (the messages it acknowledged). */
async function relpReceiver(): Promise<Pick<StreamReceiver, "port" | "frames" | "waitFor" | "close">> {
  const srv = await relpServer();
  return {
    port: srv.port,
    get frames() {
      return srv.messages().map((m) => Buffer.from(m));
    },
    waitFor: (n) => srv.waitFor(() => srv.messages().length >= n, `${n} RELP messages`, 30_000),
    close: () => srv.close(),
  };
}

/** What each example must put on the wire: transport details and a check of one received frame. */
const EXPECT: Record<string, { framing: "octet" | "lf"; tls?: boolean; relp?: boolean; check: (frame: string) => void }> = {
  "SLS to rsyslog relay (RFC 5424 kv)": {
    framing: "octet",
    check: (f) => {
      const m = parseRfc5424(f).message ?? "";
      assert.match(m, /^\|\|__topic__=rds_audit_log\|\|.*\|\|seq=\d+\|\|/, "recipe body: ||key=value for every field");
    },
  },
  "SLS to QRadar (LEEF 2.0 over TLS)": {
    framing: "octet",
    tls: true,
    check: (f) => {
      const leef = parseLeef(parseRfc5424(f).message ?? "");
      assert.equal(leef.version, "2.0");
      const attrs = new Map(leef.attributes);
      assert.ok(attrs.has("devTime") && attrs.has("devTimeFormat") && attrs.has("seq"), "devTime and the log's fields are attributes");
    },
  },
  "SLS to ArcSight (CEF over TCP)": {
    framing: "lf",
    check: (f) => {
      assert.match(f, /^<\d{1,3}>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ /, "BSD (RFC 3164) header");
      const cef = parseCef(f.slice(f.indexOf("CEF:")));
      assert.equal(cef.version, 0);
      const ext = new Map(cef.extension);
      assert.ok(ext.has("rt") && ext.get("cs1Label") === "project" && ext.has("seq"));
    },
  },
  "SLS to rsyslog over RELP (acknowledged delivery, EPS cap)": {
    framing: "octet",
    relp: true,
    check: (f) => {
      const m = parseRfc5424(f).message ?? "";
      assert.match(m, /^\|\|__topic__=rds_audit_log\|\|.*\|\|seq=\d+\|\|/, "recipe body over RELP");
    },
  },
  "SLS to Splunk (JSON)": {
    framing: "octet",
    check: (f) => {
      const body = JSON.parse(parseRfc5424(f).message ?? "") as Record<string, unknown>;
      assert.equal(typeof body.seq, "string");
      assert.equal(typeof body.sql, "string");
    },
  },
  "Scale-out across instances (one consumer group)": {
    framing: "octet",
    check: (f) => {
      const p = parseRfc5424(f);
      assert.match(p.procId ?? "", /^\d+$/, "PROCID is the shard");
      const params = new Map(p.structuredData.flatMap((sd) => sd.params));
      assert.ok(params.has("shard") && params.has("cursor"), "dedup key in structured data");
      JSON.parse(p.message ?? "");
    },
  },
  "Alert on lag or an unreachable SIEM": {
    framing: "octet",
    check: (f) => assert.match(parseRfc5424(f).message ?? "", /^\|\|__topic__=rds_audit_log\|\|/),
  },
  "Dead-letter handling with a Catch node": {
    framing: "octet",
    check: (f) => void JSON.parse(parseRfc5424(f).message ?? ""),
  },
  // Run here with a range around now whose end is still to come: it sends what arrives (done comes
  // in the test of its own below).
  "Re-send a time range to the SIEM": {
    framing: "octet",
    check: (f) => {
      const params = new Map(parseRfc5424(f).structuredData.flatMap((sd) => sd.params));
      assert.ok(params.has("shard") && params.has("cursor"), "dedup key in structured data");
    },
  },
};

let emu: Emulator;
let pki: TestPki;
const savedEnv = { ...process.env };

before(async () => {
  pki = makePki();
  emu = await startEmulator({ port: 0, project: "example-project", logstore: "rds-audit", shards: 2 });
  const gen = new LogGenerator("rds-audit", { seed: 11 });
  emu.putLogs("rds-audit", [gen.group(Date.now(), LOGS / 2), gen.group(Date.now(), LOGS / 2)]);
  Object.assign(process.env, {
    SLS_ENDPOINT: emu.url,
    SLS_AK_ID: emu.accessKeyId,
    SLS_AK_KEY: emu.accessKeySecret,
    SLS_PROJECT: "example-project",
    SLS_LOGSTORE: "rds-audit",
    SYSLOG_HOST: "127.0.0.1",
    SYSLOG_PROTOCOL: "tcp",
    BACKFILL_FROM: String(Math.floor(Date.now() / 1000) - 3600),
    BACKFILL_TO: String(Math.floor(Date.now() / 1000) + 3600),
  });
});

after(async () => {
  await helper.unload();
  await emu.close();
  pki.cleanup();
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
});

test("the examples together use every node type of the package; each is described", () => {
  assert.deepEqual(
    Object.keys(EXPECT).sort(),
    EXAMPLES.map((e) => e.name),
    "every example is checked below",
  );
  const used = new Set(EXAMPLES.flatMap((e) => e.nodes.map((n) => n.type)));
  assert.deepEqual(
    OUR_TYPES.filter((t) => !used.has(t)),
    [],
    "node types missing from the examples",
  );
  for (const e of EXAMPLES) {
    assert.equal(e.nodes[0].type, "comment", `${e.name}: starts with a comment node`);
    assert.ok(String(e.nodes[0].info ?? "").length > 300, `${e.name}: the comment explains the flow`);
  }
});

test("the examples take their settings from the recipe's environment variables and carry no credentials", () => {
  const ids = new Set<string>();
  for (const e of EXAMPLES) {
    for (const n of e.nodes) {
      assert.ok(!ids.has(n.id), `${e.name}: node id ${n.id} is unique across examples (no import conflicts)`);
      ids.add(n.id);
      assert.equal(n.credentials, undefined, `${e.name}: ${n.id} carries no credentials`);
      if (n.type === "sls-connection") assert.equal(n.endpoint, "${SLS_ENDPOINT}");
      if (n.type === "sls-consumer") {
        // A backfill (an end time) reads in a group of its own, never the live one.
        const group = n.to ? "${SLS_BACKFILL_CG}" : "${SLS_CG}";
        assert.deepEqual([n.project, n.logstore, n.consumerGroup], ["${SLS_PROJECT}", "${SLS_LOGSTORE}", group], e.name);
      }
      if (n.type === "sls-syslog-server") {
        assert.deepEqual([n.host, n.port], ["${SYSLOG_HOST}", "${SYSLOG_PORT}"], e.name);
        assert.match(String(n.protocol), /^(\$\{SYSLOG_PROTOCOL\}|tls|tcp|relp)$/, e.name);
      }
    }
    assert.ok(JSON.stringify(e.nodes).includes("${SLS_AK_ID}"), `${e.name}: tells how to give the AccessKey`);
  }
});

for (const [i, example] of EXAMPLES.entries()) {
  test(`example "${example.name}" runs in the Node-RED runtime without errors`, { timeout: 60_000 }, async () => {
    const expect = EXPECT[example.name];
    assert.ok(expect, "expectations for this example");
    const rx: Pick<StreamReceiver, "port" | "frames" | "waitFor" | "close"> = expect.relp
      ? await relpReceiver()
      : await streamReceiver({
          framing: expect.framing,
          tls: expect.tls ? { cert: fs.readFileSync(pki.serverCertFile), key: fs.readFileSync(pki.serverKeyFile) } : undefined,
        });
    try {
      // Each example reads the logstore from the start through a consumer group of its own.
      process.env.SLS_CG = process.env.SLS_BACKFILL_CG = `example-${i}`;
      process.env.SYSLOG_PORT = String(rx.port);
      const tab = { id: `tab-${i}`, type: "tab", label: example.name };
      const flow = [tab, ...example.nodes.map((n) => (typeof n.x === "number" ? { ...n, z: tab.id } : { ...n }))];
      const credentials: Record<string, object> = {};
      for (const n of example.nodes) {
        // What the user types after importing (see the comment node): references to the environment.
        if (n.type === "sls-connection") credentials[n.id] = { accessKeyId: "${SLS_AK_ID}", accessKeySecret: "${SLS_AK_KEY}" };
        if (n.type === "sls-syslog-server" && expect.tls) credentials[n.id] = { ca: pki.ca };
      }
      const types = new Set(example.nodes.map((n) => n.type));
      const modules = [...types].map((t) => {
        if (OUR_TYPES.includes(t)) return require(path.join(packageRoot, pkg["node-red"].nodes[t])) as unknown;
        const core = coreNodeFile(t);
        assert.ok(core, `${t} is one of ours or a core node`);
        return require(core) as unknown;
      });
      await helper.load(modules, flow, credentials);

      for (const n of example.nodes) assert.ok(helper.getNode(n.id), `${example.name}: node ${n.id} (${n.type}) was created`);
      await rx.waitFor(LOGS);
      for (const f of rx.frames) expect.check(f.toString("utf8"));
      const errors = example.nodes
        .map((n) => helper.getNode(n.id) as TestNode & { error: { args: unknown[][] } })
        .flatMap((node) => (node.error?.args ?? []).map((a) => `${node.id}: ${String(a[0])}`));
      assert.deepEqual(errors, [], `${example.name}: no node reported an error`);
      // Delivered means settled: the consumer's checkpoints reach the end of both shards.
      await until(() => emu.checkpoints("rds-audit", `example-${i}`).filter((c) => c.checkpoint !== "").length === 2, 20_000, "checkpoints of both shards");
    } finally {
      await helper.unload();
      await rx.close();
    }
  });
}

test("dead-letter example: a message syslog out rejects for good lands in the dead-letter file, then passes sls ack", { timeout: 30_000 }, async () => {
  const example = EXAMPLES.find((e) => e.name === "Dead-letter handling with a Catch node");
  assert.ok(example);
  const rx = await streamReceiver({ framing: "octet" });
  const cwd = process.cwd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-deadletter-"));
  // The file node writes "sls-dead-letter.jsonl" relative to Node-RED's working directory.
  process.chdir(dir);
  try {
    process.env.SLS_CG = "example-deadletter";
    process.env.SYSLOG_PORT = String(rx.port);
    const tab = { id: "tab-dl", type: "tab" };
    const flow = [tab, ...example.nodes.map((n) => (typeof n.x === "number" ? { ...n, z: tab.id } : { ...n }))];
    const types = new Set(example.nodes.map((n) => n.type));
    const modules = [...types].map((t) => require(OUR_TYPES.includes(t) ? path.join(packageRoot, pkg["node-red"].nodes[t]) : coreNodeFile(t)!) as unknown);
    await helper.load(modules, flow, { "deadletter-sls": { accessKeyId: "${SLS_AK_ID}", accessKeySecret: "${SLS_AK_KEY}" } });
    const dl = helper.getNode("deadletter-debug-dl");
    const arrived = new Promise<{ payload: Record<string, unknown> }>((resolve) => dl.once("input", resolve as (m: unknown) => void));
    // An SD-ID that is not name@number cannot be formatted: a permanent failure, reported to Catch.
    helper.getNode("deadletter-out").receive({
      payload: { user: "alice", sql: "SELECT 1" },
      syslog: { structuredData: { "bad id": { a: 1 } } },
      sls: { project: "p", logstore: "l", shard: 1, cursor: "MTY=" },
    } as never);
    const msg = await arrived;
    assert.match(String(msg.payload.error), /SD|structured/i);
    assert.deepEqual(msg.payload.log, { user: "alice", sql: "SELECT 1" });
    const lines = fs.readFileSync(path.join(dir, "sls-dead-letter.jsonl"), "utf8").trim().split("\n");
    assert.equal(lines.length, 1);
    const rec = JSON.parse(lines[0]) as { error: string; source: string; sls: Record<string, unknown>; log: unknown };
    assert.equal(rec.source, "syslog out");
    assert.deepEqual(rec.sls, { project: "p", logstore: "l", shard: 1, cursor: "MTY=" });
  } finally {
    process.chdir(cwd);
    await helper.unload();
    await rx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("alert example: one message per change of state, OK after deploy, an alert while the SIEM is away, OK again after", { timeout: 60_000 }, async () => {
  const example = EXAMPLES.find((e) => e.name === "Alert on lag or an unreachable SIEM");
  assert.ok(example);
  let rx = await streamReceiver({ framing: "octet" });
  const port = rx.port;
  try {
    process.env.SLS_CG = "example-alert";
    process.env.SYSLOG_PORT = String(port);
    const tab = { id: "tab-alert", type: "tab" };
    // The shipped thresholds (5 min lag, 1 min down) and interval (10 s), scaled down for the test.
    const scaled: Record<string, Partial<FlowNode>> = {
      "alert-stats": { interval: 1 },
      "alert-lag": { rules: [{ t: "gt", v: "1", vt: "num" }, { t: "else" }] },
      "alert-down": { rules: [{ t: "gte", v: "2", vt: "num" }, { t: "else" }] },
    };
    const flow = [tab, ...example.nodes.map((n) => ({ ...n, ...scaled[n.id], ...(typeof n.x === "number" ? { z: tab.id } : {}) }))];
    const types = new Set(example.nodes.map((n) => n.type));
    const modules = [...types].map((t) => require(OUR_TYPES.includes(t) ? path.join(packageRoot, pkg["node-red"].nodes[t]) : coreNodeFile(t)!) as unknown);
    await helper.load(modules, flow, { "alert-sls": { accessKeyId: "${SLS_AK_ID}", accessKeySecret: "${SLS_AK_KEY}" } });
    const got: Array<{ topic: string; alert: boolean; payload: string }> = [];
    const notify = helper.getNode("alert-notify") as unknown as { on(ev: "input", f: (m: { topic: string; alert: boolean; payload: string }) => void): void };
    notify.on("input", (m) => got.push(m));
    const LAG = "SLS → SIEM: lag over 5 minutes";
    const DOWN = "SLS → SIEM: SIEM unreachable";
    const state = (): Record<string, boolean> => Object.fromEntries(got.map((m) => [m.topic, m.alert]));
    await until(() => got.length >= 2, 10_000, "the OK state of both checks");
    assert.deepEqual(state(), { [LAG]: false, [DOWN]: false });
    await rx.waitFor(LOGS);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(got.length, 2, "no more messages while nothing changes");

    await rx.close();
    const gen = new LogGenerator("rds-audit", { seed: 12 });
    emu.putLogs("rds-audit", [gen.group(Date.now(), 5), gen.group(Date.now(), 5)]);
    await until(() => state()[DOWN] === true && state()[LAG] === true, 20_000, "both alerts");
    const down = got.find((m) => m.topic === DOWN && m.alert)!;
    assert.match(down.payload, new RegExp(`^Unreachable for \\d+ s: tcp://127\\.0\\.0\\.1:${port} \\(`));
    assert.match(
      got.find((m) => m.topic === LAG && m.alert)!.payload,
      /^Lag \d+ s, \d+ logs not delivered yet\. Consumers: rds-audit\/example-alert lag \d+ s$/,
    );
    const alerts = got.length;

    rx = await streamReceiver({ framing: "octet", port });
    await until(() => state()[DOWN] === false && state()[LAG] === false, 30_000, "both OK again");
    assert.equal(got.length, alerts + 2, "one message per change");
  } finally {
    await helper.unload();
    await rx.close();
  }
});

/** The node's own status calls (the helper spies on the prototype: every node's calls are in one spy). */
const ownStatus = (n: TestNode): string[] =>
  (n.status as unknown as { getCalls(): Array<{ thisValue: unknown; args: Array<{ text?: string }> }> })
    .getCalls()
    .filter((c) => c.thisValue === n)
    .map((c) => String(c.args[0]?.text ?? ""));

test(
  "backfill example: re-sends exactly the logs SLS received in [BACKFILL_FROM, BACKFILL_TO), reports done per shard and overall in its debug node and status",
  { timeout: 60_000 },
  async () => {
    const example = EXAMPLES.find((e) => e.name === "Re-send a time range to the SIEM");
    assert.ok(example);
    // History: seq 0-9 before the range, 10-29 in it (from its first second on), 30-39 at its end and after.
    const from = Math.floor(Date.now() / 1000) - 7200;
    const to = from + 1000;
    emu.createLogstore("backfill-history", { shards: 2 });
    const put = (seqs: number, at: number, first: number): void => {
      for (let s = first; s < first + seqs; s += 5) emu.putLogs("backfill-history", seqGroup(s, s + 5), { shard: (s / 5) % 2, receiveTime: at });
    };
    put(10, from - 100, 0);
    put(10, from, 10);
    put(10, from + 500, 20);
    put(10, to, 30);
    // The live flow's group, which the backfill leaves alone.
    emu.createConsumerGroup("backfill-history", "siem-live");
    const rx = await streamReceiver({ framing: "octet" });
    const env = { ...process.env };
    Object.assign(process.env, {
      SLS_LOGSTORE: "backfill-history",
      SLS_CG: "siem-live",
      SLS_BACKFILL_CG: "siem-live-backfill",
      BACKFILL_FROM: new Date(from * 1000).toISOString(),
      BACKFILL_TO: String(to),
      SYSLOG_PORT: String(rx.port),
    });
    try {
      const tab = { id: "tab-bf", type: "tab" };
      const flow = [tab, ...example.nodes.map((n) => (typeof n.x === "number" ? { ...n, z: tab.id } : { ...n }))];
      const modules = [...new Set(example.nodes.map((n) => n.type))].map(
        (t) => require(OUR_TYPES.includes(t) ? path.join(packageRoot, pkg["node-red"].nodes[t]) : coreNodeFile(t)!) as unknown,
      );
      await helper.load(modules, flow, { "backfill-sls": { accessKeyId: "${SLS_AK_ID}", accessKeySecret: "${SLS_AK_KEY}" } });
      const progress: Array<{ topic: string; payload: Record<string, unknown> }> = [];
      helper.getNode("backfill-done").on("input", ((m: (typeof progress)[number]) => progress.push(m)) as (m: unknown) => void);
      await until(() => progress.some((m) => m.topic === "done"), 30_000, "the done message in the debug node");
      await rx.waitFor(20);
      const seqs = rx.frames.map((f) => Number((JSON.parse(parseRfc5424(f.toString("utf8")).message ?? "") as { seq: string }).seq));
      assert.deepEqual(
        seqs.sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, k) => 10 + k),
        "exactly the range",
      );
      const shardDone = progress.filter((m) => m.topic === "shard-done").map((m) => [m.payload.shard, m.payload.logs]);
      assert.deepEqual(shardDone.sort(), [
        [0, 10],
        [1, 10],
      ]);
      const done = progress.at(-1)!;
      assert.equal(done.topic, "done", "done comes last");
      assert.deepEqual(
        [done.payload.logs, done.payload.from, done.payload.to],
        [20, new Date(from * 1000).toISOString().replace(".000Z", "Z"), new Date(to * 1000).toISOString().replace(".000Z", "Z")],
      );
      const consumer = helper.getNode("backfill-consumer");
      await until(() => /^done · 20 logs/.test(ownStatus(consumer).at(-1) ?? ""), 5000, "the consumer's status says done");
      assert.deepEqual(ownStatus(helper.getNode("backfill-done")).at(-1), "done", "the debug node shows the last topic");
      assert.deepEqual(
        emu.checkpoints("backfill-history", "siem-live").filter((c) => c.checkpoint !== ""),
        [],
        "the live group is untouched",
      );
      const errors = example.nodes
        .map((n) => helper.getNode(n.id) as TestNode & { error: { args: unknown[][] } })
        .flatMap((node) => (node.error?.args ?? []).map((a) => `${node.id}: ${String(a[0])}`));
      assert.deepEqual(errors, [], "no node reported an error");
    } finally {
      await helper.unload();
      await rx.close();
      for (const k of ["SLS_LOGSTORE", "SLS_CG", "SLS_BACKFILL_CG", "BACKFILL_FROM", "BACKFILL_TO", "SYSLOG_PORT"]) {
        if (env[k] === undefined) delete process.env[k];
        else process.env[k] = env[k];
      }
    }
  },
);

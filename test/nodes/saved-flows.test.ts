// Saved flows of every older shape load and run through the real runtime: settings saved before
// `version` existed (format 0, as the editor wrote them and as people write them by hand, with
// keys left out), and format-1 flows saved before a key was added (kvOrder). Each is upgraded by
// migrate() to the current format with the meaning it had, and the flow delivers every log.
// (How to add a format: docs/architecture.md, "Node settings".)
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Emulator } from "../../emulator/index";
import { emulatorAndReceiver } from "../support/emulator-and-receiver";
import { SPECS, currentVersion, migrate, resolve, type Raw } from "../../lib/config";
import { helper, until } from "../support/red-helper";
import type { StreamReceiver } from "../support/receivers";
import { putSeq } from "../support/sls-fixtures";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import mapNode = require("../../nodes/sls-syslog-map");
import serverNode = require("../../nodes/sls-syslog-server");
import outNode = require("../../nodes/sls-syslog-out");
import ackNode = require("../../nodes/sls-ack");

let emu: Emulator;
let rx: StreamReceiver;

emulatorAndReceiver((e, r) => ([emu, rx] = [e, r]));

/** Format 0 as written by hand: only what cannot be left out. */
function minimalFlow(logstore: string): object[] {
  return [
    { id: "tab", type: "tab" },
    { id: "conn", type: "sls-connection", endpoint: emu.url },
    // Fast heartbeats for the test; every other key absent.
    {
      id: "cons",
      z: "tab",
      type: "sls-consumer",
      connection: "conn",
      project: emu.project,
      logstore,
      consumerGroup: "old",
      heartbeat: 0.2,
      commitInterval: 0.2,
      wires: [["map"]],
    },
    { id: "map", z: "tab", type: "sls-syslog-map", wires: [["ack"]] },
    { id: "ack", z: "tab", type: "sls-ack", wires: [["out"]] },
    { id: "srv", type: "sls-syslog-server", host: "127.0.0.1", port: rx.port, protocol: "tcp" },
    { id: "out", z: "tab", type: "sls-syslog-out", server: "srv", wires: [] },
  ];
}

/** Format 0 as the editor wrote it before `version` (every key, no version), map saved before kvOrder existed. */
function fullFlow(logstore: string): object[] {
  return [
    { id: "tab", type: "tab" },
    { id: "conn", type: "sls-connection", name: "", endpoint: emu.url, cname: "auto" },
    {
      id: "cons",
      z: "tab",
      type: "sls-consumer",
      name: "",
      connection: "conn",
      project: emu.project,
      logstore,
      consumerGroup: "full",
      consumerName: "",
      start: "begin",
      startTime: "",
      query: "",
      output: "batch",
      ackMode: "delivery",
      maxInFlight: "300",
      heartbeat: "0.2",
      timeout: "2",
      commitInterval: "0.2",
      claimTimeout: "30",
      order: false,
      wires: [["map"]],
    },
    {
      id: "map",
      z: "tab",
      type: "sls-syslog-map",
      name: "",
      preset: "",
      keepInternal: false,
      fieldRules: [],
      timestampSource: "sls",
      timestampField: "",
      timestampUnit: "auto",
      hostname: "__source__",
      hostnameType: "field",
      appName: "logstore",
      appNameType: "meta",
      procId: "",
      procIdType: "none",
      msgId: "",
      msgIdType: "none",
      facility: "local0",
      facilityType: "fixed",
      severity: "info",
      severityType: "fixed",
      severityTable: [],
      severityDefault: "info",
      format: "kv",
      kvSeparator: "||",
      kvEscape: "backslash",
      kvLeadingSeparator: true,
      jsonSortKeys: true,
      jsonExpand: false,
      template: "",
      templateEscape: "none",
      bodyField: "",
      cefVersion: "0",
      vendor: "Alibaba Cloud",
      vendorType: "str",
      product: "SLS",
      productType: "str",
      productVersion: "1.0",
      productVersionType: "str",
      eventId: "logstore",
      eventIdType: "meta",
      eventName: "SLS log",
      eventNameType: "str",
      cefSeverity: "",
      cefSeverityType: "auto",
      leefVersion: "2.0",
      leefDelimiter: "^",
      leefDevTime: "iso",
      attributes: [],
      attributesIncludeFields: true,
      sdEnabled: false,
      sdId: "sls@32473",
      sdFields: "",
      sdDedup: false,
      version: 1,
      wires: [["out"]],
    },
    {
      id: "srv",
      type: "sls-syslog-server",
      name: "",
      host: "127.0.0.1",
      port: String(rx.port),
      protocol: "tcp",
      framing: "octet",
      rejectUnauthorized: true,
      servername: "",
      caFile: "",
      certFile: "",
      keyFile: "",
      secondaryHost: "",
      secondaryPort: "",
      maxQueueMessages: "10000",
      maxQueueMB: "16",
      maxMessageBytes: "8192",
    },
    {
      id: "out",
      z: "tab",
      type: "sls-syslog-out",
      name: "",
      server: "srv",
      format: "rfc5424",
      facility: "user",
      severity: "info",
      hostname: "fwd-01",
      appName: "aliyun-sls",
      procId: "",
      msgId: "",
      bom: "auto",
      wires: [],
    },
  ];
}

/** Every node of `flow` upgraded and resolved as the runtime does it. */
function upgraded(flow: object[], credentials: Record<string, Raw>): Record<string, Raw> {
  const out: Record<string, Raw> = {};
  for (const n of flow as Raw[]) {
    const spec = SPECS[n.type as string];
    if (!spec) continue;
    const m = migrate(spec, n);
    assert.ok(m.ok, `${n.id as string} migrates`);
    assert.equal(m.value.version, currentVersion(spec));
    const r = resolve(spec, m.value, { credentials: credentials[n.id as string] });
    assert.ok(r.ok, `${n.id as string}: ${r.ok ? "" : JSON.stringify(r.problems)}`);
    out[n.id as string] = r.value;
  }
  return out;
}

const seqsOf = (frames: Buffer[], from: number): number[] => frames.slice(from).map((f) => Number(/seq=(\d+)/.exec(f.toString("utf8"))?.[1] ?? -1));

test("format 0 written by hand (keys left out): upgraded with the values the runtime always used, and it runs", { timeout: 60_000 }, async () => {
  const logstore = "old-minimal";
  emu.createLogstore(logstore, { shards: 2 });
  putSeq(emu, 0, 300, 10, 2, logstore);
  const flow = minimalFlow(logstore);
  const credentials = { conn: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret } };
  const u = upgraded(flow, credentials);
  assert.deepEqual(
    {
      start: u.cons.start,
      output: u.cons.output,
      ackMode: u.cons.ackMode,
      maxInFlight: u.cons.maxInFlight,
      timeout: u.cons.timeout,
      claimTimeout: u.cons.claimTimeout,
    },
    { start: "begin", output: "log", ackMode: "delivery", maxInFlight: 1000, timeout: 1, claimTimeout: 30 },
  );
  assert.deepEqual(
    { format: u.out.format, facility: u.out.facility, severity: u.out.severity, appName: u.out.appName, bom: u.out.bom },
    { format: "rfc5424", facility: 1, severity: 6, appName: "", bom: "auto" },
    "an absent app-name stays empty (sent as -), as it always was",
  );
  assert.deepEqual(
    { framing: u.srv.framing, maxQueueMessages: u.srv.maxQueueMessages, maxMessageBytes: u.srv.maxMessageBytes },
    { framing: "octet", maxQueueMessages: 10_000, maxMessageBytes: 8192 },
  );
  assert.equal(u.map.kvOrder, "record");
  const from = rx.frames.length;
  await helper.load([connNode, consumerNode, mapNode, ackNode, serverNode, outNode], flow, credentials);
  try {
    await until(() => new Set(seqsOf(rx.frames, from)).size >= 300, 30_000, "every log");
    const first = rx.frames
      .slice(from)
      .map((f) => f.toString("utf8"))
      .find((f) => f.includes("seq=0||"));
    assert.match(first ?? "", /^<14>1 2027-01-15T08:00:00Z 10\.0\.0\.1 old-minimal - - - \|\|seq=0\|\|key=k0\|\|msg=event number 0 for k0$/);
  } finally {
    await helper.unload();
  }
});

test("format 0 as the editor saved it, with a mapping saved before kvOrder existed: upgraded unchanged, and it runs", { timeout: 60_000 }, async () => {
  const logstore = "old-full";
  emu.createLogstore(logstore, { shards: 2 });
  putSeq(emu, 0, 300, 10, 2, logstore);
  const flow = fullFlow(logstore);
  const credentials = { conn: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret } };
  for (const n of flow as Raw[]) {
    const spec = SPECS[n.type as string];
    if (!spec) continue;
    const m = migrate(spec, n);
    assert.ok(m.ok);
    // Format 0 and 1 have the same keys: the upgrade only records the format; format 2 lists the
    // syslog server's failover receiver among its moreTargets.
    const { secondaryHost, secondaryPort, ...rest } = n;
    const want: Raw =
      n.type === "sls-syslog-server"
        ? { ...rest, moreTargets: secondaryHost ? [{ host: secondaryHost, port: String(secondaryPort ?? ""), servername: "" }] : [] }
        : { ...n };
    want.version = undefined;
    assert.deepEqual({ ...m.value, version: undefined }, want, n.id as string);
  }
  const u = upgraded(flow, credentials);
  assert.deepEqual(
    { output: u.cons.output, maxInFlight: u.cons.maxInFlight, kvOrder: u.map.kvOrder },
    { output: "batch", maxInFlight: 300, kvOrder: "record" },
  );
  const from = rx.frames.length;
  await helper.load([connNode, consumerNode, mapNode, serverNode, outNode], flow, credentials);
  try {
    await until(() => new Set(seqsOf(rx.frames, from)).size >= 300, 30_000, "every log");
    const first = rx.frames
      .slice(from)
      .map((f) => f.toString("utf8"))
      .find((f) => f.includes("seq=0||"));
    assert.match(first ?? "", /^<134>1 2027-01-15T08:00:00Z 10\.0\.0\.1 old-full - - - \|\|seq=0\|\|key=k0\|\|msg=event number 0 for k0$/);
  } finally {
    await helper.unload();
  }
});

/** Format 1 (0.1.0) with three settings 0.1 rewrote at run time and this release refuses in a new dialog. */
function rewrittenFlow(logstore: string): object[] {
  return [
    { id: "tab", type: "tab" },
    { id: "conn", type: "sls-connection", endpoint: emu.url, version: 1 },
    // A name with a space and a slash (each became "_"), and a timeout below two heartbeats (raised with a warning).
    {
      id: "cons",
      z: "tab",
      type: "sls-consumer",
      connection: "conn",
      project: emu.project,
      logstore,
      consumerGroup: "rewritten",
      consumerName: " siem fwd/1 ",
      heartbeat: "0.6",
      timeout: "1",
      commitInterval: "0.2",
      version: 1,
      wires: [["map"]],
    },
    { id: "map", z: "tab", type: "sls-syslog-map", version: 1, wires: [["out"]] },
    // TLS settings left filled in under tcp (ignored: sent over plain TCP).
    {
      id: "srv",
      type: "sls-syslog-server",
      host: "127.0.0.1",
      port: String(rx.port),
      protocol: "tcp",
      servername: "siem.example",
      caFile: "/nonexistent/ca.pem",
      certFile: "",
      keyFile: "",
      version: 1,
    },
    { id: "out", z: "tab", type: "sls-syslog-out", server: "srv", version: 1, wires: [] },
  ];
}

/** Runtime log entries of one node at warn level. */
function warningsOf(id: string): string[] {
  const log = helper.log() as unknown as { args: Array<[{ level: number; id?: string; msg: unknown }]> };
  return log.args.filter(([e]) => e.level === 30 && e.id === id).map(([e]) => String(e.msg));
}

test(
  "format 1 with what 0.1 rewrote at run time (consumer name, short timeout, TLS settings under tcp): the same values, explicit, and it runs",
  { timeout: 60_000 },
  async () => {
    const logstore = "old-rewritten";
    emu.createLogstore(logstore, { shards: 2 });
    putSeq(emu, 0, 300, 10, 2, logstore);
    const flow = rewrittenFlow(logstore);
    const credentials = {
      conn: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
      srv: { ca: "-----BEGIN CERTIFICATE-----\nnot used\n-----END CERTIFICATE-----\n", key: "not used either", passphrase: "" },
    };
    const cons = migrate(SPECS["sls-consumer"], (flow as Raw[])[2]);
    assert.ok(cons.ok);
    assert.deepEqual([cons.value.consumerName, cons.value.timeout], ["siem_fwd_1", 2], "the name 0.1 sent, the timeout it used");
    assert.deepEqual(cons.notes, [{ key: "timeout-raised", params: { saved: 1, timeout: 2, heartbeat: 0.6 } }]);
    const srv = migrate(SPECS["sls-syslog-server"], (flow as Raw[])[4], credentials.srv);
    assert.ok(srv.ok);
    assert.deepEqual(
      [srv.value.servername, srv.value.caFile, srv.credentials],
      ["", "", { ca: "", key: "", passphrase: "" }],
      "TLS settings tcp ignored are cleared",
    );
    for (const n of flow as Raw[]) {
      const spec = SPECS[n.type as string];
      if (!spec) continue;
      const m = migrate(spec, n, (credentials as Record<string, Raw>)[n.id as string]);
      assert.ok(m.ok);
      assert.ok(resolve(spec, m.value, { credentials: m.credentials }).ok, `${n.id as string} runs as upgraded`);
      // A new dialog still refuses the same values (saved in the current format).
      if (n.id === "cons" || n.id === "srv")
        assert.ok(
          !resolve(spec, { ...n, version: currentVersion(spec) }, { credentials: (credentials as Record<string, Raw>)[n.id as string] }).ok,
          `${n.id as string} as a new node`,
        );
    }
    const from = rx.frames.length;
    await helper.load([connNode, consumerNode, mapNode, serverNode, outNode], flow, credentials);
    try {
      await until(() => new Set(seqsOf(rx.frames, from)).size >= 300, 30_000, "every log");
      const group = emu.getLogstore(logstore).groups.get("rewritten");
      assert.equal(group?.timeout, 2, "the group's timeout: two heartbeats, rounded up");
      await until(() => [...(group?.checkpoints.values() ?? [])].length === 2, 10_000, "checkpoints of both shards");
      assert.deepEqual(new Set([...group!.checkpoints.values()].map((c) => c.consumer)), new Set(["siem_fwd_1"]), "the consumer name SLS knew");
      assert.deepEqual(
        warningsOf("cons"),
        ["timeout 1 s is shorter than two heartbeats (0.6 s each): using 2 s, as before; save the node in its dialog to keep this value"],
        "said once",
      );
      assert.deepEqual(warningsOf("srv"), []);
    } finally {
      await helper.unload();
    }
  },
);

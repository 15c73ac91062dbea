// resources/config.js, the dialogs' settings code built from lib/config: it runs without Node.js
// (no Buffer, no require), its defaults are the specs', its validators give the runtime's own
// messages, and opening a dialog upgrades settings saved in an older format.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { SPECS, currentVersion, describe, migrate, resolve, type Raw } from "../../lib/config";
import { STREAM_DEFAULT_MESSAGE, UDP_DEFAULT_CAP } from "../../lib/syslog/limits";

const file = path.resolve(__dirname, "..", "..", "..", "resources", "config.js");

interface Settings {
  defaults(
    type: string,
  ): Record<string, { value: unknown; type?: string; required?: boolean; validate?: (this: Raw, v: unknown, opt?: unknown) => true | string }>;
  credentials(type: string): Record<string, { type: string }>;
  prepare(type: string, own?: () => void): (this: Raw) => void;
  save(type: string, own?: () => void): (this: Raw) => void;
  lists: { FACILITIES: string[]; SEVERITIES: string[]; META_KEYS: string[] };
  messageBytes: { udp: number; stream: number };
  mappingForm(): { typed: string[]; checks: string[]; lists: string[]; plain: string[] };
}

/** A value from the file's context as one of ours (arrays and objects of another realm compare unequal). */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Loads the file in a bare context (a window, RED._ that knows no catalogue, and no dialog open). */
function load(): Settings {
  const empty = { length: 0 };
  const window: Record<string, unknown> = {};
  window.RED = { _: (k: string) => k, editor: { getEditStack: () => [] }, nodes: { getType: () => undefined } };
  window.$ = () => empty;
  const ctx = vm.createContext({ window });
  vm.runInContext(fs.readFileSync(file, "utf8"), ctx, { filename: file });
  return (window.slsSyslogEditor as { settings: Settings }).settings;
}

test("resources/config.js runs without Node.js, once however many .html files load it", () => {
  const src = fs.readFileSync(file, "utf8");
  assert.doesNotMatch(src, /require\("(?!lib\/)/, "only the bundled modules are required");
  const s = load();
  assert.deepEqual(Object.keys(s).sort(), ["credentials", "current", "defaults", "lists", "mappingForm", "messageBytes", "prepare", "save"]);
});

test("the server dialog's suggested message sizes are the library's (lib/syslog/limits.ts)", () => {
  assert.deepEqual(plain(load().messageBytes), { udp: UDP_DEFAULT_CAP, stream: STREAM_DEFAULT_MESSAGE });
  assert.equal(SPECS["sls-syslog-server"].props.maxMessageBytes.default, String(STREAM_DEFAULT_MESSAGE));
});

test("the dialogs' defaults and credentials are the specs'", () => {
  const s = load();
  for (const [type, spec] of Object.entries(SPECS)) {
    const d = s.defaults(type);
    const settings = Object.keys(spec.props).filter((k) => !spec.props[k].credential);
    assert.deepEqual(Object.keys(d).sort(), ["name", "version", ...settings].sort(), type);
    assert.equal(d.version.value, currentVersion(spec));
    for (const k of settings) {
      assert.deepEqual(plain(d[k].value), spec.props[k].default, `${type}.${k}`);
      if (spec.props[k].ref) assert.equal(d[k].type, spec.props[k].ref);
      else assert.equal(typeof d[k].validate, "function", `${type}.${k} has a validator`);
    }
    const creds = Object.keys(spec.props).filter((k) => spec.props[k].credential);
    assert.deepEqual(Object.keys(s.credentials(type)).sort(), creds.sort(), type);
  }
});

test("validators give the runtime's message for the values issue 13 lists, and accept ${VAR}", () => {
  const s = load();
  const cases: Array<[string, string, unknown, Raw]> = [
    ["sls-syslog-server", "protocol", "ssl", {}],
    ["sls-syslog-server", "port", "70000", {}],
    ["sls-syslog-server", "port", "abc", {}],
    ["sls-syslog-server", "port", "-1", {}],
    ["sls-consumer", "maxInFlight", "0", {}],
    ["sls-consumer", "maxInFlight", "1e9", {}],
    ["sls-consumer", "maxInFlight", "0.5", {}],
    ["sls-consumer", "startTime", "yesterday", { start: "time" }],
    ["sls-connection", "endpoint", "", {}],
    ["sls-syslog-out", "appName", "two words", {}],
    ["sls-syslog-map", "kvSeparator", "a=", { format: "kv" }],
    ["sls-syslog-server", "protocol", "tcp", { caFile: "/etc/ca.pem" }],
  ];
  for (const [type, prop, bad, node] of cases) {
    const spec = SPECS[type];
    const saved: Raw = {
      ...Object.fromEntries(Object.entries(spec.props).map(([k, p]) => [k, p.default])),
      host: "h",
      connection: "c",
      project: "p",
      logstore: "l",
      consumerGroup: "g",
      server: "s",
      ...node,
    };
    const got = s.defaults(type)[prop].validate!.call(saved, bad, {});
    const r = resolve(spec, migrate(spec, { ...saved, [prop]: bad }).ok ? { ...saved, [prop]: bad } : saved, {
      credentials: { accessKeyId: "i", accessKeySecret: "s" },
    });
    assert.ok(!r.ok, `${type}.${prop} = ${String(bad)} is refused at run time`);
    assert.equal(got, describe(r.problems.find((p) => p.property === prop)!), `${type}.${prop} = ${String(bad)}`);
  }
  assert.equal(s.defaults("sls-syslog-server").protocol.validate!.call({}, "${SYSLOG_PROTOCOL}", {}), true);
  assert.equal(s.defaults("sls-syslog-server").port.validate!.call({}, "6514", {}), true);
  assert.equal(s.defaults("sls-syslog-map").kvSeparator.validate!.call({ format: "json" }, "a=", {}), true, "only with key=value");
});

test("opening a dialog upgrades settings saved before `version`; saving stores the current format", () => {
  const s = load();
  for (const type of Object.keys(SPECS)) {
    const node: Raw = { id: "n1", type };
    s.prepare(type).call(node);
    s.save(type).call(node);
    assert.equal(node.version, currentVersion(SPECS[type]), type);
  }
});

/** A dialog's fields by id: what the settings code reads and writes of them. */
function fields(values: Record<string, unknown>): (selector: string) => unknown {
  return (selector: string) => {
    const id = selector.replace(/^#/, "");
    if (!(id in values)) return { length: 0 };
    return {
      length: 1,
      val: (...v: unknown[]) => (v.length > 0 ? void (values[id] = v[0]) : values[id]),
      prop: (_name: string, ...v: unknown[]) => (v.length > 0 ? void (values[id] = v[0]) : values[id]),
      attr: () => (typeof values[id] === "boolean" ? "checkbox" : "text"),
      data: () => undefined,
      typedInput: () => undefined,
    };
  };
}

test("a node saved before this release is judged as the runtime upgrades it; its dialog opens with the upgraded values (credentials too)", () => {
  const s = load();
  const consumer: Raw = {
    type: "sls-consumer",
    connection: "c",
    project: "p",
    logstore: "l",
    consumerGroup: "g",
    consumerName: "node 1",
    heartbeat: "20",
    timeout: "30",
    version: 1,
  };
  const d = s.defaults("sls-consumer");
  assert.equal(d.consumerName.validate!.call(consumer, consumer.consumerName, {}), true, "format 1: rewritten as 0.1 did");
  assert.equal(d.timeout.validate!.call(consumer, consumer.timeout, {}), true, "format 1: raised as 0.1 did");
  const now: Raw = { ...consumer, version: currentVersion(SPECS["sls-consumer"]) };
  assert.match(String(d.consumerName.validate!.call(now, now.consumerName, {})), /^consumerName "node 1": only letters/, "a node of this release is refused");
  const named: Raw = { ...now, consumerName: "node-1" };
  assert.match(String(d.timeout.validate!.call(named, named.timeout, {})), /^timeout "30": must be at least twice the heartbeat/);

  // The server dialog of a format-1 node with TLS settings under tcp: open() clears them in the fields.
  const server: Raw = { type: "sls-syslog-server", host: "h", port: "514", protocol: "tcp", caFile: "/etc/ca.pem", version: 1 };
  const values: Record<string, unknown> = {
    "node-config-input-protocol": "tcp",
    "node-config-input-caFile": "/etc/ca.pem",
    "node-config-input-key": "__PWRD__",
    "node-config-input-ca": "",
  };
  const window: Record<string, unknown> = {};
  window.RED = { _: (k: string) => k, editor: { getEditStack: () => [server] }, nodes: { getType: () => ({ category: "config" }) } };
  window.$ = fields(values);
  vm.runInContext(fs.readFileSync(file, "utf8"), vm.createContext({ window }), { filename: file });
  const editing = (window.slsSyslogEditor as { settings: Settings }).settings;
  editing.prepare("sls-syslog-server").call(server);
  assert.deepEqual(values, { "node-config-input-protocol": "tcp", "node-config-input-caFile": "", "node-config-input-key": "", "node-config-input-ca": "" });
  editing.save("sls-syslog-server").call(server);
  assert.equal(server.version, currentVersion(SPECS["sls-syslog-server"]));
  // Typed into the open dialog again: refused, as for a new node.
  values["node-config-input-caFile"] = "/etc/ca.pem";
  assert.match(String(editing.defaults("sls-syslog-server").protocol.validate!.call(server, "tcp", {})), /TLS settings \(caFile\) are set but protocol tcp/);
});

test("the mapping dialog's lists come from the library", () => {
  const s = load();
  assert.equal(s.lists.FACILITIES[16], "local0");
  assert.equal(s.lists.SEVERITIES[3], "err");
  assert.ok(s.lists.META_KEYS.includes("logstore"));
  const f = s.mappingForm();
  assert.deepEqual(plain(f.lists), ["fieldRules", "severityTable", "attributes"]);
  assert.ok(f.typed.includes("hostname") && !f.plain.includes("hostnameType"));
});

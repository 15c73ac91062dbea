// Node settings (lib/config): every value a node used to guess is now a problem that names the
// property, the value and what is allowed; saved settings of every format upgrade to the current
// one; the defaults the editor saves are valid; the build puts the messages in every catalogue.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  SPECS,
  SLS_CONNECTION,
  SLS_CONSUMER,
  SLS_SYSLOG_MAP,
  SLS_SYSLOG_OUT,
  SLS_SYSLOG_SERVER,
  CONFIG_MESSAGES,
  currentVersion,
  english,
  describe,
  migrate,
  parseStartTime,
  resolve,
  type NodeSpec,
  type Raw,
  type ResolveOptions,
} from "../../lib/config";
import { BASE_CONFIG, MAPPING_SETTINGS } from "../../lib/mapping";

/** A node's settings as a new node saves them (the editor defaults), overlaid with `over`. */
function saved(spec: NodeSpec, over: Raw = {}): Raw {
  const c: Raw = { id: "n1", type: spec.type, name: "", version: currentVersion(spec) };
  for (const [k, p] of Object.entries(spec.props)) if (!p.credential) c[k] = p.default;
  return { ...c, ...over };
}

/** The problems of `spec` for `over`, as the user reads them. */
function problems(spec: NodeSpec, over: Raw, opts: ResolveOptions = {}): string[] {
  const m = migrate(spec, saved(spec, over));
  const r = m.ok ? resolve(spec, m.value, opts) : m;
  return r.ok ? [] : r.problems.map((p) => describe(p));
}

const SERVER = { host: "siem.example.com", port: "6514", protocol: "tls" };
const CONSUMER = { connection: "c1", project: "p1", logstore: "audit", consumerGroup: "siem" };
const CONN_CREDS = { credentials: { accessKeyId: "id", accessKeySecret: "secret" } };

test("sls-syslog-server: an unknown protocol is refused, never TCP", () => {
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "ssl" }), ['protocol "ssl": must be one of udp, tcp, tls, relp']);
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "" }), ["protocol: required"]);
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "${SYSLOG_PROTOCOL}" }), [
    'protocol "${SYSLOG_PROTOCOL}": environment variable SYSLOG_PROTOCOL is not set',
  ]);
  const { protocol: _, ...noProtocol } = saved(SLS_SYSLOG_SERVER, SERVER);
  const r = resolve(SLS_SYSLOG_SERVER, noProtocol);
  assert.ok(!r.ok && describe(r.problems[0]) === "protocol: required", "an absent protocol is not guessed either");
  const tls = resolve(SLS_SYSLOG_SERVER, saved(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "TLS" }));
  assert.ok(tls.ok && tls.value.protocol === "tls", "letter case is not a different protocol");
});

test("sls-syslog-server: bad ports are refused (abc, -1, 70000, 0, 1.5)", () => {
  for (const port of ["abc", "-1", "70000", "0", "1.5", "1e3"]) {
    assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, port }), [`port "${port}": must be a whole number from 1 to 65535`], port);
  }
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, moreTargets: [{ host: "b", port: "99999" }] }), [
    "moreTargets: row 1: must be a whole number from 1 to 65535",
  ]);
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, moreTargets: [{ host: "b" }, { host: "c d" }] }), [
    "moreTargets: row 2: must not contain spaces or control characters",
  ]);
  const r = resolve(SLS_SYSLOG_SERVER, saved(SLS_SYSLOG_SERVER, { ...SERVER, port: 514 }));
  assert.ok(r.ok && r.value.port === 514, "a port saved as a number");
});

test("sls-syslog-server format 1 -> 2: the failover receiver becomes the first of moreTargets (its port, and its errors, kept)", () => {
  const v1 = {
    id: "n1",
    type: "sls-syslog-server",
    host: "siem",
    port: "6514",
    protocol: "tls",
    secondaryHost: " b.example ",
    secondaryPort: "1514",
    version: 1,
  };
  const m = migrate(SLS_SYSLOG_SERVER, v1);
  assert.ok(m.ok);
  assert.deepEqual(m.value, {
    id: "n1",
    type: "sls-syslog-server",
    host: "siem",
    port: "6514",
    protocol: "tls",
    moreTargets: [{ host: "b.example", port: "1514", servername: "" }],
    version: 2,
  });
  const r = resolve(SLS_SYSLOG_SERVER, m.value);
  assert.ok(r.ok);
  assert.deepEqual([r.value.moreTargets, r.value.mode, r.value.failbackSeconds], [[{ host: "b.example", port: 1514, servername: undefined }], "failover", 30]);
  const none = migrate(SLS_SYSLOG_SERVER, { ...v1, secondaryHost: "", secondaryPort: "" });
  assert.ok(none.ok && Array.isArray(none.value.moreTargets) && none.value.moreTargets.length === 0 && !("secondaryHost" in none.value));
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, secondaryHost: "b", secondaryPort: "99999", version: 1 }), [
    "moreTargets: row 1: must be a whole number from 1 to 65535",
  ]);
});

test("sls-syslog-server: TLS settings under another protocol, a certificate without its key, UDP sizes", () => {
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "tcp", caFile: "/etc/ca.pem" }), [
    'protocol "tcp": TLS settings (caFile) are set but protocol tcp does not use TLS: choose TLS, or clear them',
  ]);
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "tcp" }, { credentials: { key: "-----BEGIN" } }), [
    'protocol "tcp": TLS settings (key) are set but protocol tcp does not use TLS: choose TLS, or clear them',
  ]);
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, certFile: "/etc/c.pem" }), ["key: a client certificate needs its key, and a key its certificate"]);
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "relp", relpTls: true, caFile: "/etc/ca.pem" }), [], "RELP over TLS takes TLS settings");
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "relp", relpTls: false, caFile: "/etc/ca.pem" }).length, 1);
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "relp", relpWindow: "0" }), ['relpWindow "0": must be a whole number from 1 to 100000']);
  assert.deepEqual(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "udp", maxMessageBytes: "70000" }), [
    'maxMessageBytes "70000": must be 0 (no limit) or a whole number from 1 to 65507',
  ]);
  for (const [field, bad] of [
    ["maxQueueMessages", "0"],
    ["maxQueueMB", "0"],
    ["maxQueueMB", "lots"],
    ["framing", "crlf"],
  ] as const) {
    assert.equal(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "tcp", [field]: bad }).length, 1, `${field} ${bad}`);
  }
  // Empty queue and size fields mean their documented defaults.
  const r = resolve(SLS_SYSLOG_SERVER, saved(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "udp", maxQueueMessages: "", maxQueueMB: "", maxMessageBytes: "" }));
  assert.ok(r.ok);
  assert.deepEqual([r.value.maxQueueMessages, r.value.maxQueueMB, r.value.maxMessageBytes], [10_000, 16, 1400]);
});

test("sls-consumer: maxInFlight 0, -1, abc, 1e9, 0.5 and 100001 are refused; 1 and 100000 are the bounds", () => {
  for (const v of ["0", "-1", "abc", "1e9", "0.5", 0.5, 1e9, "100001"]) {
    assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, maxInFlight: v }), [`maxInFlight "${v}": must be a whole number from 1 to 100000`], String(v));
  }
  for (const v of [1, "100000"]) assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, maxInFlight: v }), []);
});

test("sls-consumer: a start time that does not parse is refused, never read as begin", () => {
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, start: "time", startTime: "yesterday" }), [
    'startTime "yesterday": must be an ISO 8601 time such as 2026-11-28T00:00:00Z (no zone = UTC) or unix seconds',
  ]);
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, start: "time", startTime: "" }), ["startTime: required"]);
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, start: "begin", startTime: "yesterday" }), [], "ignored unless start = time");
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, start: "now" }), ['start "now": must be one of begin, end, time']);
  const r = resolve(SLS_CONSUMER, saved(SLS_CONSUMER, { ...CONSUMER, start: "time", startTime: "2026-11-28T08:00:00+08:00" }));
  assert.ok(r.ok && r.value.startTime === Date.UTC(2026, 10, 28) / 1000);
});

test("sls-consumer: an end time (to) reads like the start time; empty means no end; not before the start", () => {
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, to: "tomorrow" }), [
    'to "tomorrow": must be an ISO 8601 time such as 2026-11-28T00:00:00Z (no zone = UTC) or unix seconds',
  ]);
  const none = resolve(SLS_CONSUMER, saved(SLS_CONSUMER, { ...CONSUMER, to: " " }));
  assert.ok(none.ok && none.value.to === undefined, "empty: no end");
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, start: "time", startTime: "2026-11-28T00:00:00Z", to: "2026-11-28T08:00:00+08:00" }), [
    'to "2026-11-28T08:00:00+08:00": must be after the start time (a range from the start time up to, not including, this time)',
  ]);
  const ok = resolve(SLS_CONSUMER, saved(SLS_CONSUMER, { ...CONSUMER, start: "time", startTime: "2026-11-28T00:00:00Z", to: "1796000000" }));
  assert.ok(ok.ok && ok.value.to === 1_796_000_000 && ok.value.startTime === Date.UTC(2026, 10, 28) / 1000);
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, start: "begin", to: "1" }), [], "with begin any end is a range");
});

test("parseStartTime: ISO 8601 with or without zone (none = UTC), unix seconds; nothing else", () => {
  const midnight = Date.UTC(2026, 10, 28) / 1000;
  assert.equal(parseStartTime("2026-11-28T00:00:00Z"), midnight);
  assert.equal(parseStartTime("2026-11-28T00:00:00"), midnight);
  assert.equal(parseStartTime("2026-11-28 00:00"), midnight);
  assert.equal(parseStartTime("2026-11-28"), midnight);
  assert.equal(parseStartTime("2026-11-28T01:30:00.999+01:30"), midnight);
  assert.equal(parseStartTime("2026-11-27T19:00:00-0500"), midnight);
  assert.equal(parseStartTime(String(midnight)), midnight);
  assert.equal(parseStartTime(midnight), midnight);
  for (const bad of ["yesterday", "2026-13-01", "2026-02-30T00:00:00Z", "2026-11-28T25:00", "28/11/2026", "Nov 28 2026", "1e9", "-5", "", -5, 1.5, null]) {
    assert.equal(parseStartTime(bad), undefined, String(bad));
  }
});

test("sls-consumer: timeout shorter than two heartbeats, names with spaces, consumer names outside [A-Za-z0-9_.-]", () => {
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, heartbeat: 20, timeout: 30 }), [
    'timeout "30": must be at least twice the heartbeat (40 s), or SLS hands the shards to another consumer between two heartbeats',
  ]);
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, logstore: "my store" }), ['logstore "my store": must not contain spaces or control characters']);
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, consumerName: "node 1" }), [
    'consumerName "node 1": only letters, digits, _ . and - (SLS puts it in the request URL)',
  ]);
  assert.deepEqual(problems(SLS_CONSUMER, { ...CONSUMER, project: "" }), ["project: required"]);
  for (const [k, v] of [
    ["heartbeat", "0"],
    ["commitInterval", "x"],
    ["claimTimeout", "-1"],
    ["ackMode", "never"],
    ["output", "lines"],
    ["order", "yes"],
  ]) {
    assert.equal(problems(SLS_CONSUMER, { ...CONSUMER, [k]: v }).length, 1, `${k} ${v}`);
  }
  // An empty timeout is three heartbeats.
  const r = resolve(SLS_CONSUMER, saved(SLS_CONSUMER, { ...CONSUMER, heartbeat: "0.2", timeout: "" }));
  assert.ok(r.ok && r.value.timeout === 1);
});

test("sls-consumer format 1 -> 2: the consumer name and timeout 0.1 used at run time become the saved values; a new node is refused", () => {
  const v1 = (over: Raw): Raw => ({ type: "sls-consumer", ...CONSUMER, version: 1, ...over });
  const up = (over: Raw) => {
    const m = migrate(SLS_CONSUMER, v1(over));
    assert.ok(m.ok);
    return m;
  };
  // Each UTF-16 unit outside [A-Za-z0-9_.-] became "_", after trimming: the name SLS knows the consumer by.
  assert.equal(up({ consumerName: " node 1/é😀 " }).value.consumerName, "node_1___" + "_");
  assert.equal(up({ consumerName: "node-1.a_b" }).value.consumerName, "node-1.a_b");
  assert.equal(up({ consumerName: "" }).value.consumerName, "", "empty: the default name, as before");
  assert.equal(up({ consumerName: "fwd-${HOSTNAME}" }).value.consumerName, "fwd-${HOSTNAME}", "a variable is the runtime's (it sees the value)");
  // The timeout: raised to two heartbeats (rounded up) with one note, and rounded up as it was.
  const raised = up({ heartbeat: 20, timeout: 30 });
  assert.equal(raised.value.timeout, 40);
  assert.deepEqual(raised.notes, [{ key: "timeout-raised", params: { saved: 30, timeout: 40, heartbeat: 20 } }]);
  assert.equal(
    english("upgraded.timeout-raised", raised.notes[0].params),
    "timeout 30 s is shorter than two heartbeats (20 s each): using 40 s, as before; save the node in its dialog to keep this value",
  );
  assert.deepEqual([up({ heartbeat: "0.7", timeout: "1" }).value.timeout, up({ heartbeat: "0.7", timeout: "1" }).notes.length], [2, 1]);
  assert.deepEqual([up({ heartbeat: "20", timeout: "45.5" }).value.timeout, up({ heartbeat: "20", timeout: "45.5" }).notes], [46, []]);
  assert.deepEqual([up({ timeout: "60" }).value.timeout, up({ timeout: "60" }).notes], ["60", []], "a valid timeout is kept as saved");
  assert.equal(up({ timeout: "" }).value.timeout, "", "empty: three heartbeats");
  assert.deepEqual(
    [up({ heartbeat: "x", timeout: "1" }).value.timeout, up({ heartbeat: "${HB}", timeout: "1" }).value.timeout],
    ["1", "1"],
    "no heartbeat to measure by: left to the checks",
  );
  assert.ok(resolve(SLS_CONSUMER, up({ consumerName: "node 1", heartbeat: 20, timeout: 30 }).value).ok);
  // The current format refuses what the upgrade rewrote.
  assert.equal(problems(SLS_CONSUMER, { ...CONSUMER, consumerName: "node 1" }).length, 1);
  assert.equal(problems(SLS_CONSUMER, { ...CONSUMER, heartbeat: 20, timeout: 30 }).length, 1);
});

test("sls-syslog-server format 1 -> 2: TLS settings 0.1 ignored under udp, tcp or RELP without TLS are cleared (credentials too); kept where they may mean TLS", () => {
  const tlsSet = { servername: "siem", caFile: "/etc/ca.pem", certFile: "/etc/c.pem", keyFile: "/etc/k.pem" };
  const creds = { ca: "CA PEM", cert: "CERT PEM", key: "KEY PEM", passphrase: "pw" };
  const cleared = { servername: "", caFile: "", certFile: "", keyFile: "" };
  const none = { ca: "", cert: "", key: "", passphrase: "" };
  for (const protocol of ["tcp", "UDP", "relp"]) {
    const m = migrate(SLS_SYSLOG_SERVER, { ...SERVER, protocol, ...tlsSet, version: 1 }, creds);
    assert.ok(m.ok);
    assert.deepEqual([m.value, m.credentials], [{ ...SERVER, protocol, ...cleared, moreTargets: [], version: 2 }, none], protocol);
    assert.ok(resolve(SLS_SYSLOG_SERVER, m.value, { credentials: m.credentials }).ok, `${protocol} runs`);
  }
  for (const [protocol, over] of [
    ["tls", {}],
    ["relp", { relpTls: true }],
    ["${SYSLOG_PROTOCOL}", {}],
    ["ssl", {}],
  ] as Array<[string, Raw]>) {
    const m = migrate(SLS_SYSLOG_SERVER, { ...SERVER, protocol, ...over, ...tlsSet, version: 1 }, creds);
    assert.ok(m.ok);
    assert.deepEqual([m.value.caFile, m.credentials], ["/etc/ca.pem", creds], `${protocol}: kept`);
  }
  const current = migrate(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "tcp", caFile: "/etc/ca.pem", version: 2 }, { key: "KEY" });
  assert.ok(current.ok && current.value.caFile === "/etc/ca.pem" && current.credentials.key === "KEY", "format 2 is this release's: nothing cleared");
  assert.equal(problems(SLS_SYSLOG_SERVER, { ...SERVER, protocol: "tcp", caFile: "/etc/ca.pem" }).length, 1, "and refused");
});

test("sls-connection: empty endpoint, unset variables in credentials (named, values never shown)", () => {
  assert.deepEqual(problems(SLS_CONNECTION, { endpoint: "" }, CONN_CREDS), ["endpoint: required"]);
  assert.deepEqual(problems(SLS_CONNECTION, { endpoint: "ftp://x" }, CONN_CREDS), [
    'endpoint "ftp://x": must be a host name or an http:// or https:// URL without path',
  ]);
  assert.deepEqual(problems(SLS_CONNECTION, { endpoint: "cn-hangzhou.log.aliyuncs.com" }, CONN_CREDS), []);
  const env = { credentials: { accessKeyId: "${SLS_AK_ID}", accessKeySecret: "${SLS_AK_KEY}" }, env: { SLS_AK_ID: "LTAIxyz" } };
  assert.deepEqual(problems(SLS_CONNECTION, { endpoint: "http://127.0.0.1:1" }, env), [
    'accessKeySecret "${SLS_AK_KEY}": environment variable SLS_AK_KEY is not set',
  ]);
  const r = resolve(SLS_CONNECTION, saved(SLS_CONNECTION, { endpoint: "http://127.0.0.1:1" }), { ...env, env: { SLS_AK_ID: "LTAIxyz", SLS_AK_KEY: "s3cret" } });
  assert.ok(r.ok && r.value.accessKeyId === "LTAIxyz" && r.value.accessKeySecret === "s3cret");
  // A credential that fails its rule is named without its value.
  const bad = resolve(SLS_CONNECTION, saved(SLS_CONNECTION, { endpoint: "http://127.0.0.1:1" }), { credentials: { accessKeyId: "id", accessKeySecret: 42 } });
  assert.ok(!bad.ok);
  assert.equal(describe(bad.problems[0]), "accessKeySecret: must be text");
});

test("sls-connection: credential sources and their settings", () => {
  const e = { endpoint: "cn-hangzhou.log.aliyuncs.com" };
  assert.deepEqual(problems(SLS_CONNECTION, { ...e, auth: "magic" }, CONN_CREDS), [
    'auth "magic": must be one of access_key, sts, ecs_ram_role, ram_role_arn, oidc_role_arn, credentials_file, default',
  ]);
  // Role sources sign AssumeRole with the key fields; the instance role and the default chain need none.
  assert.deepEqual(problems(SLS_CONNECTION, { ...e, auth: "ram_role_arn" }, {}), ["accessKeyId: required", "accessKeySecret: required"]);
  assert.deepEqual(problems(SLS_CONNECTION, { ...e, auth: "ram_role_arn" }, CONN_CREDS), ["roleArn: required"]);
  assert.deepEqual(problems(SLS_CONNECTION, { ...e, auth: "ram_role_arn", roleArn: "acs:ram::123:role/r" }, CONN_CREDS), []);
  assert.deepEqual(problems(SLS_CONNECTION, { ...e, auth: "ecs_ram_role" }, {}), []);
  assert.deepEqual(problems(SLS_CONNECTION, { ...e, auth: "default" }, {}), []);
  assert.deepEqual(problems(SLS_CONNECTION, { ...e, auth: "oidc_role_arn" }, {}), [], "OIDC settings may come from ACK's environment");
  const role = { ...e, auth: "ram_role_arn", roleArn: "acs:ram::123:role/r" };
  assert.deepEqual(problems(SLS_CONNECTION, { ...role, roleArn: "my-role" }, CONN_CREDS), [
    'roleArn "my-role": must be a RAM role ARN: acs:ram::<account id>:role/<role name>',
  ]);
  assert.deepEqual(problems(SLS_CONNECTION, { ...role, durationSeconds: "600" }, CONN_CREDS), [
    'durationSeconds "600": must be a whole number from 900 to 43200',
  ]);
  assert.deepEqual(problems(SLS_CONNECTION, { ...role, stsEndpoint: "http://sts.example.com" }, CONN_CREDS), [
    'stsEndpoint "http://sts.example.com": must be a host name or an https:// URL without path (http:// only to a loopback address)',
  ]);
  assert.deepEqual(problems(SLS_CONNECTION, { ...role, stsEndpoint: "sts-vpc.cn-hangzhou.aliyuncs.com", policy: "{" }, CONN_CREDS), [
    'policy "{": must be JSON',
  ]);
  assert.deepEqual(problems(SLS_CONNECTION, { ...e, auth: "ecs_ram_role", metadataEndpoint: "100.100.100.200" }, {}), [
    'metadataEndpoint "100.100.100.200": must be a host name or an http:// or https:// URL without path',
  ]);
  // Settings of another source are not checked (a dialog switched from one source to another).
  assert.deepEqual(problems(SLS_CONNECTION, { ...e, auth: "ecs_ram_role", roleArn: "left over", durationSeconds: "1" }, {}), []);
});

test("sls-syslog-out: header fields, facility and severity as the editor checks them", () => {
  const base = { server: "s1" };
  assert.deepEqual(problems(SLS_SYSLOG_OUT, { ...base, appName: "two words" }), [
    'appName "two words": printable US-ASCII without spaces, at most 48 characters (RFC 5424 header field)',
  ]);
  assert.deepEqual(problems(SLS_SYSLOG_OUT, { ...base, facility: "24" }).length, 1);
  assert.deepEqual(problems(SLS_SYSLOG_OUT, { ...base, severity: "loud" }).length, 1);
  assert.deepEqual(problems(SLS_SYSLOG_OUT, { ...base, format: "rfc3164", msgId: "not checked in 3164" }), []);
  const r = resolve(SLS_SYSLOG_OUT, saved(SLS_SYSLOG_OUT, { ...base, facility: "local0", severity: "3" }));
  assert.ok(r.ok && r.value.facility === 16 && r.value.severity === 3);
});

test("sls-syslog-map: the checks the engine used to warn about at deploy", () => {
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { format: "kv", kvSeparator: "a=" }), ['kvSeparator "a=": the separator contains =']);
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { format: "json", kvSeparator: "a=" }), [], "only with key=value");
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { format: "xml" }), ['format "xml": must be one of kv, json, cef, leef, template, field, none']);
  assert.equal(problems(SLS_SYSLOG_MAP, { format: "leef", leefVersion: "2.0", leefDelimiter: "ab" }).length, 1);
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { sdEnabled: true, sdId: "mysd" }), [
    'sdId "mysd": must be name@<enterprise number> (e.g. sls@32473) or timeQuality, origin, meta',
  ]);
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { appNameType: "meta", appName: "store" }), [
    'appName "store": must be one of project, logstore, consumerGroup, shard, cursor, topic, source, index, time, timeNs, timeMs, timeIso, forwarder',
  ]);
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { format: "field", bodyField: "" }), ["bodyField: a field path is required"]);
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { facilityType: "fixed", facility: "local9" }).length, 1);
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { fieldRules: [{ action: "rename", pattern: "a" }] }), ["fieldRules: row 1: to is required"]);
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { severityType: "field", severity: "level", severityTable: [{ values: "E", severity: "bad" }] }).length, 1);
  assert.deepEqual(problems(SLS_SYSLOG_MAP, { hostnameType: "str", hostname: "" }), [], "an empty text is a value");
});

test("every spec: what a new node saves is valid once the required settings are filled in", () => {
  const fill: Record<string, [Raw, Raw?]> = {
    "sls-connection": [{ endpoint: "https://cn-hangzhou.log.aliyuncs.com" }, { accessKeyId: "id", accessKeySecret: "s" }],
    "sls-consumer": [CONSUMER],
    "sls-ack": [{}],
    "sls-syslog-map": [{}],
    "sls-syslog-server": [{ host: "siem.example.com" }],
    "sls-syslog-out": [{ server: "s1" }],
    "sls-stats": [{}],
  };
  assert.deepEqual(Object.keys(fill).sort(), Object.keys(SPECS).sort());
  for (const [type, spec] of Object.entries(SPECS)) {
    const [over, credentials] = fill[type];
    const r = resolve(spec, saved(spec, over), { credentials });
    assert.ok(r.ok, `${type}: ${r.ok ? "" : r.problems.map((p) => describe(p)).join("; ")}`);
  }
});

test("migrate: settings saved before `version` existed, and every older format, upgrade to the current one", () => {
  for (const spec of Object.values(SPECS)) {
    const current = currentVersion(spec);
    assert.ok(current >= 1, spec.type);
    const { version: _, ...legacy } = saved(spec);
    const m = migrate(spec, legacy);
    assert.ok(m.ok && m.value.version === current, spec.type);
    assert.deepEqual({ ...m.value, version: undefined }, { ...legacy, version: undefined }, `${spec.type}: format 0 has the keys of format 1`);
    for (let v = 0; v <= current; v++) assert.ok(migrate(spec, { ...legacy, version: v }).ok, `${spec.type} from ${v}`);
    const newer = migrate(spec, { ...legacy, version: current + 1 });
    assert.ok(!newer.ok);
    assert.match(describe(newer.problems[0]), /^version "\d+": saved by a newer version of this package/);
    assert.ok(!migrate(spec, { ...legacy, version: "one" }).ok);
  }
});

test("migrate: the steps run in order, each once, and leave the saved object alone", () => {
  const seen: number[] = [];
  const spec: NodeSpec = {
    type: "t",
    props: {},
    steps: [
      (c) => void seen.push(0, Number(c.a ?? 0)),
      (c) => {
        seen.push(1);
        c.b = c.a;
        delete c.a;
      },
    ],
  };
  const savedV1 = { a: 5, version: 1 };
  const m = migrate(spec, savedV1);
  assert.ok(m.ok);
  assert.deepEqual(m.value, { b: 5, version: 2 });
  assert.deepEqual(seen, [1]);
  assert.deepEqual(savedV1, { a: 5, version: 1 });
});

test("the mapping settings exist once: BASE_CONFIG and the node spec come from MAPPING_SETTINGS", () => {
  // MappingConfig's 54 keys: the 52 settings, preset and version.
  assert.equal(Object.keys(MAPPING_SETTINGS).length, 52);
  assert.equal(Object.keys(SLS_SYSLOG_MAP.props).length, 53);
  for (const [k, p] of Object.entries(MAPPING_SETTINGS)) {
    assert.deepEqual(BASE_CONFIG[k as keyof typeof BASE_CONFIG], p.default, k);
    assert.equal(SLS_SYSLOG_MAP.props[k as keyof typeof SLS_SYSLOG_MAP.props], p, k);
  }
});

test("the build writes the config messages into every node's catalogue", () => {
  const dir = path.resolve(__dirname, "..", "..", "nodes", "locales", "en-US");
  for (const type of Object.keys(SPECS)) {
    const cat = JSON.parse(fs.readFileSync(path.join(dir, `${type}.json`), "utf8")) as { config?: unknown };
    assert.deepEqual(cat.config, JSON.parse(JSON.stringify(CONFIG_MESSAGES)), type);
  }
});

import { test, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { DeliveryWindow, type Outcome } from "../../lib/delivery";
import { parseRfc5424 } from "../support/rfc5424-parser";
import { streamReceiver, freePort } from "../support/receivers";
import { makePki } from "../support/certs";
import { helper, catchNode, serverNode, outNode, captureRed, loggedText, statusWhere } from "../support/node-red";
import { until } from "../support/red-helper";

afterEach(() => helper.unload());
after(() => helper.stopServer?.());

function flow(port: number, server: object = {}, out: object = {}): object[] {
  return [
    { id: "t1", type: "tab" },
    {
      id: "srv",
      type: "sls-syslog-server",
      host: "127.0.0.1",
      port: String(port),
      protocol: "tcp",
      framing: "octet",
      maxMessageBytes: "8192",
      version: 1,
      ...server,
    },
    {
      id: "out",
      z: "t1",
      type: "sls-syslog-out",
      server: "srv",
      format: "rfc5424",
      facility: "local0",
      severity: "notice",
      hostname: "fwd-01",
      appName: "aliyun-sls",
      procId: "",
      msgId: "AUDIT",
      bom: "never",
      version: 1,
      wires: [],
      ...out,
    },
    { id: "c1", z: "t1", type: "catch", scope: null, uncaught: false, wires: [["sink"]] },
    { id: "sink", z: "t1", type: "helper" },
  ];
}

function outcomes(win: DeliveryWindow, weight = 1): { token: string; done: Promise<Outcome> } {
  let resolve!: (o: Outcome) => void;
  const done = new Promise<Outcome>((r) => (resolve = r));
  return { token: win.issue(weight, resolve), done };
}

test("one message: node defaults, msg.syslog overrides (0 kept), SLS time, token settled after the write", async () => {
  const rx = await streamReceiver();
  const win = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  await helper.load([serverNode, outNode, catchNode], flow(rx.port));
  const t = outcomes(win);
  helper.getNode("out").receive({
    payload: { user: "alice", action: "login" },
    syslog: { severity: 0, structuredData: { "sls@32473": { project: "p1", shard: 3 } } },
    sls: { token: t.token, time: 1714979289, timeNs: 123456789 },
  });
  assert.equal(await t.done, "delivered");
  await rx.waitFor(1);
  const p = parseRfc5424(rx.frames[0]);
  assert.equal(p.pri, 16 * 8 + 0, "severity 0 from msg.syslog beats the node's notice");
  assert.equal(p.timestamp, "2024-05-06T07:08:09.123456Z");
  assert.equal(p.hostname, "fwd-01");
  assert.equal(p.appName, "aliyun-sls");
  assert.equal(p.procId, null);
  assert.equal(p.msgId, "AUDIT");
  assert.deepEqual(p.structuredData, [
    {
      id: "sls@32473",
      params: [
        ["project", "p1"],
        ["shard", "3"],
      ],
    },
  ]);
  assert.equal(p.message, '{"user":"alice","action":"login"}');
  win.close();
  await rx.close();
});

test("batch: msg.payload array with a parallel msg.syslog array and per-record SLS times; one token for all", async () => {
  const rx = await streamReceiver();
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  await helper.load([serverNode, outNode, catchNode], flow(rx.port));
  const t = outcomes(win, 3);
  helper.getNode("out").receive({
    payload: ["a", Buffer.from("b ✓"), { c: 1 }],
    syslog: [{ msgId: "X" }, {}, { hostname: "h 3", message: "override" }],
    sls: { token: t.token, time: 1, records: [{ time: 1714979289 }, { time: 1714979290, timeNs: 5000 }, {}] },
  });
  assert.equal(await t.done, "delivered");
  await rx.waitFor(3);
  const ps = rx.frames.map((f) => parseRfc5424(f));
  assert.deepEqual(
    ps.map((p) => p.message),
    ["a", "b ✓", "override"],
  );
  assert.deepEqual(
    ps.map((p) => p.msgId),
    ["X", "AUDIT", "AUDIT"],
  );
  assert.deepEqual(
    ps.map((p) => p.timestamp),
    ["2024-05-06T07:08:09Z", "2024-05-06T07:08:10.000005Z", "1970-01-01T00:00:01Z"],
  );
  assert.equal(ps[2].hostname, "h_3");
  win.close();
  await rx.close();
});

test("output: each message is passed on once written, the same object (per log and batch); a failed one is not", async () => {
  const rx = await streamReceiver();
  const win = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const f = flow(rx.port, {}, { wires: [["written"]] });
  f.push({ id: "written", z: "t1", type: "helper" });
  await helper.load([serverNode, outNode, catchNode], f);
  const passed: object[] = [];
  const outcomesAtPass: Outcome[] = [];
  const one = outcomes(win);
  const batch = outcomes(win, 2);
  let settled: Outcome | undefined;
  void one.done.then((o) => (settled = o));
  helper.getNode("written").on("input", (m: object) => {
    passed.push(m);
    if (passed.length === 1) outcomesAtPass.push(settled!);
  });
  const caught = new Promise<unknown>((r) => helper.getNode("sink").once("input", r));
  const perLog = { payload: "one", sls: { token: one.token } };
  const twoLogs = { payload: ["a", "b"], sls: { token: batch.token, records: [{}, {}] } };
  const bad = { payload: "x", syslog: { structuredData: { mySDID: { a: 1 } } } };
  helper.getNode("out").receive(perLog);
  helper.getNode("out").receive(bad);
  helper.getNode("out").receive(twoLogs);
  await caught;
  await rx.waitFor(3);
  await until(() => passed.length >= 2);
  assert.equal(passed[0], perLog, "the message object itself, not a copy");
  // The failed message (sent before the batch) would have been passed on before the batch was written.
  assert.equal(passed[1], twoLogs, "the message that failed is not passed on");
  assert.deepEqual(outcomesAtPass, ["delivered"], "passed on after its token settled");
  assert.equal(await batch.done, "delivered");
  win.close();
  await rx.close();
});

test("two out nodes share the server's one connection", async () => {
  const rx = await streamReceiver();
  const f = flow(rx.port);
  f.push({
    id: "out2",
    z: "t1",
    type: "sls-syslog-out",
    server: "srv",
    format: "rfc3164",
    facility: "auth",
    severity: "err",
    hostname: "fwd-02",
    appName: "sls",
    procId: "7",
    msgId: "",
    bom: "auto",
    version: 1,
    wires: [],
  });
  await helper.load([serverNode, outNode, catchNode], f);
  helper.getNode("out").receive({ payload: "one" });
  helper.getNode("out2").receive({ payload: "two" });
  await rx.waitFor(2);
  assert.equal(rx.sockets.size, 1, "a single TCP connection");
  const texts = rx.frames.map(String).sort();
  assert.match(texts[1], /^<35>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d fwd-02 sls\[7\]: two$/);
  await rx.close();
});

test("a format failure a log has shown to be its own goes to Catch via done(err) and its token settles as failed", async () => {
  const rx = await streamReceiver();
  const win = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  await helper.load([serverNode, outNode, catchNode], flow(rx.port, { maxMessageBytes: "1000" }));
  const out = helper.getNode("out");
  const caught: Array<{ error: { message: string; source: { id: string } } }> = [];
  helper.getNode("sink").on("input", (m: (typeof caught)[number]) => caught.push(m));
  const sd = (v: string) => ({ "a@32473": { note: v } });
  const good = outcomes(win);
  out.receive({ payload: "fits", syslog: { structuredData: sd("short") }, sls: { token: good.token } });
  assert.equal(await good.done, "delivered");
  // Same SD-ID and parameter names as a log that fit: the length is this log's own.
  const long = outcomes(win);
  out.receive({ payload: "x", syslog: { structuredData: sd("v".repeat(1200)) }, sls: { token: long.token } });
  assert.equal(await long.done, "failed");
  // A payload JSON cannot write: any log that formatted fine shows it is this log's own.
  const big = outcomes(win);
  out.receive({ payload: { n: 10n }, sls: { token: big.token } });
  assert.equal(await big.done, "failed");
  await new Promise((r) => setImmediate(r));
  assert.equal(caught.length, 2);
  assert.match(caught[0].error.message, /header and structured data need \d+ bytes, more than the maximum message size of 1000/);
  assert.match(caught[1].error.message, /BigInt/);
  assert.equal(caught[0].error.source.id, "out");
  await rx.waitFor(1);
  assert.equal(rx.frames.length, 1);
  win.close();
  await rx.close();
});

test("a format failure no log has shown to be its own (invalid SD-ID) holds the tokens: one error, red status, released at the next deploy", async () => {
  const rx = await streamReceiver();
  const win = new DeliveryWindow({ maxInFlight: 10, claimTimeoutMs: 0 });
  const cap = captureRed();
  await helper.load([serverNode, outNode, catchNode, cap.module], flow(rx.port));
  const out = helper.getNode("out");
  const caught: object[] = [];
  helper.getNode("sink").on("input", (m: object) => caught.push(m));
  const ts = [outcomes(win), outcomes(win), outcomes(win, 2)];
  const settled: Outcome[] = [];
  for (const t of ts) void t.done.then((o) => settled.push(o));
  out.receive({ payload: "x", syslog: { structuredData: { mySDID: { a: 1 } } }, sls: { token: ts[0].token } });
  out.receive({ payload: "y", syslog: { structuredData: { mySDID: { a: 2 } } }, sls: { token: ts[1].token } });
  out.receive({
    payload: ["p", "q"],
    syslog: [{ structuredData: { mySDID: { a: 3 } } }, { structuredData: { mySDID: { a: 4 } } }],
    sls: { token: ts[2].token },
  });
  const s = await statusWhere(out, (x) => /^holding 4 logs/.test(x.text ?? ""));
  assert.equal(s.fill, "red");
  assert.match(s.text ?? "", /invalid SD-ID "mySDID"/);
  // Logs that format fine do not prove an SD-ID error a log's own: still held.
  const good = outcomes(win);
  out.receive({ payload: "fine", sls: { token: good.token } });
  assert.equal(await good.done, "delivered");
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(settled, [], "held tokens are never settled");
  assert.equal(win.inFlight, 4);
  const errors = out.error.args.map((a) => String(a[0]));
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0], /invalid SD-ID "mySDID".*treated as a settings problem: the logs are held/);
  assert.equal(caught.length, 1, "one error reaches Catch, not one per log");
  // A deploy (any kind) gives the held tokens back: the source reads those logs again.
  cap.red().events.emit("flows:started", { config: { flows: [] }, type: "nodes", diff: {} });
  assert.deepEqual(await Promise.all(ts.map((t) => t.done)), ["returned", "returned", "returned"]);
  assert.equal(win.inFlight, 0);
  await rx.waitFor(1);
  assert.equal(rx.frames.length, 1);
  win.close();
  await rx.close();
});

test("shutdown while the receiver is down: queued logs go back to the source, one summary warning per close, no error per message", async () => {
  const port = await freePort();
  const win = new DeliveryWindow({ maxInFlight: 1000, claimTimeoutMs: 0 });
  await helper.load([serverNode, outNode, catchNode], flow(port));
  const out = helper.getNode("out");
  await statusWhere(out, (x) => x.fill === "red");
  const ts = Array.from({ length: 200 }, () => outcomes(win));
  for (const t of ts) out.receive({ payload: "queued", sls: { token: t.token } });
  out.receive({ payload: "no token" });
  const caught: object[] = [];
  helper.getNode("sink").on("input", (m: object) => caught.push(m));
  const warnings: string[] = [];
  const errors: string[] = [];
  // The helper's spies are reset by unload(): watch this node's own calls.
  const self = out as unknown as { warn(t: unknown): void; error(t: unknown): void };
  const [warn, error] = [self.warn.bind(out), self.error.bind(out)];
  self.warn = (t) => (warnings.push(String(t)), warn(t));
  self.error = (t) => (errors.push(String(t)), error(t));
  await new Promise((r) => setTimeout(r, 50));
  await helper.unload();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(new Set(await Promise.all(ts.map((t) => t.done))), new Set(["returned"]));
  assert.deepEqual(warnings, [
    `closed with 200 logs still queued for tcp://127.0.0.1:${port} unwritten: 200 go back to sls consumer and are read again; 1 queued messages had no delivery token and are lost`,
  ]);
  assert.deepEqual(errors, []);
  assert.equal(caught.length, 0);
  win.close();
});

test("status: green when connected; red 'refused' with one logged error when the receiver is down", async () => {
  const port = await freePort();
  await helper.load([serverNode, outNode, catchNode], flow(port));
  const out = helper.getNode("out");
  const s = await statusWhere(out, (x) => x.fill === "red");
  assert.deepEqual(s, { fill: "red", shape: "ring", text: "sls-syslog-out.status.fault.refused" });
  await new Promise((r) => setTimeout(r, 300)); // several retries happen meanwhile
  const errors = out.error.args.map((a) => String(a[0]));
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0], new RegExp(`syslog tcp://127\\.0\\.0\\.1:${port}: TCP 127\\.0\\.0\\.1:${port}: connection refused`));
  // The receiver comes up: the node turns green and the queued message goes out.
  out.receive({ payload: "queued while down" });
  const rx = await streamReceiver({ port });
  await rx.waitFor(1);
  assert.match(String(rx.frames[0]), /queued while down$/);
  await statusWhere(out, (x) => x.fill === "green");
  await rx.close();
});

test("TLS: an untrusted receiver is refused by default (status 'bad certificate'); keys stay out of logs and the saved flow", async (t) => {
  const pki = makePki();
  t.after(() => pki.cleanup());
  const fs = await import("node:fs");
  const rogue = await streamReceiver({ tls: { cert: fs.readFileSync(pki.rogueCertFile), key: fs.readFileSync(pki.rogueKeyFile) } });
  const cap = captureRed();
  const passphrase = "pass-" + Math.random().toString(36).slice(2);
  await helper.load([serverNode, outNode, catchNode, cap.module], flow(rogue.port, { protocol: "tls", host: "localhost" }), {
    srv: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, passphrase },
  });
  const out = helper.getNode("out");
  out.receive({ payload: "secret audit line" });
  const s = await statusWhere(out, (x) => x.fill === "red");
  assert.equal(s.text, "sls-syslog-out.status.fault.certificate");
  assert.match(String(out.error.args[0][0]), /receiver certificate rejected/);
  assert.equal(rogue.frames.length, 0);
  const keyBody = pki.clientKey.split("\n")[1];
  const saved: object[] = [];
  cap.red().nodes.eachNode((n) => void saved.push(n));
  const exported = JSON.stringify(saved);
  assert.ok(exported.includes('"sls-syslog-server"'), "the export was captured");
  for (const secret of [keyBody, passphrase, "BEGIN"]) {
    assert.ok(!exported.includes(secret), "secret in the flow export");
    assert.ok(!loggedText().includes(secret), "secret in the log");
  }
  await rogue.close();
});

test("hostnames syslog-ng drops: a mapped one warns once per deploy with keep; replace sends `_` (IPv6 kept)", async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mapNode: unknown = require("../../nodes/sls-syslog-map");
  const rx = await streamReceiver();
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const hosts = ["db:5432", "web[2]", "fe80::1", "plain", "db:5432"];
  const run = async (hostnameChars: string | undefined): Promise<{ hosts: string[]; warnings: string[] }> => {
    const f = flow(rx.port, {}, hostnameChars ? { hostnameChars } : {});
    f.push({ id: "map", z: "t1", type: "sls-syslog-map", version: 1, format: "kv", hostname: "host", hostnameType: "field", wires: [["out"]] });
    await helper.load([serverNode, outNode, mapNode, catchNode], f);
    const out = helper.getNode("out");
    const before = rx.frames.length;
    const ts = hosts.map((host) => {
      const t = outcomes(win);
      helper.getNode("map").receive({ payload: { host, a: "1" }, sls: { token: t.token, time: 1714979289 } });
      return t;
    });
    assert.deepEqual(
      await Promise.all(ts.map((t) => t.done)),
      hosts.map(() => "delivered"),
    );
    await rx.waitFor(before + hosts.length);
    // (The helper's warn spy is shared by every node: the map node's own warnings are left out.)
    const warnings = out.warn.args.map((a) => String(a[0])).filter((w) => w.includes("syslog-ng"));
    await helper.unload();
    return { hosts: rx.frames.slice(before).map((f) => parseRfc5424(f).hostname ?? ""), warnings };
  };
  const kept = await run(undefined);
  assert.deepEqual(kept.hosts, hosts, "keep: sent as RFC 5424 allows");
  assert.equal(kept.warnings.length, 1, kept.warnings.join("\n"));
  assert.match(kept.warnings[0], /^hostname "db:5432" holds \[ or a : outside an IPv6 address: syslog-ng drops such messages/);
  assert.match(kept.warnings[0], /hostnameChars/);
  const replaced = await run("replace");
  assert.deepEqual(replaced.hosts, ["db_5432", "web_2]", "fe80::1", "plain", "db_5432"]);
  assert.deepEqual(replaced.warnings, []);
  win.close();
  await rx.close();
});

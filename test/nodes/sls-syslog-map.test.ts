import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { helper, type TestNode } from "../support/red-helper";
import { presetConfig } from "../../lib/mapping";
import { parseLeef } from "../support/leef-parser";
import { parseCef } from "../support/cef-parser";
import mapNode = require("../../nodes/sls-syslog-map");

// The node-red-node-test-helper spies on Node.prototype methods (sinon).
interface Spy {
  callCount: number;
  args: unknown[][];
  lastCall: { args: unknown[] } | null;
}
type Spied = TestNode & { warn: Spy; error: Spy; status: Spy; receive(msg: object): void };
interface Res {
  status: number;
  body: unknown;
}
interface Req extends PromiseLike<Res> {
  send(body: unknown): Req;
  expect(status: number): Req;
}
const request = () => helper.request() as unknown as { get(url: string): Req; post(url: string): Req };

function nextInput<T>(node: TestNode): Promise<T> {
  return new Promise((resolve) => node.once("input", (m: T) => resolve(m)));
}

before(() => helper.startServer());
after(() => helper.stopServer());
afterEach(() => helper.unload());

const SLS = {
  project: "p1",
  logstore: "audit",
  consumerGroup: "cg",
  shard: 3,
  cursor: "MTU0Mg==",
  time: 1714979289,
  timeNs: 123456789,
  topic: "login",
  source: "10.0.0.5",
  tags: { __hostname__: "web-1" },
  token: "w1.42",
};
const RECORD = {
  __time__: 1714979289,
  __topic__: "login",
  __source__: "10.0.0.5",
  "__tag__:__hostname__": "web-1",
  user: "alice",
  level: "ERROR",
  msg: "bad||pass=word",
};

async function flow(settings: object) {
  await helper.load(
    [mapNode],
    [
      { id: "t1", type: "tab" },
      { id: "m1", z: "t1", type: "sls-syslog-map", name: "", version: 1, ...settings, wires: [["out"]] },
      { id: "out", z: "t1", type: "helper" },
    ],
  );
  return { m: helper.getNode("m1") as Spied, out: helper.getNode("out") };
}

test("one consumer-shaped record in, msg.syslog out; payload and the delivery token untouched", async () => {
  const { m, out } = await flow({ format: "kv", severityType: "field", severity: "level", severityTable: [{ values: "ERROR|E", severity: "err" }] });
  const got = nextInput<{ payload: unknown; sls: unknown; syslog: unknown; _msgid: string }>(out);
  m.receive({ payload: { ...RECORD }, sls: { ...SLS, tags: { ...SLS.tags } }, _msgid: "abc" });
  const msg = await got;
  assert.deepEqual(msg.syslog, {
    facility: 1,
    severity: 3,
    timestamp: { seconds: 1714979289, nanos: 123456789 },
    hostname: "10.0.0.5",
    appName: "audit",
    message: "||user=alice||level=ERROR||msg=bad\\|\\|pass=word",
  });
  assert.deepEqual(msg.sls, SLS);
  assert.deepEqual(msg.payload, RECORD);
  assert.equal(msg._msgid, "abc");
  assert.equal(m.warn.callCount, 0);
});

test("batch: an array of records gives an array of msg.syslog, parallel, with per-record metadata", async () => {
  const { m, out } = await flow({ ...presetConfig("qradar-leef"), sdEnabled: true, sdDedup: true });
  const got = nextInput<{ syslog: { message: string; timestamp: object; structuredData: Record<string, Record<string, unknown>> }[]; sls: { token: string } }>(
    out,
  );
  const payload = [0, 1, 2].map((i) => ({ __time__: 1714979289 + i, user: "u" + i, "__tag__:__client_ip__": "10.0.0." + i }));
  const records = [0, 1, 2].map((i) => ({
    cursor: i < 2 ? "C0" : "C1",
    index: i < 2 ? i : 0,
    time: 1714979289 + i,
    timeNs: 0,
    topic: "login",
    source: "h" + i,
    tags: {},
  }));
  m.receive({ payload, sls: { ...SLS, records } });
  const msg = await got;
  assert.equal(msg.syslog.length, 3);
  assert.equal(msg.sls.token, "w1.42");
  msg.syslog.forEach((s, i) => {
    const e = parseLeef(s.message);
    const a = Object.fromEntries(e.attributes);
    assert.equal(a.user, "u" + i);
    assert.equal(a.src, "10.0.0." + i);
    assert.equal(a.cat, "login");
    assert.equal(a.devTime, new Date((1714979289 + i) * 1000).toISOString().replace("Z", "+0000"));
    assert.deepEqual(s.timestamp, { seconds: 1714979289 + i, nanos: 0 });
    assert.deepEqual(s.structuredData["sls@32473"], { project: "p1", logstore: "audit", shard: 3, cursor: i < 2 ? "C0" : "C1", idx: i < 2 ? i : 0 });
  });
});

test("bad input never errors: defaults apply and each kind of problem is warned once", async () => {
  const { m, out } = await flow({
    ...presetConfig("arcsight-cef"),
    timestampSource: "field",
    timestampField: "ts",
    severityType: "field",
    severity: "detail.level",
  });
  const inputs = [
    { payload: "not a record", sls: SLS },
    { payload: { ts: "garbage", detail: "{broken json" }, sls: SLS },
    { payload: { ts: "garbage", detail: "{broken json", big: "x".repeat(2_000_000) }, sls: SLS },
    { payload: { detail: '{"level":"whatever"}' }, sls: SLS },
    { payload: { detail: '{"level":"whatever"}', n: null, o: { deep: [1, 2] } } },
  ];
  for (let round = 0; round < 5; round++) {
    for (const input of inputs) {
      const got = nextInput<{ syslog: { message: string } }>(out);
      m.receive(input);
      parseCef((await got).syslog.message);
    }
  }
  assert.equal(m.error.callCount, 0);
  const texts = m.warn.args.map((a) => String(a[0]));
  assert.equal(new Set(texts).size, texts.length, texts.join("\n"));
  assert.ok(texts.some((t) => t.includes("msg.payload is not an SLS record")));
  assert.ok(texts.some((t) => t.includes('field "ts" holds "garbage"')));
  assert.ok(texts.some((t) => t.includes('field "detail" does not hold valid JSON')));
  assert.ok(texts.some((t) => t.includes('field "detail.level" holds "whatever"')));
  // plus: ts missing, no SLS time, and (for the message without msg.sls) app-name and signature id
  assert.equal(texts.length, 8, texts.join("\n"));
  const status = m.status.lastCall?.args[0] as { fill: string };
  assert.equal(status.fill, "yellow");
});

test("preview endpoint: the same engine maps a pasted sample; bad samples get a 400 with the reason", async () => {
  await flow({});
  const ok = await request()
    .post("/sls-syslog-map/preview")
    .send({ config: { ...presetConfig("arcsight-cef") }, sample: JSON.stringify({ payload: RECORD, sls: SLS }) })
    .expect(200);
  const r = ok.body as { syslog: { message: string; hostname: string }[]; lines: string[]; warnings: string[] };
  assert.equal(r.lines[0], `<14>1 2024-05-06T07:08:09.123456Z 10.0.0.5 audit - - - ${r.syslog[0].message}`);
  assert.equal(r.syslog.length, 1);
  assert.equal(r.syslog[0].hostname, "10.0.0.5");
  const cef = parseCef(r.syslog[0].message);
  assert.equal(cef.signatureId, "audit");
  assert.equal(Object.fromEntries(cef.extension).msg, "bad||pass=word");
  assert.deepEqual(r.warnings, []);

  const batch = await request()
    .post("/sls-syslog-map/preview")
    .send({ config: { format: "json" }, sample: JSON.stringify([{ a: "1" }, { b: "2" }]) })
    .expect(200);
  assert.deepEqual(
    (batch.body as { syslog: { message: string }[] }).syslog.map((s) => s.message),
    ['{"a":"1"}', '{"b":"2"}'],
  );

  const bad = await request().post("/sls-syslog-map/preview").send({ config: {}, sample: "{nope" }).expect(400);
  assert.match((bad.body as { error: string }).error, /not valid JSON/);
  await request().post("/sls-syslog-map/preview").send({ sample: "{}" }).expect(400);
  // JSON only: a cross-site form (urlencoded with nested keys, text/plain) gets 415.
  const raw = helper.request() as unknown as {
    post(p: string): { type(t: string): { send(b: string): Promise<{ status: number; body: { error?: string } }> } };
  };
  const form = await raw.post("/sls-syslog-map/preview").type("form").send("config[format]=json&sample=%7B%22a%22%3A1%7D");
  assert.equal(form.status, 415);
  assert.match(String(form.body.error), /as JSON/);
  assert.equal((await raw.post("/sls-syslog-map/preview").type("text/plain").send('{"config":{},"sample":"{}"}')).status, 415);

  const presets = await request().get("/sls-syslog-map/presets").expect(200);
  const p = presets.body as Record<string, { label: string; config: { format: string } }>;
  assert.equal(p["qradar-leef"].config.format, "leef");
  assert.equal(p.recipe.config.format, "kv");
});

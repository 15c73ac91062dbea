// The hostile-input suite (issue 13): generated settings and log contents through the real
// Node-RED runtime, with fast-check. Every case must end in a correct frame (re-parsed by strict
// parsers written for the tests) or a clear error; none may crash the runtime, leave a listener or
// timer behind across redeploys, or settle a log's token as handled when it was not written.
//
// One runtime for the whole file; each generated flow holds several independent cases (a full
// pipeline per case), deployed with a full redeploy over the previous one.
//
// Part 1, settings: every property of every node type (lib/config's specs) gets, at random, its
// editor default (or a working value) or a hostile one: wrong type, out of range, empty, an unset
// ${VAR}, 100 000 characters, any Unicode (lone surrogates included), control characters. A node
// must either start, or not start with a red status naming a property and one error saying
// "not started, ..." and holding no exception text. A log sent through the case's pipeline ends
// delivered (and then its frame is at the receiver and parses), or held and given back at the
// redeploy; never failed, expired or cancelled.
//
// Part 2, log contents: SLS LogGroupList bodies built byte by byte (any field SLS can return: time,
// nanoseconds, topic, source, tags, contents as raw bytes: invalid UTF-8, NUL, CR/LF, 1 MB values,
// 10 000 fields, keys that collide after mapping) are decoded by the consumer's own decoder and go
// through sls-syslog-map (key=value, JSON, CEF, LEEF) and sls-syslog-out to a TCP receiver. Each
// frame is parsed by the strict RFC 5424 parser and the body by the strict format parser; every
// value read back must be one the log holds (a value that forged an attribute would not be).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import fc from "fast-check";
import { DeliveryWindow, type Outcome } from "../../lib/delivery";
import { SPECS, type NodeSpec } from "../../lib/config";
import { decodeLogGroupListRecords } from "../../lib/sls/pull-decoder";
import { helper, until, type TestNode } from "../support/red-helper";
import { parseRfc5424, type ParsedSyslog } from "../support/rfc5424-parser";
import { parseCef } from "../support/cef-parser";
import { parseLeef } from "../support/leef-parser";
import { parseKvBackslash } from "../support/kv-parser";
import { freePort } from "../support/receivers";
import { FrameSplitter, splitFrames } from "../../support/syslog-frames";
import ackNode = require("../../nodes/sls-ack");
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import mapNode = require("../../nodes/sls-syslog-map");
import serverNode = require("../../nodes/sls-syslog-server");
import outNode = require("../../nodes/sls-syslog-out");
import statsNode = require("../../nodes/sls-stats");

const NODES = [ackNode, connNode, consumerNode, mapNode, serverNode, outNode, statsNode];
const SEED = Number(process.env.HOSTILE_SEED ?? 20261205);
/** Generated flows of part 1 and cases in each. */
const SETTINGS_RUNS = Number(process.env.HOSTILE_SETTINGS_RUNS ?? 50);
const CASES_PER_FLOW = 6;
const RECORD_RUNS = Number(process.env.HOSTILE_RECORD_RUNS ?? 100);

/** Outcomes by kind, printed at the end (the README quotes the totals). */
const tally = new Map<string, number>();
const count = (what: string, n = 1): void => void tally.set(what, (tally.get(what) ?? 0) + n);

// ---------------------------------------------------------------------------------------------
// A raw TCP receiver: every connection's bytes, split afterwards by the framing its first byte
// shows (a digit: octet counting, RFC 6587 3.4.1; `<`: LF-terminated). Bytes left over, or a bad
// count, are a failure.

interface RawReceiver {
  port: number;
  conns: Buffer[][];
  close(): Promise<void>;
}
async function rawReceiver(): Promise<RawReceiver> {
  const conns: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    const mine: Buffer[] = [];
    conns.push(mine);
    sockets.add(s);
    s.on("data", (d) => mine.push(d));
    s.on("error", () => undefined);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    conns,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** The frames of one connection's bytes (LF-framed when it starts with `<`); throws on anything that is not whole frames. */
function framesOf(bytes: Buffer): Buffer[] {
  return bytes.length === 0 ? [] : splitFrames(bytes, bytes[0] === 0x3c ? "lf" : "octet");
}

/** RFC 3164 as sls-syslog-out writes it: PRI, `Mmm dd hh:mm:ss`, a HOSTNAME of printable ASCII. */
function parseRfc3164(f: Buffer): void {
  const s = f.toString("latin1");
  const m = /^<(\d{1,3})>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ 1-3]\d) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d ([\x21-\x7e]{1,255})( |$)/.exec(s);
  if (!m || Number(m[1]) > 191) throw new Error(`not RFC 3164: ${JSON.stringify(s.slice(0, 60))}`);
}

function parseAnySyslog(f: Buffer): void {
  if (/^<\d{1,3}>1 /.test(f.toString("latin1", 0, 8))) parseRfc5424(f);
  else parseRfc3164(f);
}

// ---------------------------------------------------------------------------------------------
// Runtime probes: Node.prototype spies (the helper's sinon), listeners and handles.

interface ProtoSpy {
  args: unknown[][];
  thisValues: unknown[];
  resetHistory?: () => void;
}
const callsOf = (spy: unknown, node: unknown): unknown[][] => {
  const s = spy as ProtoSpy;
  return s.args.filter((_, i) => s.thisValues[i] === node);
};
const events = (): NodeJS.EventEmitter => (helper as unknown as { _events: NodeJS.EventEmitter })._events;
function listenerCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events().eventNames()) out[String(e)] = events().listenerCount(e);
  out["process:uncaughtException"] = process.listenerCount("uncaughtException");
  out["process:unhandledRejection"] = process.listenerCount("unhandledRejection");
  return out;
}
function handleCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}
/** Exception text in an error message means the node threw where it should have explained. */
const CRASH_TEXT = /TypeError|ReferenceError|RangeError|SyntaxError|is not a function|Cannot read prop|Cannot set prop|Maximum call stack/;

/** Clears the history of the helper's Node.prototype spies. */
function resetSpies(): void {
  (helper as unknown as { _sandbox: { resetHistory(): void } })._sandbox.resetHistory();
}

const crashes: string[] = [];
const onUncaught = (e: unknown): void => void crashes.push(String((e as Error)?.stack ?? e));

// ---------------------------------------------------------------------------------------------
// Generators.

const UNSET = "HOSTILE_UNSET_VAR_" + SEED;
const CONTROL = fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 8 });
/** A value no property should take without saying so. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("", " ", null, true, false, 0, -1, 0.5, 1e9, -0, 65536, 70000, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY),
  fc.constantFrom("abc", "-1", "1e9", "0x10", " 8 ", "ssl", "TLS", "udp ", "tcp\n", "1.5", "true", "null", "[object Object]", "__proto__", "constructor"),
  fc.constantFrom(`\${${UNSET}}`, `$(${UNSET})`, `\${${UNSET}}x`, "${}", "${ }"),
  fc.constantFrom("x".repeat(100_000), "ü".repeat(50_000), "😀".repeat(20_000), "\u0000", "\ud800", "a\r\nb", "\u202e\u0000evil"),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double(),
  fc.string({ maxLength: 24 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  CONTROL,
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);
/** Properties that name a place to connect to or read from: a fixed hostile list (no DNS, no stray file). */
const PLACE = fc.constantFrom(
  "",
  " ",
  `\${${UNSET}}`,
  "bad host",
  "::::",
  "127.0.0.1:0",
  "x".repeat(300),
  "\u0000",
  "http://",
  "ftp://127.0.0.1/",
  "/nonexistent/hostile-file",
  "127.0.0.1:abc",
);
const PLACE_PROPS = new Set([
  "host",
  "moreTargets",
  "endpoint",
  "cname",
  "stsEndpoint",
  "metadataEndpoint",
  "caFile",
  "certFile",
  "keyFile",
  "credentialsFile",
  "oidcTokenFile",
  "metricsPath",
]);

interface CaseIds {
  conn: string;
  cons: string;
  map: string;
  srv: string;
  out: string;
  ack: string;
  stats: string;
}

/** One generated case: the properties of each node (undefined = left out), hostile or working. */
type Choice = Record<string, { hostile: boolean; value: unknown }>;
const choices = (spec: NodeSpec): fc.Arbitrary<Choice> => {
  const names = [...Object.keys(spec.props), "version"];
  // A node is either all working values, or 1 to 3 of its properties hostile (more would only
  // repeat the first refusal).
  const some = fc
    .uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: Math.min(3, names.length) })
    .chain((picked) =>
      fc
        .tuple(...picked.map((n) => (PLACE_PROPS.has(n) ? PLACE : hostile)))
        .map((values) => Object.fromEntries(picked.map((n, i) => [n, { hostile: true, value: values[i] }]))),
    );
  return fc.oneof({ weight: 1, arbitrary: fc.constant({} as Choice) }, { weight: 3, arbitrary: some });
};
const TYPES = ["sls-connection", "sls-consumer", "sls-syslog-map", "sls-syslog-server", "sls-syslog-out", "sls-ack", "sls-stats"] as const;
const caseArb = fc.record(Object.fromEntries(TYPES.map((t) => [t, choices(SPECS[t])])) as Record<(typeof TYPES)[number], fc.Arbitrary<Choice>>);

// ---------------------------------------------------------------------------------------------

let rx: RawReceiver;
let closedPort: number;
let win: DeliveryWindow;

before(async () => {
  process.on("uncaughtException", onUncaught);
  rx = await rawReceiver();
  closedPort = await freePort();
  win = new DeliveryWindow({ maxInFlight: 1_000_000, claimTimeoutMs: 0 });
  delete process.env[UNSET];
  await helper.load(NODES, [{ id: "tab", type: "tab" }]);
});
after(async () => {
  await helper.unload();
  win.close();
  await rx.close();
  process.removeListener("uncaughtException", onUncaught);
  const lines = [...tally.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `#   ${k}: ${v}`);
  console.log(`# hostile suite: ${tally.get("cases") ?? 0} generated cases (seed ${SEED})\n${lines.join("\n")}`);
});

/** The saved properties of one node from its choices: working values where not hostile. */
function props(spec: NodeSpec, choice: Choice, working: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { version: spec.steps.length };
  for (const [name, p] of Object.entries(spec.props)) out[name] = name in working ? working[name] : p.default;
  for (const [name, c] of Object.entries(choice)) out[name] = c.value;
  return out;
}

function caseFlow(k: number, c: Record<(typeof TYPES)[number], Choice>): { ids: CaseIds; nodes: object[]; credentials: Record<string, object> } {
  const ids: CaseIds = { conn: `conn${k}`, cons: `cons${k}`, map: `map${k}`, srv: `srv${k}`, out: `out${k}`, ack: `ack${k}`, stats: `stats${k}` };
  const split = (type: string, p: Record<string, unknown>): { flow: Record<string, unknown>; cred: Record<string, unknown> } => {
    const flow: Record<string, unknown> = {};
    const cred: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(p)) {
      if (SPECS[type].props[name]?.credential) {
        if (v !== undefined) cred[name] = v;
      } else flow[name] = v;
    }
    return { flow, cred };
  };
  const conn = split(
    "sls-connection",
    props(SPECS["sls-connection"], c["sls-connection"], {
      endpoint: `http://127.0.0.1:${closedPort}`,
      accessKeyId: "LTAIhostile",
      accessKeySecret: "hostile-secret",
    }),
  );
  const srv = split(
    "sls-syslog-server",
    props(SPECS["sls-syslog-server"], c["sls-syslog-server"], { host: "127.0.0.1", port: String(rx.port), protocol: "tcp", maxMessageBytes: "1048576" }),
  );
  const nodes: object[] = [
    { id: ids.conn, type: "sls-connection", ...conn.flow },
    { id: ids.srv, type: "sls-syslog-server", ...srv.flow },
    {
      ...props(SPECS["sls-consumer"], c["sls-consumer"], {
        connection: ids.conn,
        project: "hostile",
        logstore: "hostile",
        consumerGroup: `g${k}`,
        heartbeat: 1,
      }),
      id: ids.cons,
      z: "tab",
      type: "sls-consumer",
      wires: [[ids.map]],
    },
    { ...props(SPECS["sls-syslog-map"], c["sls-syslog-map"], {}), id: ids.map, z: "tab", type: "sls-syslog-map", wires: [[ids.out]] },
    { ...props(SPECS["sls-syslog-out"], c["sls-syslog-out"], { server: ids.srv }), id: ids.out, z: "tab", type: "sls-syslog-out", wires: [] },
    { ...props(SPECS["sls-ack"], c["sls-ack"], {}), id: ids.ack, z: "tab", type: "sls-ack", wires: [] },
    { ...props(SPECS["sls-stats"], c["sls-stats"], { interval: 0 }), id: ids.stats, z: "tab", type: "sls-stats", wires: [] },
  ];
  return { ids, nodes, credentials: { [ids.conn]: conn.cred, [ids.srv]: srv.cred } };
}

interface Sent {
  outcome?: Outcome;
  via: "map" | "out" | "ack";
}

test("part 1: hostile settings on every node type, deployed through the runtime", { timeout: 600_000 }, async () => {
  const setFlows = (flow: object[], credentials: Record<string, object>): Promise<void> =>
    (helper as unknown as { setFlows(f: object[], t: string, c: object): Promise<void> }).setFlows(flow, "full", credentials);
  // Baseline after a deploy and an empty redeploy of one working case (lazy listeners of Node-RED and the helper).
  const ok = caseFlow(0, Object.fromEntries(TYPES.map((t) => [t, {}])) as Record<(typeof TYPES)[number], Choice>);
  await setFlows([{ id: "tab", type: "tab" }, ...ok.nodes], ok.credentials);
  await setFlows([{ id: "tab", type: "tab" }], {});
  await new Promise((r) => setTimeout(r, 300));
  const listenersBefore = listenerCounts();
  const handlesBefore = handleCounts();
  let framesBefore = 0;

  await fc.assert(
    fc.asyncProperty(fc.array(caseArb, { minLength: CASES_PER_FLOW, maxLength: CASES_PER_FLOW }), async (cases) => {
      const flows = cases.map((c, k) => caseFlow(k + 1, c));
      await setFlows([{ id: "tab", type: "tab" }, ...flows.flatMap((f) => f.nodes)], Object.assign({}, ...flows.map((f) => f.credentials)));
      const sent: Sent[] = [];
      const send = (id: string, via: Sent["via"], msg: Record<string, unknown>): void => {
        const s: Sent = { via };
        sent.push(s);
        const token = win.issue(1, (o) => (s.outcome = o));
        helper.getNode(id)?.receive({ ...msg, sls: { token, time: 1764892800, timeNs: 5, topic: "t", source: "10.0.0.1", tags: {} } });
      };
      for (const f of flows) {
        count("cases");
        for (const [type, id] of Object.entries({
          "sls-connection": f.ids.conn,
          "sls-consumer": f.ids.cons,
          "sls-syslog-map": f.ids.map,
          "sls-syslog-server": f.ids.srv,
          "sls-syslog-out": f.ids.out,
          "sls-ack": f.ids.ack,
          "sls-stats": f.ids.stats,
        })) {
          const n = helper.getNode(id) as TestNode | null;
          assert.ok(n, `${type} ${id} was not created (its constructor threw?)`);
          const errors = callsOf((n as unknown as { error: unknown }).error, n).map((a) => String(a[0]));
          const statuses = callsOf((n as unknown as { status: unknown }).status, n).map((a) => a[0] as { fill?: string; text?: string });
          for (const e of errors) assert.doesNotMatch(e, CRASH_TEXT, `${type}: an exception instead of an explanation: ${e.slice(0, 300)}`);
          const refused = errors.filter((e) => e.startsWith("not started,"));
          if (refused.length > 0) {
            assert.equal(refused.length, 1, `${type}: one error listing every problem`);
            const first = statuses.find((s) => s.fill === "red" && /^invalid /.test(String(s.text)));
            assert.ok(first, `${type}: red status naming the property (${JSON.stringify(statuses)})`);
            const prop = String(first.text).slice("invalid ".length);
            assert.ok(prop === "version" || prop in SPECS[type].props, `${type}: status names a property it has: ${prop}`);
            assert.ok(refused[0].includes(prop), `${type}: the error names ${prop}`);
            count(`${type} refused`);
          } else count(`${type} started`);
        }
        send(f.ids.map, "map", { payload: { m: "hostile-map", a: "1" } });
        send(f.ids.out, "out", { payload: "hostile-out" });
        send(f.ids.ack, "ack", { payload: "hostile-ack" });
      }
      // Writes take a moment; held and queued logs stay unsettled until the next deploy.
      await until(() => sent.every((s) => s.outcome), 400, "").catch(() => undefined);
      const delivered = sent.filter((s) => s.outcome === "delivered" && s.via !== "ack").length;
      await setFlows([{ id: "tab", type: "tab" }], {});
      // Every token is settled by now: written, acknowledged, or given back to the source.
      for (const s of sent) {
        assert.ok(s.outcome === "delivered" || s.outcome === "returned", `a token settled as ${s.outcome} via ${s.via}: a log skipped without being written`);
        count(`log via ${s.via} ${s.outcome}`);
      }
      // Each written log is a whole frame at the receiver, and it parses.
      const frames = rx.conns.flatMap((c) => framesOf(Buffer.concat(c)));
      assert.ok(frames.length - framesBefore >= delivered, `${delivered} logs written, ${frames.length - framesBefore} frames`);
      for (const fr of frames.slice(framesBefore)) parseAnySyslog(fr);
      framesBefore = frames.length;
      assert.deepEqual(crashes, []);
      // Nothing the runtime logged is an exception a node let escape (Node-RED logs a constructor's throw).
      for (const a of (helper as unknown as { log(): { args: unknown[][] } }).log().args) {
        const e = a[0] as { level?: number; msg?: unknown };
        if (e && typeof e === "object" && (e.level ?? 0) <= 20)
          assert.doesNotMatch(String((e.msg as Error)?.stack ?? e.msg), CRASH_TEXT, "the runtime logged an exception");
      }
      // The helper's spies keep every call: forget this run's (hostile values are large).
      resetSpies();
    }),
    { seed: SEED, numRuns: SETTINGS_RUNS, endOnFailure: true, includeErrorInReport: true },
  );

  // Nothing left behind by SETTINGS_RUNS deploys and redeploys: listeners, timers, sockets.
  await until(
    () => {
      const h = handleCounts();
      return Object.keys(h).every((k) => (h[k] ?? 0) <= (handlesBefore[k] ?? 0));
    },
    10_000,
    "handles back to the baseline",
  ).catch(() => undefined);
  assert.deepEqual(listenerCounts(), listenersBefore, "listeners on the runtime's events and the process");
  const h = handleCounts();
  for (const k of Object.keys(h)) assert.ok(h[k] <= (handlesBefore[k] ?? 0), `${k}: ${h[k]} active after the runs, ${handlesBefore[k] ?? 0} before`);
});

// ---------------------------------------------------------------------------------------------
// Part 2: log contents.

/** Protobuf writer for a LogGroupList with contents as raw bytes (the SDK's encoder takes strings). */
function varint(n: number): Buffer {
  const b: number[] = [];
  while (n > 0x7f) {
    b.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  b.push(n);
  return Buffer.from(b);
}
const lenField = (field: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([(field << 3) | 2]), varint(body.length), body]);
const pair = (field: number, k: Buffer, v: Buffer): Buffer => lenField(field, Buffer.concat([lenField(1, k), lenField(2, v)]));
interface GenLog {
  time: number;
  timeNs?: number;
  contents: Array<[Buffer, Buffer]>;
}
interface GenGroup {
  logs: GenLog[];
  topic?: Buffer;
  source?: Buffer;
  tags: Array<[Buffer, Buffer]>;
}
function encodeGroup(g: GenGroup): Buffer {
  const parts: Buffer[] = [];
  for (const l of g.logs) {
    const ns = l.timeNs === undefined ? [] : [Buffer.from([(4 << 3) | 5]), Buffer.alloc(4)];
    if (ns.length) ns[1].writeUInt32LE(l.timeNs!);
    parts.push(lenField(1, Buffer.concat([Buffer.from([1 << 3]), varint(l.time), ...l.contents.map(([k, v]) => pair(2, k, v)), ...ns])));
  }
  if (g.topic) parts.push(lenField(3, g.topic));
  if (g.source) parts.push(lenField(4, g.source));
  for (const [k, v] of g.tags) parts.push(pair(6, k, v));
  return Buffer.concat(parts);
}

const bytesArb = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 16 }).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from("a\u0000b"),
      Buffer.from("l1\r\nl2\nl3\r"),
      Buffer.from(" src=6.6.6.6 sev=1"),
      Buffer.from("a||b=c"),
      Buffer.from("x\\|y\\"),
      Buffer.from("\t\tsev=9\t"),
      Buffer.from('"}{"x":1'),
    ),
  },
);
const keyArb = fc
  .oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "user",
        "src",
        "a b",
        "a_b",
        "a.b",
        "a-b",
        "A B",
        "sev",
        "msg",
        "__time__",
        "__topic__",
        "__tag__:x",
        "",
        "=",
        "k=v",
        "é",
        "cs1",
      ),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
  )
  .map((s) => Buffer.from(s));
const logArb: fc.Arbitrary<GenLog> = fc.record({
  time: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constant(1764892800)),
  timeNs: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { nil: undefined }),
  contents: fc.array(fc.tuple(keyArb, bytesArb), { maxLength: 12 }),
});
const groupArb: fc.Arbitrary<GenGroup> = fc.record({
  logs: fc.array(logArb, { minLength: 1, maxLength: 4 }),
  topic: fc.option(bytesArb, { nil: undefined }),
  source: fc.option(bytesArb, { nil: undefined }),
  tags: fc.array(fc.tuple(keyArb, bytesArb), { maxLength: 3 }),
});

/** The values a log holds as sls-consumer emits it (contents and metadata), as text. */
function valuesOf(rec: Record<string, unknown>, sls: Record<string, unknown>): Set<string> {
  const vals = new Set<string>();
  for (const v of Object.values(rec)) vals.add(String(v));
  for (const v of [sls.topic, sls.source, ...Object.values((sls.tags as object) ?? {})]) vals.add(String(v ?? ""));
  return vals;
}

const FORMATS = {
  kv: { config: { format: "kv", kvSeparator: "||", kvEscape: "backslash" }, read: (body: string) => (body === "" ? [] : parseKvBackslash(body, "||")) },
  json: { config: { format: "json" }, read: (body: string) => jsonPairs(JSON.parse(body), "") },
  cef: { config: { format: "cef" }, read: (body: string) => parseCef(body).extension },
  leef: { config: { format: "leef" }, read: (body: string) => parseLeef(body).attributes },
} as const;
type Read = (body: string) => Array<[string, string]>;
function jsonPairs(o: unknown, path: string): Array<[string, string]> {
  if (o === null || typeof o !== "object") return [[path, String(o)]];
  return Object.entries(o as object).flatMap(([k, v]) => jsonPairs(v, path ? `${path}.${k}` : k));
}

test("part 2: hostile log contents through map and out, frames re-parsed strictly", { timeout: 600_000 }, async () => {
  const setFlows = (flow: object[]): Promise<void> =>
    (helper as unknown as { setFlows(f: object[], t: string, c: object): Promise<void> }).setFlows(flow, "full", {});
  const rxs: Record<string, RawReceiver> = {};
  const nodes: object[] = [{ id: "tab", type: "tab" }];
  for (const [name, f] of Object.entries(FORMATS)) {
    rxs[name] = await rawReceiver();
    nodes.push(
      {
        id: `srv-${name}`,
        type: "sls-syslog-server",
        host: "127.0.0.1",
        port: String(rxs[name].port),
        protocol: "tcp",
        framing: "octet",
        maxMessageBytes: "4194304",
        maxQueueMB: "256",
        version: 2,
      },
      { id: `map-${name}`, z: "tab", type: "sls-syslog-map", version: 1, ...f.config, wires: [[`out-${name}`]] },
      { id: `out-${name}`, z: "tab", type: "sls-syslog-out", server: `srv-${name}`, bom: "never", appName: "hostile", version: 1, wires: [] },
    );
  }
  await setFlows(nodes);
  /** Per format, the attributes the mapping writes for a log with no contents (times, severity...): made, not read from the log. */
  const made: Record<string, Set<string>> = {};
  const seen: Record<string, number> = Object.fromEntries(Object.keys(FORMATS).map((n) => [n, 0]));
  const logs: Array<{ rec: Record<string, unknown>; sls: Record<string, unknown> }> = [];

  const run = async (groups: GenGroup[]): Promise<void> => {
    const body = Buffer.concat(groups.map((g) => lenField(1, encodeGroup(g))));
    const decoded = decodeLogGroupListRecords(body);
    const batch: Array<{ rec: Record<string, unknown>; sls: Record<string, unknown> }> = [];
    for (const g of decoded)
      g.records.forEach((rec, i) =>
        batch.push({
          rec,
          sls: {
            project: "p",
            logstore: "l",
            shard: 0,
            time: rec.__time__,
            timeNs: g.timeNs[i],
            topic: g.topic,
            source: g.source,
            tags: Object.fromEntries(g.tags),
          },
        }),
      );
    const outcomes: Array<{ format: string; outcome?: Outcome }> = [];
    for (const name of Object.keys(FORMATS))
      for (const l of batch) {
        const o: { format: string; outcome?: Outcome } = { format: name };
        outcomes.push(o);
        const token = win.issue(1, (x) => (o.outcome = x));
        helper.getNode(`map-${name}`).receive({ payload: l.rec, sls: { ...l.sls, token } });
      }
    await until(() => outcomes.every((o) => o.outcome), 60_000, "every log settled");
    for (const o of outcomes) {
      assert.equal(o.outcome, "delivered", `${o.format}: a log of hostile contents was not written`);
      count(`log ${o.format} ${o.outcome}`);
    }
    for (const name of Object.keys(FORMATS)) {
      const want = seen[name] + batch.length;
      await until(
        () => rxs[name].conns.reduce((n, c) => n + c.reduce((m, b) => m + b.length, 0), 0) > 0 && splitSafe(rxs[name]).length >= want,
        20_000,
        `${name} frames`,
      );
      const frames = splitSafe(rxs[name]).slice(seen[name], want);
      frames.forEach((fr, i) => {
        let p: ParsedSyslog;
        try {
          p = parseRfc5424(fr);
        } catch (e) {
          throw new Error(`${name}: frame ${i} is not RFC 5424 (${(e as Error).message}): ${JSON.stringify(fr.toString("utf8").slice(0, 200))}`, { cause: e });
        }
        const text = p.message ?? "";
        let read: Array<[string, string]>;
        try {
          read = (FORMATS as Record<string, { read: Read }>)[name].read(text);
        } catch (e) {
          throw new Error(
            `${name}: body does not parse (${(e as Error).message}): ${JSON.stringify(text.slice(0, 300))} from ${JSON.stringify(batch[i].rec).slice(0, 300)}`,
            { cause: e },
          );
        }
        const held = valuesOf(batch[i].rec, batch[i].sls);
        if (!made[name]) {
          // The first log of the run holds only probe=1: what else it carries is made by the mapping.
          made[name] = new Set(read.filter(([, v]) => v !== "1").map(([k]) => k));
          return;
        }
        for (const [k, v] of read) {
          // CEF/LEEF/kv may clean a value's control characters; compare what is left.
          if (held.has(v) || [...held].some((h) => clean(h) === clean(v))) continue;
          if (made[name].has(k)) continue;
          assert.fail(
            `${name}: value ${JSON.stringify(v.slice(0, 80))} is not one the log holds (forged by a neighbour?) in ${JSON.stringify(text.slice(0, 300))}; the log holds ${JSON.stringify([...held]).slice(0, 600)}`,
          );
        }
      });
      seen[name] = want;
    }
    logs.push(...batch);
    count("cases", batch.length);
    count("frames parsed", batch.length * Object.keys(FORMATS).length);
  };

  await run([{ logs: [{ time: 1764892800, contents: [[Buffer.from("probe"), Buffer.from("1")]] }], tags: [] }]);
  await fc.assert(fc.asyncProperty(fc.array(groupArb, { minLength: 1, maxLength: 3 }), run), {
    seed: SEED,
    numRuns: RECORD_RUNS,
    endOnFailure: true,
    includeErrorInReport: true,
  });

  // The large ones, each once: a 1 MB value, 10 000 fields, keys that collide once cleaned.
  const big = (n: number): Buffer => Buffer.from("v".repeat(n - 3) + "é");
  await run([
    {
      logs: [
        {
          time: 1764892800,
          contents: [
            [Buffer.from("big"), big(1 << 20)],
            [Buffer.from("b2"), Buffer.from("x")],
          ],
        },
      ],
      tags: [],
    },
  ]);
  await run([
    {
      logs: [{ time: 1764892800, contents: Array.from({ length: 10_000 }, (_, i): [Buffer, Buffer] => [Buffer.from(`f${i}`), Buffer.from(`v${i}`)]) }],
      tags: [],
    },
  ]);
  await run([
    {
      logs: [
        {
          time: 1764892800,
          contents: [
            ["a b", "1"],
            ["a_b", "2"],
            ["a.b", "3"],
            ["A B", "4"],
            ["a-b", "5"],
            ["a=b", "6"],
            ["a|b", "7"],
          ].map(([k, v]): [Buffer, Buffer] => [Buffer.from(k), Buffer.from(v)]),
        },
      ],
      tags: [[Buffer.from("a b"), Buffer.from("8")]],
    },
  ]);
  count("large cases", 3);
  for (const r of Object.values(rxs)) await r.close();
  await setFlows([{ id: "tab", type: "tab" }]);
});

function splitSafe(r: RawReceiver): Buffer[] {
  return r.conns.flatMap((c) => {
    // A frame still arriving: split the whole frames only.
    const out: Buffer[] = [];
    new FrameSplitter({ framing: "octet", onFrame: (f) => out.push(f) }).push(Buffer.concat(c));
    return out;
  });
}

/** A value without what formats escape or replace (controls, U+FFFD, backslash, the LEEF/CEF delimiters, spaces). */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\ufffd\\^|\s]+/g, "");
}

// Settings checked at deploy, through the real runtime: a node with a bad setting does not start
// (red status naming the property, one error listing every problem, nothing running), and a flow
// node that did not start holds the delivery tokens it receives, so no log is lost: the source
// stops at its window, no checkpoint moves, and after a fix and a redeploy every log arrives.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Emulator } from "../../emulator/index";
import { emulatorAndReceiver } from "../support/emulator-and-receiver";
import { helper, until, type TestNode } from "../support/red-helper";
import type { StreamReceiver } from "../support/receivers";
import { consumerFlow, putSeq, syslogOutNodes } from "../support/sls-fixtures";
import ackNode = require("../../nodes/sls-ack");
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import mapNode = require("../../nodes/sls-syslog-map");
import serverNode = require("../../nodes/sls-syslog-server");
import outNode = require("../../nodes/sls-syslog-out");

const NODES = [ackNode, connNode, consumerNode, mapNode, serverNode, outNode];
/** A spy of Node.prototype (the helper spies every node's methods at once) and its calls. */
interface ProtoSpy {
  args: unknown[][];
  thisValues: unknown[];
}
/** The arguments of the calls that `node` made to `spy`. */
function callsOf(spy: unknown, node: unknown): unknown[][] {
  const s = spy as ProtoSpy;
  return s.args.filter((_, i) => s.thisValues[i] === node);
}
const errorsOf = (node: TestNode): string[] => callsOf((node as unknown as { error: unknown }).error, node).map((a) => String(a[0]));
const statusOf = (node: TestNode): { text?: string; fill?: string } => (callsOf(node.status, node).at(-1)?.[0] ?? {}) as { text?: string; fill?: string };

let emu: Emulator;
let rx: StreamReceiver;

emulatorAndReceiver((e, r) => ([emu, rx] = [e, r]));

/** The syslog server (its port set by each test) and out node of the refused-settings tests. */
const [SERVER, OUT] = syslogOutNodes(514) as Array<Record<string, unknown>>;

/** Loads `flow` and returns what node `id` showed: its last status text and its errors. */
async function deploy(flow: object[], id: string, credentials: Record<string, object> = {}): Promise<{ status: string; fill: string; errors: string[] }> {
  await helper.load(NODES, [{ id: "tab", type: "tab" }, ...flow], credentials);
  const n = helper.getNode(id);
  const st = statusOf(n);
  return { status: st.text ?? "", fill: st.fill ?? "", errors: errorsOf(n) };
}

test("bad settings: red status naming the first property, one error with every problem, for each node type", async (t) => {
  delete process.env.SLS_TEST_UNSET_PROTOCOL;
  const cases: Array<{ what: string; flow: object[]; id: string; status: string; error: string; credentials?: Record<string, object> }> = [
    {
      what: "server: port 70000 and protocol ssl",
      flow: [{ ...SERVER, port: "70000", protocol: "ssl" }, { ...OUT }],
      id: "srv",
      status: "invalid port",
      error: 'not started, 2 invalid setting(s): port "70000": must be a whole number from 1 to 65535; protocol "ssl": must be one of udp, tcp, tls, relp',
    },
    {
      what: "server: ${VAR} left by Node-RED because the variable is not set",
      flow: [{ ...SERVER, port: "514", protocol: "${SLS_TEST_UNSET_PROTOCOL}" }],
      id: "srv",
      status: "invalid protocol",
      error: 'not started, 1 invalid setting(s): protocol "${SLS_TEST_UNSET_PROTOCOL}": environment variable SLS_TEST_UNSET_PROTOCOL is not set',
    },
    {
      what: "out: its server did not start",
      flow: [{ ...SERVER, port: "abc" }, { ...OUT }],
      id: "out",
      status: "invalid server",
      error: 'not started, 1 invalid setting(s): server "srv": sls-syslog-server srv has invalid settings (see its error)',
    },
    {
      what: "out: app-name with a space",
      flow: [
        { ...SERVER, port: "514" },
        { ...OUT, appName: "two words" },
      ],
      id: "out",
      status: "invalid appName",
      error: 'not started, 1 invalid setting(s): appName "two words": printable US-ASCII without spaces, at most 48 characters (RFC 5424 header field)',
    },
    {
      what: "out: no server",
      flow: [{ ...OUT, server: "" }],
      id: "out",
      status: "invalid server",
      error: "not started, 1 invalid setting(s): server: required",
    },
    {
      what: "consumer: maxInFlight 0 and a start time that does not parse",
      flow: [
        { id: "conn", type: "sls-connection", endpoint: "http://127.0.0.1:1", version: 1 },
        {
          id: "cons",
          z: "tab",
          type: "sls-consumer",
          connection: "conn",
          project: "p",
          logstore: "l",
          consumerGroup: "g",
          start: "time",
          startTime: "yesterday",
          maxInFlight: 0,
          version: 1,
          wires: [],
        },
      ],
      credentials: { conn: { accessKeyId: "id", accessKeySecret: "secret" } },
      id: "cons",
      status: "invalid startTime",
      error:
        'not started, 2 invalid setting(s): startTime "yesterday": must be an ISO 8601 time such as 2026-11-28T00:00:00Z (no zone = UTC) or unix seconds; maxInFlight "0": must be a whole number from 1 to 100000',
    },
    {
      what: "map: a key=value separator with =",
      flow: [{ id: "map", z: "tab", type: "sls-syslog-map", format: "kv", kvSeparator: "a=", version: 1, wires: [] }],
      id: "map",
      status: "invalid kvSeparator",
      error: 'not started, 1 invalid setting(s): kvSeparator "a=": the separator contains =',
    },
    {
      what: "ack: saved by a newer version",
      flow: [{ id: "ack", z: "tab", type: "sls-ack", version: 99, wires: [] }],
      id: "ack",
      status: "invalid version",
      error:
        'not started, 1 invalid setting(s): version "99": saved by a newer version of this package (format 99; this one reads up to 1): upgrade the package',
    },
  ];
  for (const c of cases) {
    await t.test(c.what, async () => {
      const got = await deploy(c.flow, c.id, c.credentials);
      assert.deepEqual(got, { status: c.status, fill: "red", errors: [c.error] });
      await helper.unload();
    });
  }
});

test("sls-consumer with an empty endpoint in its connection: no status-less throw, no listener or window left behind across deploys", async () => {
  const events = (helper as unknown as { _events: NodeJS.EventEmitter })._events;
  const listeners = (): number[] => ["flows:stopping", "flows:started"].map((e) => events.listenerCount(e));
  const flow = [
    { id: "conn", type: "sls-connection", endpoint: "", version: 1 },
    { id: "cons", z: "tab", type: "sls-consumer", connection: "conn", project: "p", logstore: "l", consumerGroup: "g", version: 1, wires: [] },
  ];
  const credentials = { conn: { accessKeyId: "id", accessKeySecret: "secret" } };
  await helper.load(NODES, [{ id: "tab", type: "tab" }], {});
  const before = listeners();
  await helper.unload();
  for (let i = 0; i < 3; i++) {
    const conn = await deploy(flow, "conn", credentials);
    assert.deepEqual(conn.errors, ["not started, 1 invalid setting(s): endpoint: required"]);
    assert.equal(statusOf(helper.getNode("cons")).text, "invalid connection");
    assert.deepEqual(listeners(), before, `deploy ${i + 1}: no flows:* listener added`);
    await helper.unload();
  }
});

/**
 * consumer (window 200, claim timeout 2 s) → sls-syslog-out → the receiver; `out` overrides the out
 * node's settings. With a short claim timeout, a token that is not held expires within the test.
 */
function sinkFlow(logstore: string, out: Record<string, unknown>): { flow: object[]; credentials: Record<string, object> } {
  const { flow, credentials } = consumerFlow(emu, { logstore, group: "held", maxInFlight: 200, into: "out", consumer: { claimTimeout: 2 } });
  return { flow: [...flow, ...syslogOutNodes(rx.port, { out })], credentials };
}

/**
 * The consumer waits at a full window, past the claim timeout no checkpoint moved (an unclaimed
 * token would have expired as "handled" and moved it; a held one never expires), node `refused`
 * reported one error (not one per log) and nothing reached the receiver.
 */
async function expectHeld(logstore: string, refused: string): Promise<void> {
  await until(() => /^waiting for delivery/.test(String(statusOf(helper.getNode("cons")).text)), 20_000, "the window full of held tokens");
  await new Promise((r) => setTimeout(r, 3500));
  const ls = emu.getLogstore(logstore);
  for (const c of emu.checkpoints(logstore, "held"))
    assert.ok(c.checkpoint === "" || c.checkpoint === ls.shard(c.shard).cursor(0), `shard ${c.shard} checkpoint did not move`);
  assert.equal(errorsOf(helper.getNode(refused)).length, 1, "one error, not one per log");
  assert.equal(rx.frames.length, 0);
}

const seqsOf = (frames: Buffer[]): number[] => frames.map((f) => Number(/"seq":"(\d+)"/.exec(f.toString("utf8"))?.[1] ?? -1));

test(
  "a sink that did not start holds every token: nothing settles, no checkpoint moves, one error; after the fix every log arrives",
  { timeout: 60_000 },
  async () => {
    const logstore = "held";
    emu.createLogstore(logstore, { shards: 2 });
    putSeq(emu, 0, 1000, 10, 2, logstore);
    rx.frames.length = 0;
    const bad = sinkFlow(logstore, { appName: "two words" });
    await helper.load(NODES, bad.flow, bad.credentials);
    await expectHeld(logstore, "out");
    const ls = emu.getLogstore(logstore);

    const good = sinkFlow(logstore, { appName: "aliyun-sls" });
    await helper.setFlows(good.flow, "nodes", good.credentials);
    await until(() => new Set(seqsOf(rx.frames)).size >= 1000, 30_000, "every log after the fix");
    assert.deepEqual(
      [...new Set(seqsOf(rx.frames))].sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
      "none lost",
    );
    await until(
      () => emu.checkpoints(logstore, "held").every((c) => c.checkpoint === ls.shard(c.shard).cursor(ls.shard(c.shard).endSeq)),
      10_000,
      "checkpoints at the end",
    );
    await helper.unload();
  },
);

test("a mapping node that did not start holds the tokens too (between the source and the sink)", { timeout: 60_000 }, async () => {
  const logstore = "held-map";
  emu.createLogstore(logstore, { shards: 1 });
  putSeq(emu, 0, 500, 10, 1, logstore);
  rx.frames.length = 0;
  const withMap = (kvSeparator: string): { flow: object[]; credentials: Record<string, object> } => {
    const f = sinkFlow(logstore, {});
    (f.flow.find((n) => (n as { id: string }).id === "cons") as { wires: string[][] }).wires = [["map"]];
    f.flow.push({ id: "map", z: "tab", x: 200, y: 100, type: "sls-syslog-map", format: "kv", kvSeparator, kvEscape: "none", version: 1, wires: [["out"]] });
    return f;
  };
  const bad = withMap("a=");
  await helper.load(NODES, bad.flow, bad.credentials);
  await expectHeld(logstore, "map");
  const good = withMap("||");
  await helper.setFlows(good.flow, "nodes", good.credentials);
  await until(() => new Set(rx.frames.map((f) => /\|\|seq=(\d+)/.exec(f.toString("utf8"))?.[1])).size >= 500, 30_000, "every log after the fix");
  await helper.unload();
});

// Format failures through the real runtime: sls-consumer → syslog map → sls-syslog-out → a receiver.
// A failure every log hits (a bad SD-ID, a header with structured data over the UDP size) must
// never move a checkpoint: the logs are held, one error is raised, and after the fix and a deploy
// every log arrives. A failure of one log's own data is dead-lettered to a Catch node, alone.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, type Emulator } from "../../emulator/index";
import { helper, until } from "../support/red-helper";
import { streamReceiver, udpReceiver } from "../support/receivers";
import { consumerFlow, syslogOutNodes } from "../support/sls-fixtures";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import mapNode = require("../../nodes/sls-syslog-map");
import serverNode = require("../../nodes/sls-syslog-server");
import outNode = require("../../nodes/sls-syslog-out");
import { coreNode } from "../../support/node-red-runtime";
const catchNode = coreNode("common/25-catch.js");
const changeNode = coreNode("function/15-change.js");

const NODES = [connNode, consumerNode, mapNode, serverNode, outNode, catchNode, changeNode];
let emu: Emulator;

before(async () => {
  emu = await start({ port: 0 });
});
afterEach(() => helper.unload());
after(() => emu.close());

/** `n` logs over 2 shards, groups of 10: seq, a short note, and `detail` (same length in every log) when asked. */
function putLogs(logstore: string, n: number, opts: { detail?: number; poison?: number } = {}): void {
  emu.createLogstore(logstore, { shards: 2 });
  for (let s = 0, g = 0; s < n; s += 10, g++) {
    const logs = [];
    for (let i = s; i < Math.min(n, s + 10); i++) {
      const contents: Array<[string, string]> = [
        ["seq", String(i)],
        ["note", i === opts.poison ? "p".repeat(2000) : `event ${i}`],
      ];
      if (opts.detail) contents.push(["detail", "d".repeat(opts.detail)]);
      logs.push({ time: 1_800_000_000 + i, contents });
    }
    emu.putLogs(logstore, { logs, topic: "t", source: "10.0.0.1", tags: [] }, { shard: g % 2 });
  }
}

interface Wiring {
  logstore: string;
  sdId?: string;
  sdFields?: string;
  sdDedup?: boolean;
  protocol: "tcp" | "udp";
  port: number;
  maxMessageBytes: string;
  maxInFlight?: number;
}

/** consumer → map → out, a Catch node for the whole tab wired to a helper node "caught". */
function flowOf(w: Wiring): { flow: object[]; credentials: Record<string, object> } {
  const { flow, credentials } = consumerFlow(emu, { logstore: w.logstore, group: "grp", maxInFlight: w.maxInFlight ?? 200, into: "map" });
  flow.push(
    {
      id: "map",
      z: "tab",
      x: 1,
      y: 1,
      type: "sls-syslog-map",
      format: "kv",
      sdEnabled: true,
      sdId: w.sdId ?? "sls@32473",
      sdFields: w.sdFields ?? "",
      sdDedup: w.sdDedup ?? false,
      wires: [["out"]],
    },
    ...syslogOutNodes(w.port, { server: { protocol: w.protocol, maxMessageBytes: w.maxMessageBytes }, out: { appName: "sls" } }),
    { id: "catch", z: "tab", x: 1, y: 1, type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", z: "tab", x: 1, y: 1, type: "helper" },
  );
  return { flow, credentials };
}

/** The checkpoints of group "grp" (none before the consumer created the group). */
function checkpoints(logstore: string): Array<{ shard: number; checkpoint: string }> {
  try {
    return emu.checkpoints(logstore, "grp");
  } catch {
    return [];
  }
}

/** Checkpoints of group "grp": every shard still at its first log group (or none stored). */
function checkpointsAtStart(logstore: string): boolean {
  const ls = emu.getLogstore(logstore);
  return checkpoints(logstore).every((c) => c.checkpoint === "" || c.checkpoint === ls.shard(c.shard).cursor(0));
}

function checkpointsAtEnd(logstore: string): boolean {
  const ls = emu.getLogstore(logstore);
  const cps = checkpoints(logstore);
  return cps.length === 2 && cps.every((c) => c.checkpoint === ls.shard(c.shard).cursor(ls.shard(c.shard).endSeq));
}

/** Runtime log entries at error level (node.error, whether a Catch node takes it or not). */
function errorsLogged(): string[] {
  const log = helper.log() as unknown as { args: Array<[{ level: number; msg: unknown }]> };
  return log.args.filter(([e]) => e.level === 20).map(([e]) => String(e.msg));
}

const seqs = (frames: Buffer[]): Set<number> => new Set(frames.map((f) => Number(/seq=(\d+)/.exec(f.toString("utf8"))?.[1] ?? -1)));

/** The latest status this node set (the helper's status spy is shared by every node). */
function lastStatusOf(id: string): { fill?: string; text?: string } {
  const node = helper.getNode(id);
  const calls = (node.status as unknown as { getCalls(): Array<{ thisValue: unknown; args: Array<{ fill?: string; text?: string }> }> }).getCalls();
  for (let i = calls.length - 1; i >= 0; i--) if (calls[i].thisValue === node) return calls[i].args[0] ?? {};
  return {};
}

const lastStatus = (id: string): string => String(lastStatusOf(id).text ?? "");

/** Messages the Catch node passes on (a caught error is not logged as well). */
function catchAll(): Array<{ error: { message: string; source: { id: string } } }> {
  const caught: Array<{ error: { message: string; source: { id: string } } }> = [];
  (helper.getNode("caught") as unknown as { on(e: string, f: (m: (typeof caught)[number]) => void): void }).on("input", (m) => caught.push(m));
  return caught;
}

/** Waits while the settings problem holds: the consumer stops at its window, the checkpoint stays put, one error. */
async function assertHeld(logstore: string, caught: Array<{ error: { message: string } }>): Promise<void> {
  await until(() => /^waiting for delivery/.test(lastStatus("cons")) || !checkpointsAtStart(logstore), 20_000, "the consumer stopped at its window");
  // Several commit intervals (0.2 s) pass: nothing moves.
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(checkpointsAtStart(logstore), `checkpoints moved past logs that were never written: ${JSON.stringify(checkpoints(logstore))}`);
  assert.match(lastStatus("cons"), /^waiting for delivery/, "the consumer stopped at its window");
  // Found at deploy (the map node refuses its settings and holds) or at run time (sls-syslog-out holds).
  assert.ok(/^holding \d+ logs: /.test(lastStatus("out")) || lastStatusOf("map").fill === "red", `out: ${lastStatus("out")}, map: ${lastStatus("map")}`);
  const errors = [...errorsLogged(), ...caught.map((c) => c.error.message)];
  assert.equal(errors.length, 1, `one error, not one per log:\n${errors.join("\n")}`);
}

test(
  "an invalid SD-ID (refused at deploy) holds every log: checkpoints never move, one error; after the fix and a deploy every log arrives",
  { timeout: 90_000 },
  async () => {
    putLogs("badsdid", 600);
    const rx = await streamReceiver({ framing: "octet" });
    try {
      const bad = flowOf({ logstore: "badsdid", sdId: "mysd", sdFields: "seq", protocol: "tcp", port: rx.port, maxMessageBytes: "8192" });
      await helper.load(NODES, bad.flow, bad.credentials);
      await assertHeld("badsdid", catchAll());
      assert.equal(rx.frames.length, 0);
      // The user fixes the SD-ID and deploys the modified node only.
      const fixed = flowOf({ logstore: "badsdid", sdId: "my@32473", sdFields: "seq", protocol: "tcp", port: rx.port, maxMessageBytes: "8192" });
      await helper.setFlows(fixed.flow, "nodes", fixed.credentials);
      await until(() => seqs(rx.frames).size >= 600, 30_000, "every log after the fix");
      assert.deepEqual(
        [...seqs(rx.frames)].sort((a, b) => a - b),
        Array.from({ length: 600 }, (_, i) => i),
      );
      assert.match(rx.frames[0].toString("utf8"), /\[my@32473 seq="\d+"\]/);
      await until(() => checkpointsAtEnd("badsdid"), 10_000, "checkpoints at the end");
    } finally {
      await rx.close();
    }
  },
);

test(
  "an invalid SD-ID a user's node puts in msg.syslog is held by syslog out at run time: checkpoints never move, one error; after the fix every log arrives",
  { timeout: 90_000 },
  async () => {
    putLogs("usersd", 300);
    const rx = await streamReceiver({ framing: "octet" });
    /** consumer → change (msg.syslog from the user's JSON) → out. */
    const withSd = (sdId: string): { flow: object[]; credentials: Record<string, object> } => {
      const f = flowOf({ logstore: "usersd", protocol: "tcp", port: rx.port, maxMessageBytes: "8192" });
      const map = f.flow.find((n) => (n as { id: string }).id === "map") as Record<string, unknown>;
      Object.assign(map, {
        type: "change",
        rules: [{ t: "set", p: "syslog", pt: "msg", to: JSON.stringify({ structuredData: { [sdId]: { src: "user" } } }), tot: "json" }],
      });
      return f;
    };
    try {
      const bad = withSd("mysd");
      await helper.load(NODES, bad.flow, bad.credentials);
      await assertHeld("usersd", catchAll());
      assert.match(lastStatus("out"), /^holding \d+ logs: invalid SD-ID "mysd"/);
      assert.equal(rx.frames.length, 0);
      const fixed = withSd("user@32473");
      await helper.setFlows(fixed.flow, "nodes", fixed.credentials);
      // At least once: the released logs are read again, and some may arrive twice; each must arrive.
      const distinct = (): number => new Set(rx.frames.map((f) => /"seq":"(\d+)"/.exec(f.toString("utf8"))?.[1])).size;
      await until(() => distinct() >= 300, 30_000, "every log after the fix");
      assert.equal(distinct(), 300);
      await until(() => checkpointsAtEnd("usersd"), 10_000, "checkpoints at the end");
    } finally {
      await rx.close();
    }
  },
);

test(
  "UDP 1400 with the dedup key and a large SD field: header and SD never fit, every log is held; after the fix every log arrives",
  { timeout: 90_000 },
  async () => {
    // 100 datagrams of 1400 bytes: within the loopback receive buffer (UDP has no flow control).
    putLogs("udpsd", 100, { detail: 1500 });
    const rx = await udpReceiver();
    try {
      const bad = flowOf({ logstore: "udpsd", sdDedup: true, sdFields: "detail", protocol: "udp", port: rx.port, maxMessageBytes: "1400", maxInFlight: 50 });
      await helper.load(NODES, bad.flow, bad.credentials);
      await assertHeld("udpsd", catchAll());
      assert.equal(rx.datagrams.length, 0);
      const fixed = flowOf({ logstore: "udpsd", sdDedup: true, sdFields: "", protocol: "udp", port: rx.port, maxMessageBytes: "1400", maxInFlight: 50 });
      await helper.setFlows(fixed.flow, "nodes", fixed.credentials);
      await until(() => seqs(rx.datagrams).size >= 100, 30_000, "every log after the fix");
      assert.deepEqual(
        [...seqs(rx.datagrams)].sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, i) => i),
      );
      assert.ok(rx.datagrams.every((d) => d.length <= 1400));
      await until(() => checkpointsAtEnd("udpsd"), 10_000, "checkpoints at the end");
    } finally {
      await rx.close();
    }
  },
);

test(
  "one poisoned log among good ones: exactly that log is dead-lettered to a Catch node, the rest arrive, checkpoints reach the end",
  { timeout: 90_000 },
  async () => {
    putLogs("poison", 300, { poison: 137 });
    const rx = await streamReceiver({ framing: "octet" });
    try {
      // Every log carries `note` in its SD; log 137's note is 2000 characters, over the 1024-byte limit.
      const f = flowOf({ logstore: "poison", sdFields: "note", protocol: "tcp", port: rx.port, maxMessageBytes: "1024" });
      await helper.load(NODES, f.flow, f.credentials);
      const caught = catchAll() as Array<{ error: { message: string; source: { id: string } }; payload: { seq: string } }>;
      await until(() => seqs(rx.frames).size >= 299, 30_000, "the 299 good logs");
      await until(() => checkpointsAtEnd("poison"), 10_000, "checkpoints at the end");
      assert.equal(caught.length, 1, JSON.stringify(caught.map((c) => c.error.message)));
      assert.equal(caught[0].payload.seq, "137");
      assert.equal(caught[0].error.source.id, "out");
      assert.match(caught[0].error.message, /header and structured data need \d+ bytes, more than the maximum message size of 1024/);
      const got = seqs(rx.frames);
      assert.equal(got.has(137), false);
      assert.deepEqual(
        [...got].sort((a, b) => a - b),
        Array.from({ length: 300 }, (_, i) => i).filter((i) => i !== 137),
      );
    } finally {
      await rx.close();
    }
  },
);

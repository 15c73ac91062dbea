// Steady state through the real sink: sls-consumer → sls-syslog-out (TCP, octet counting) → a
// loopback receiver. Every log arrives exactly once, checkpoints reach the end only through the
// sink's delivery settlements, the SIEM going away stalls the shard instead of losing logs, and a
// sink redeployed while the SIEM is away gives its logs back so they are read again.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, type Emulator } from "../../emulator/index";
import { helper, until } from "../support/red-helper";
import { freePort, streamReceiver, type StreamReceiver } from "../support/receivers";
import { consumerFlow, putSeq, syslogOutNodes } from "../support/sls-fixtures";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import serverNode = require("../../nodes/sls-syslog-server");
import outNode = require("../../nodes/sls-syslog-out");

const LOGSTORE = "siem";
let emu: Emulator;
let rx: StreamReceiver;

before(async () => {
  emu = await start({ port: 0 });
  emu.createLogstore(LOGSTORE, { shards: 4 });
  rx = await streamReceiver({ framing: "octet" });
});
// Not emulatorAndReceiver(): the outage test replaces rx, and the one open at the end is closed.
after(async () => {
  await helper.unload();
  await rx.close();
  await emu.close();
});

/** consumer → sls-syslog-out → the given port, on logstore `logstore`. */
function syslogFlow(
  logstore: string,
  group: string,
  port: number,
  maxInFlight: number,
  ackMode: "delivery" | "emit" = "delivery",
): { flow: object[]; credentials: Record<string, object> } {
  const { flow, credentials } = consumerFlow(emu, { logstore, group, maxInFlight, ackMode, into: "out" });
  return { flow: [...flow, ...syslogOutNodes(port)], credentials };
}

function seqsOf(frames: Buffer[]): number[] {
  return frames.map((f) => Number(/"seq":"(\d+)"/.exec(f.toString("utf8"))?.[1] ?? -1));
}

test("every log reaches the syslog receiver exactly once; checkpoints follow the sink's settlements", { timeout: 60_000 }, async () => {
  putSeq(emu, 0, 2000, 10, 4, LOGSTORE);
  const { flow, credentials } = syslogFlow(LOGSTORE, "syslog", rx.port, 500);
  await helper.load([connNode, consumerNode, serverNode, outNode], flow, credentials);
  await rx.waitFor(2000);
  const ls = emu.getLogstore(LOGSTORE);
  await until(
    () => emu.checkpoints(LOGSTORE, "syslog").every((c) => c.checkpoint === ls.shard(c.shard).cursor(ls.shard(c.shard).endSeq)),
    10_000,
    "checkpoints at the end",
  );
  const seqs = seqsOf(rx.frames);
  assert.equal(seqs.length, 2000, `${seqs.length} frames for 2000 logs (${new Set(seqs).size} distinct)`);
  assert.deepEqual(
    [...seqs].sort((a, b) => a - b),
    Array.from({ length: 2000 }, (_, i) => i),
    "exactly once",
  );
  // The header carries the log's own time (msg.sls.time/timeNs, RFC 5424 keeps 6 fraction digits).
  const f15 = rx.frames.find((f) => f.includes('"seq":"15"'))!.toString("utf8");
  assert.match(f15, /^<134>1 2027-01-15T08:00:15\.000000Z fwd-01 aliyun-sls - - - \{/);
});

test("SIEM outage: the receiver goes away, reading stops at a full window, everything arrives after it returns", { timeout: 60_000 }, async () => {
  const port = rx.port;
  await rx.close();
  putSeq(emu, 2000, 6000, 10, 4, LOGSTORE);
  const cons = helper.getNode("cons") as unknown as { status: { lastCall?: { args: Array<{ text?: string }> } } };
  await until(() => /^waiting for delivery/.test(String(cons.status.lastCall?.args[0]?.text)), 20_000, "waiting for delivery");
  const pulls = emu.faults.add({ actions: ["PullLogs"] });
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(emu.faults.list().find((f) => f.id === pulls)!.hits <= 4, "no pulling while the window is full");
  rx = await streamReceiver({ framing: "octet", port });
  const outage = (): number => new Set(seqsOf(rx.frames).filter((s) => s >= 2000)).size;
  await until(() => outage() >= 4000, 30_000, "the 4000 logs written during the outage");
  assert.ok(seqsOf(rx.frames).every((s) => s >= 0 && s < 6000));
});

test("redeploying only the syslog nodes while the SIEM is away: returned logs are read again, none lost", { timeout: 60_000 }, async () => {
  await helper.unload();
  const logstore = "redeploy";
  emu.createLogstore(logstore, { shards: 2 });
  putSeq(emu, 0, 3000, 10, 2, logstore);
  // The configured SIEM address is wrong: the window fills with claimed, unwritten logs.
  const dead = await freePort();
  const bad = syslogFlow(logstore, "redeploy", dead, 400);
  await helper.load([connNode, consumerNode, serverNode, outNode], bad.flow, bad.credentials);
  const cons = helper.getNode("cons") as unknown as { status: { lastCall?: { args: Array<{ text?: string }> } } };
  await until(() => /^waiting for delivery/.test(String(cons.status.lastCall?.args[0]?.text)), 20_000, "waiting for delivery");
  // The user fixes the address and deploys the modified nodes only: the consumer keeps running.
  const good = await streamReceiver({ framing: "octet" });
  try {
    const fixed = syslogFlow(logstore, "redeploy", good.port, 400);
    await helper.setFlows(fixed.flow, "nodes", fixed.credentials);
    await until(() => new Set(seqsOf(good.frames)).size >= 3000, 30_000, "every log after the fix");
    const seqs = seqsOf(good.frames);
    assert.deepEqual(
      [...new Set(seqs)].sort((a, b) => a - b),
      Array.from({ length: 3000 }, (_, i) => i),
      "no log lost",
    );
    const ls = emu.getLogstore(logstore);
    await until(
      () => emu.checkpoints(logstore, "redeploy").every((c) => c.checkpoint === ls.shard(c.shard).cursor(ls.shard(c.shard).endSeq)),
      10_000,
      "checkpoints at the end",
    );
  } finally {
    await helper.unload();
    await good.close();
  }
});

test(
  "acknowledge on emit, SIEM away: reading stops once the sink holds max in flight unwritten (the checkpoint still follows emission); everything arrives after",
  { timeout: 60_000 },
  async () => {
    await helper.unload();
    const logstore = "emitstop";
    emu.createLogstore(logstore, { shards: 2 });
    putSeq(emu, 0, 5000, 10, 2, logstore);
    const dead = await freePort();
    const f = syslogFlow(logstore, "emitstop", dead, 300, "emit");
    await helper.load([connNode, consumerNode, serverNode, outNode], f.flow, f.credentials);
    const cons = helper.getNode("cons");
    const text = (): string => {
      const calls = (cons.status as unknown as { getCalls(): Array<{ thisValue: unknown; args: Array<{ text?: string }> }> }).getCalls();
      for (let i = calls.length - 1; i >= 0; i--) if (calls[i].thisValue === cons) return String(calls[i].args[0]?.text);
      return "";
    };
    await until(() => /^waiting for delivery/.test(text()), 20_000, "waiting for delivery");
    const pulls = emu.faults.add({ actions: ["PullLogs"] });
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(emu.faults.list().find((x) => x.id === pulls)!.hits <= 2, "no pulling while the sink holds the window");
    // Acknowledge on emit: checkpoints follow emission (they moved although nothing was written).
    const ls = emu.getLogstore(logstore);
    await until(() => emu.checkpoints(logstore, "emitstop").some((c) => c.checkpoint !== ls.shard(c.shard).cursor(0)), 10_000, "a checkpoint past the start");
    const back = await streamReceiver({ framing: "octet", port: dead });
    try {
      await until(() => new Set(seqsOf(back.frames)).size >= 5000, 30_000, "all 5000 logs after the outage");
    } finally {
      await helper.unload();
      await back.close();
    }
  },
);

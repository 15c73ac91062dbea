// Several targets and the EPS cap through the real Node-RED runtime: status names the target in
// use and counts those down, a flow saved with the old secondary receiver still fails over, and
// the cap holds events back (status "rate-limited") without dropping any.

import { test, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { DeliveryWindow } from "../../lib/delivery";
import { streamReceiver } from "../support/receivers";
import { helper, catchNode, serverNode, outNode, statusWhere } from "../support/node-red";
import { until } from "../support/red-helper";
import type { SyslogServerNode } from "../../nodes/types";

afterEach(() => helper.unload());
after(() => helper.stopServer?.());

function flow(server: object, out: object = {}): object[] {
  return [
    { id: "t1", type: "tab" },
    { id: "srv", type: "sls-syslog-server", host: "127.0.0.1", protocol: "tcp", framing: "octet", maxMessageBytes: "8192", version: 2, ...server },
    {
      id: "out",
      z: "t1",
      type: "sls-syslog-out",
      server: "srv",
      format: "rfc5424",
      facility: "local0",
      severity: "notice",
      hostname: "fwd-01",
      appName: "app",
      procId: "",
      msgId: "",
      bom: "never",
      version: 1,
      wires: [],
      ...out,
    },
    { id: "c1", z: "t1", type: "catch", scope: null, uncaught: false, wires: [["sink"]] },
    { id: "sink", z: "t1", type: "helper" },
  ];
}

/** Sends n messages with tokens; returns how many settled as delivered so far. */
function feed(win: DeliveryWindow, n: number, from = 0): () => number {
  let delivered = 0;
  for (let i = from; i < from + n; i++) {
    const token = win.issue(1, (o) => {
      if (o === "delivered") delivered++;
    });
    helper.getNode("out").receive({ payload: `m${i}`, sls: { token } });
  }
  return () => delivered;
}

test("failover targets: status shows the target in use and how many are down; the second takes over; a target coming back is noticed", async () => {
  const a = await streamReceiver();
  const b = await streamReceiver();
  const win = new DeliveryWindow({ maxInFlight: 1000, claimTimeoutMs: 0 });
  await helper.load(
    [serverNode, outNode, catchNode],
    flow({ port: String(a.port), moreTargets: [{ host: "127.0.0.1", port: String(b.port), servername: "" }], mode: "failover", failbackSeconds: "0.2" }),
  );
  const out = helper.getNode("out");
  const srv = helper.getNode("srv") as unknown as SyslogServerNode;
  assert.equal(srv.target, `tcp://127.0.0.1:${a.port} (+1 failover)`);
  let got = feed(win, 10);
  await until(() => got() === 10);
  await a.waitFor(10);
  assert.match((await statusWhere(out, (s) => /→/.test(s.text ?? ""))).text!, new RegExp(`^\\d+/s · q \\d+ · → 127\\.0\\.0\\.1:${a.port}$`));
  const aPort = a.port;
  await a.close();
  await statusWhere(out, (s) => s.fill === "yellow" && (s.text ?? "").includes(`→ 127.0.0.1:${b.port} · 1 down`));
  got = feed(win, 10, 10);
  await until(() => got() === 10);
  await b.waitFor(10);
  const back = await streamReceiver({ port: aPort });
  await until(() => srv.register(out).stats().inUse[0] === `127.0.0.1:${aPort}`, 10_000, "failback");
  const n = out.status.callCount;
  const later = (): Array<{ fill?: string; text?: string }> =>
    out.status
      .getCalls()
      .slice(n)
      .map((c) => c.args[0] as { fill?: string; text?: string });
  await until(
    () => later().some((s) => s.fill === "green" && (s.text ?? "").endsWith(`→ 127.0.0.1:${aPort}`)),
    5000,
    "status: back on the first target, none down",
  );
  got = feed(win, 10, 20);
  await until(() => got() === 10);
  await back.waitFor(10);
  assert.deepEqual(
    back.frames.map((f) => /m(\d+)$/.exec(String(f))![1]),
    Array.from({ length: 10 }, (_, i) => String(20 + i)),
    "failed back: the first target takes new messages again",
  );
  win.close();
  await back.close();
  await b.close();
});

test("a flow saved with the old secondary receiver fields still fails over to it", async () => {
  const b = await streamReceiver();
  const down = await streamReceiver();
  const downPort = down.port;
  await down.close();
  const win = new DeliveryWindow({ maxInFlight: 1000, claimTimeoutMs: 0 });
  // Saved in format 1, before moreTargets: migrated at start.
  await helper.load([serverNode, outNode, catchNode], flow({ port: String(downPort), secondaryHost: "127.0.0.1", secondaryPort: String(b.port), version: 1 }));
  assert.equal((helper.getNode("srv") as unknown as SyslogServerNode).target, `tcp://127.0.0.1:${downPort} (+1 failover)`);
  const got = feed(win, 5);
  await until(() => got() === 5);
  await b.waitFor(5);
  assert.equal(b.frames.length, 5);
  win.close();
  await b.close();
});

test("balance: status counts the targets up; messages spread over them", async () => {
  const rx = await Promise.all([streamReceiver(), streamReceiver()]);
  const win = new DeliveryWindow({ maxInFlight: 1000, claimTimeoutMs: 0 });
  await helper.load(
    [serverNode, outNode, catchNode],
    flow({ port: String(rx[0].port), moreTargets: [{ host: "127.0.0.1", port: String(rx[1].port) }], mode: "balance" }),
  );
  const out = helper.getNode("out");
  await statusWhere(out, (s) => (s.text ?? "").endsWith("2/2 up"));
  const got = feed(win, 20);
  await until(() => got() === 20);
  await until(() => rx[0].frames.length + rx[1].frames.length === 20);
  assert.deepEqual([rx[0].frames.length, rx[1].frames.length], [10, 10]);
  win.close();
  await Promise.all(rx.map((r) => r.close()));
});

test("EPS cap: beyond the burst, messages wait (status rate-limited, tokens unsettled, nothing dropped), then all are delivered", async () => {
  const rx = await streamReceiver();
  const win = new DeliveryWindow({ maxInFlight: 1000, claimTimeoutMs: 0 });
  await helper.load([serverNode, outNode, catchNode], flow({ port: String(rx.port) }, { eps: "40", epsBurst: "5" }));
  const out = helper.getNode("out");
  await statusWhere(out, (s) => s.fill === "green");
  const t0 = Date.now();
  const got = feed(win, 25);
  const s = await statusWhere(out, (x) => (x.text ?? "").startsWith("rate-limited"));
  assert.equal(s.fill, "yellow");
  // An upper bound only (the cap holding), never a speed requirement: 5 at once, then 40 a second.
  const bound = (): number => 5 + Math.ceil(((Date.now() - t0) * 40) / 1000) + 1;
  assert.ok(got() <= bound(), `${got()} delivered, more than the cap allows`);
  assert.ok(win.inFlight > 0, "held-back messages keep their tokens unsettled");
  await until(() => got() === 25);
  assert.ok(rx.frames.length <= 25);
  await rx.waitFor(25);
  assert.equal(rx.frames.length, 25, "nothing dropped");
  win.close();
  await rx.close();
});

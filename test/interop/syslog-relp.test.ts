// RELP faults through a real Node-RED runtime: a real imrelp that stops answering (SIGSTOP: the
// window fills, the source stops, nothing grows), a collector that answers errors, and a collector
// whose certificate nobody vouches for. The kill mid-stream is in syslog-faults.test.ts.

import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { helper, statusWhere, type TestNode } from "../support/node-red";
import { startRsyslog, type Rsyslog } from "../support/rsyslog";
import { sharedPki } from "../support/certs";
import { auditRecord, loadSyslogFlow, seqOf, TokenFeeder } from "../support/syslog-flow";
import { until } from "../support/until";
import { relpServer } from "../support/relp-server";
import { DeliveryWindow } from "../../lib/delivery";
import type { SyslogServerNode } from "../../nodes/types";

afterEach(() => helper.unload());

const getPki = sharedPki;
const record = auditRecord;
const seqs = (rs: Rsyslog): number[] => rs.readRecords().map((r) => seqOf(r.structuredData));

test("RELP: an imrelp that stops answering (SIGSTOP): the window fills, the source stops, nothing grows; SIGCONT: all delivered once", async (t) => {
  const rs = await startRsyslog({ protocol: "relp" });
  const MAX_IN_FLIGHT = 400;
  const win = new DeliveryWindow({ maxInFlight: MAX_IN_FLIGHT, claimTimeoutMs: 0 });
  let settled = 0;
  let fed = 0;
  let stop = false;
  try {
    await loadSyslogFlow({ port: rs.port, protocol: "relp", server: { relpWindow: "64", maxQueueMessages: "100" } });
    const out = helper.getNode("out");
    // The source as sls-consumer drives it: wait for room in the delivery window, then emit.
    void (async () => {
      while (!stop && fed < 5000) {
        await win.waitForRoom();
        if (stop) break;
        const token = win.issue(1, (o) => {
          if (o === "delivered") settled++;
        });
        out.receive({ ...record(fed), sls: { token } });
        fed++;
        if (fed % 50 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    await until(() => settled >= 300, 20_000, "300 delivered");
    rs.signal("SIGSTOP");
    // Whatever was in flight when it stopped drains into the stopped process's socket, and answers
    // rsyslog wrote just before the signal still arrive; then nothing moves. Stopped = a full window
    // and no new emission for 250 ms (one 10 ms poll was too short: answers read a moment later
    // made room for 14 more, seen once in CI).
    let last = -1;
    let since = Date.now();
    await until(
      () => {
        if (fed !== last) {
          last = fed;
          since = Date.now();
        }
        return win.full && Date.now() - since >= 250;
      },
      10_000,
      "the source to stop on a full window",
    );
    const fedAtStop = fed;
    const heapBefore = process.memoryUsage().heapUsed;
    await new Promise((r) => setTimeout(r, 600));
    const sender = (helper.getNode("srv") as unknown as SyslogServerNode).register(helper.getNode("out"));
    const st = sender.stats();
    t.diagnostic(
      `stopped: fed ${fed}, settled ${settled}, in flight ${win.inFlight}, sender queued ${st.queued}, waiting ${st.waiting}, heap ${(process.memoryUsage().heapUsed - heapBefore) >> 10} KiB more after 600 ms`,
    );
    assert.equal(fed, fedAtStop, "the source emits nothing while the collector is silent");
    assert.equal(win.inFlight, MAX_IN_FLIGHT, "the delivery window is full");
    assert.ok(st.queued <= 100, "the sender's queue holds its bound");
    assert.equal(st.queued + st.waiting + settled, fed, "every message is queued, waiting or delivered: nothing dropped");
    rs.signal("SIGCONT");
    await until(() => fed >= 5000 && settled === fed, 30_000, "all 5000 delivered");
    const got = seqs(rs);
    assert.equal(got.length, 5000, "once each: nothing was resent");
    assert.deepEqual(
      got,
      Array.from({ length: 5000 }, (_, i) => i),
      "in order",
    );
  } finally {
    stop = true;
    win.close();
    rs.signal("SIGCONT");
    await helper.unload();
    await rs.stop();
  }
});

test("RELP: a collector that answers 500: red status 'collector error', one logged error naming it, tokens unsettled; then delivered once it accepts", async () => {
  const srv = await relpServer();
  let accept = false;
  srv.answer = () => (accept ? "ok" : "error");
  const feeder = new TokenFeeder();
  try {
    await loadSyslogFlow({ port: srv.port, protocol: "relp" });
    const out = helper.getNode("out") as TestNode;
    for (let i = 0; i < 5; i++) feeder.send(i, record(i));
    const s = await statusWhere(out, (x) => x.fill === "red");
    assert.deepEqual(s, { fill: "red", shape: "ring", text: "sls-syslog-out.status.fault.collector-error" });
    await until(() => srv.frames.filter((f) => f.command === "open").length >= 3, 20_000, "two reconnects");
    assert.equal(feeder.outcomes.size, 0, "an error answer settles nothing");
    const errors = out.error.args.map((a: unknown[]) => String(a[0]));
    assert.equal(errors.length, 1, "each distinct problem is logged once, not every retry");
    assert.match(errors[0], new RegExp(`^syslog relp://127\\.0\\.0\\.1:${srv.port}: RELP 127\\.0\\.0\\.1:${srv.port}: collector answered 500 not accepted$`));
    accept = true;
    await feeder.waitAll([0, 1, 2, 3, 4]);
    assert.equal(feeder.delivered().length, 5);
    await statusWhere(out, (x) => x.fill === "green");
  } finally {
    feeder.close();
    await helper.unload();
    await srv.close();
  }
});

test("RELP over TLS: an imrelp whose certificate nobody vouches for is refused by default, nothing sent", async () => {
  const p = getPki();
  const rs = await startRsyslog({ protocol: "relp", tls: { caFile: p.caFile, certFile: p.rogueCertFile, keyFile: p.rogueKeyFile } });
  const feeder = new TokenFeeder();
  try {
    await loadSyslogFlow({
      port: rs.port,
      protocol: "relp",
      server: { relpTls: true, caFile: p.caFile },
      credentials: { cert: p.clientCert, key: p.clientKey },
    });
    const out = helper.getNode("out") as TestNode;
    feeder.send(1, record(1));
    const s = await statusWhere(out, (x) => x.fill === "red");
    assert.deepEqual(s, { fill: "red", shape: "ring", text: "sls-syslog-out.status.fault.certificate" });
    assert.match(String(out.error.args[0][0]), new RegExp(`RELP/TLS 127\\.0\\.0\\.1:${rs.port}: receiver certificate rejected`));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(feeder.outcomes.size, 0);
    assert.equal(rs.readRecords().length, 0);
  } finally {
    feeder.close();
    await helper.unload();
    await rs.stop();
  }
});

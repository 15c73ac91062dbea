// Faults against a real rsyslogd: receiver killed and restarted mid-stream (TCP, TLS, RELP and
// RELP over TLS), untrusted and mismatched certificates, and the queue bound during an outage.

import { test, afterEach, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { helper, statusWhere, type TestNode } from "../support/node-red";
import { startRsyslog, type Rsyslog } from "../support/rsyslog";
import { sharedPki } from "../support/certs";
import { auditRecord, loadSyslogFlow, seqOf, TokenFeeder, type FlowOptions } from "../support/syslog-flow";
import { until } from "../support/until";
import type { SyslogServerNode } from "../../nodes/types";

afterEach(() => helper.unload());

const getPki = sharedPki;
const record = auditRecord;

/**
 * Streams 1500 messages, SIGKILLs rsyslogd after 400 deliveries and restarts it. Every token must
 * settle as delivered and every settled message be in rsyslog's output. With `relpWindow` (RELP:
 * settled only on rsyslog's answer) they must be there at once, and duplicates stay within the window.
 */
async function killMidStream(rs: Rsyslog, flow: Omit<FlowOptions, "port">, relp?: { t: TestContext; window: number }): Promise<void> {
  const N = 1500;
  const feeder = new TokenFeeder();
  try {
    await loadSyslogFlow({ ...flow, port: rs.port, server: { ...flow.server } });
    const out = helper.getNode("out") as TestNode;
    let seq = 0;
    let atKill = 0;
    const pump = setInterval(() => {
      for (let k = 0; k < 15 && seq < N; k++, seq++) feeder.send(seq, record(seq));
    }, 2);
    try {
      await until(() => feeder.delivered().length >= 400, 20_000, "400 deliveries before the kill");
      atKill = feeder.delivered().length;
      await rs.stop("SIGKILL");
      await statusWhere(out, (s) => s.fill === "red");
      await new Promise((r) => setTimeout(r, 150)); // messages keep arriving during the outage
      await rs.restart();
      await until(() => seq >= N, 20_000, "all messages fed");
    } finally {
      clearInterval(pump);
    }
    const all = Array.from({ length: N }, (_, i) => i);
    await feeder.waitAll(all);
    assert.equal(feeder.delivered().length, N, "every token settled as delivered, none failed");
    if (relp) {
      const got = rs.readRecords().map((r) => seqOf(r.structuredData));
      const unique = new Set(got);
      assert.deepEqual(
        all.filter((s) => !unique.has(s)),
        [],
        "0 lost: each settled message was in the output when it settled",
      );
      const duplicates = got.length - unique.size;
      const resent = (helper.getNode("srv") as unknown as SyslogServerNode).register(out).stats().resent;
      relp.t.diagnostic(
        `sent ${N}, received ${got.length}, unique ${unique.size}, duplicates ${duplicates}, resent ${resent} (unanswered at the kill), window ${relp.window}, delivered at the kill ${atKill}`,
      );
      assert.ok(duplicates <= relp.window, `${duplicates} duplicates, more than the window of ${relp.window}`);
    }
    // Every settled message is in rsyslog's output (duplicates from the replay are allowed).
    let missing: number[] = [];
    await until(
      () => {
        const got = new Set(rs.readRecords().map((r) => seqOf(r.structuredData)));
        missing = all.filter((s) => !got.has(s));
        return missing.length === 0;
      },
      10_000,
      "all settled messages in rsyslog's output",
    ).catch(() => assert.fail(`${missing.length} settled messages missing, e.g. ${missing.slice(0, 10)}`));
    await statusWhere(out, (s) => s.fill === "green");
  } finally {
    feeder.close();
    await helper.unload();
    await rs.stop();
  }
}

test("TCP: rsyslogd killed (SIGKILL) and restarted mid-stream: the sender reconnects and no settled message is missing", async () => {
  await killMidStream(await startRsyslog({ protocol: "tcp" }), { protocol: "tcp" });
});

test("TLS: rsyslogd killed and restarted mid-stream: reconnects and no settled message is missing", async () => {
  const p = getPki();
  const rs = await startRsyslog({ protocol: "tls", tls: { caFile: p.caFile, certFile: p.serverCertFile, keyFile: p.serverKeyFile } });
  await killMidStream(rs, { protocol: "tls", server: { caFile: p.caFile } });
});

test("RELP: rsyslogd (imrelp) SIGKILLed mid-stream and restarted: 0 lost, duplicates within the window", async (t) => {
  await killMidStream(await startRsyslog({ protocol: "relp" }), { protocol: "relp", server: { relpWindow: "128" } }, { t, window: 128 });
});

test("RELP over TLS: rsyslogd (imrelp, client certificate checked) SIGKILLed mid-stream and restarted: 0 lost, duplicates within the window", async (t) => {
  const p = getPki();
  const rs = await startRsyslog({ protocol: "relp", tls: { caFile: p.caFile, certFile: p.serverCertFile, keyFile: p.serverKeyFile, mutual: true } });
  const flow = {
    protocol: "relp" as const,
    server: { relpWindow: "128", relpTls: true, caFile: p.caFile },
    credentials: { cert: p.clientCert, key: p.clientKey },
  };
  await killMidStream(rs, flow, { t, window: 128 });
});

test("TLS receiver with a certificate nobody vouches for: refused by default, clear status and error, nothing sent", async () => {
  const p = getPki();
  const rs = await startRsyslog({ protocol: "tls", tls: { caFile: p.caFile, certFile: p.rogueCertFile, keyFile: p.rogueKeyFile } });
  const feeder = new TokenFeeder();
  try {
    await loadSyslogFlow({ port: rs.port, protocol: "tls", server: { caFile: p.caFile } });
    const out = helper.getNode("out") as TestNode;
    feeder.send(1, record(1));
    const s = await statusWhere(out, (x) => x.fill === "red");
    assert.deepEqual(s, { fill: "red", shape: "ring", text: "sls-syslog-out.status.fault.certificate" });
    assert.match(String(out.error.args[0][0]), new RegExp(`TLS 127\\.0\\.0\\.1:${rs.port}: receiver certificate rejected \\(self.signed certificate\\)`));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(feeder.outcomes.size, 0, "the token stays claimed and unsettled: the shard stalls instead of losing data");
    assert.equal(rs.readRecords().length, 0);
  } finally {
    feeder.close();
    await helper.unload();
    await rs.stop();
  }
});

test("mutual TLS receiver and no client certificate: handshake refused, clear status, nothing sent", async () => {
  const p = getPki();
  const rs = await startRsyslog({ protocol: "tls", tls: { caFile: p.caFile, certFile: p.serverCertFile, keyFile: p.serverKeyFile, mutual: true } });
  const feeder = new TokenFeeder();
  try {
    await loadSyslogFlow({ port: rs.port, protocol: "tls", credentials: { ca: p.ca } });
    const out = helper.getNode("out") as TestNode;
    feeder.send(1, record(1));
    await statusWhere(out, (x) => x.fill === "red");
    assert.match(String(out.error.args[0][0]), new RegExp(`TLS 127\\.0\\.0\\.1:${rs.port}: `));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(feeder.outcomes.size, 0);
    assert.equal(rs.readRecords().length, 0, "not one message got through without a client certificate");
  } finally {
    feeder.close();
    await helper.unload();
    await rs.stop();
  }
});

test("outage: the queue bound holds (backpressure, nothing dropped), then everything is delivered once rsyslogd is back", async () => {
  const rs = await startRsyslog({ protocol: "tcp" });
  await rs.stop();
  const feeder = new TokenFeeder();
  try {
    await loadSyslogFlow({ port: rs.port, protocol: "tcp", server: { maxQueueMessages: "50" } });
    const out = helper.getNode("out") as TestNode;
    for (let i = 0; i < 200; i++) feeder.send(i, record(i));
    await statusWhere(out, (x) => x.fill === "red");
    await new Promise((r) => setTimeout(r, 200));
    const sender = (helper.getNode("srv") as unknown as SyslogServerNode).register(out);
    const st = sender.stats();
    assert.equal(st.queued, 50, "the queue holds exactly its bound");
    assert.equal(st.waiting, 150, "the rest waits in order");
    assert.equal(feeder.outcomes.size, 0, "nothing settled, nothing dropped");
    await rs.restart();
    await feeder.waitAll(Array.from({ length: 200 }, (_, i) => i));
    assert.equal(feeder.delivered().length, 200);
    const recs = await rs.waitFor(200);
    assert.deepEqual(
      recs.map((r) => seqOf(r.structuredData)),
      Array.from({ length: 200 }, (_, i) => i),
      "in order, once",
    );
  } finally {
    feeder.close();
    await helper.unload();
    await rs.stop();
  }
});

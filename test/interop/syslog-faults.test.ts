// Faults against a real rsyslogd: receiver killed and restarted mid-stream, untrusted and
// mismatched certificates, and the queue bound during an outage.

import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { helper, statusWhere, type TestNode } from "../support/node-red";
import { startRsyslog, type Rsyslog } from "../support/rsyslog";
import { makePki, type TestPki } from "../support/certs";
import { loadSyslogFlow, TokenFeeder, type FlowOptions } from "../support/syslog-flow";
import type { SyslogServerNode } from "../../nodes/types";

afterEach(() => helper.unload());

let pki: TestPki | undefined;
const getPki = (): TestPki => (pki ??= makePki());
process.once("exit", () => pki?.cleanup());

const until = async (cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const record = (seq: number): Record<string, unknown> => ({
  payload: `audit event ${seq} user=u${seq % 17} action=read object=oss://bucket/key/${seq}`,
  syslog: { msgId: "AUDIT", structuredData: { "sls@32473": { seq } } },
});

async function killMidStream(rs: Rsyslog, flow: Omit<FlowOptions, "port">): Promise<void> {
  const N = 1500;
  const feeder = new TokenFeeder();
  try {
    await loadSyslogFlow({ ...flow, port: rs.port, server: { ...flow.server } });
    const out = helper.getNode("out") as TestNode;
    let seq = 0;
    const pump = setInterval(() => {
      for (let k = 0; k < 15 && seq < N; k++, seq++) feeder.send(seq, record(seq));
    }, 2);
    try {
      await until(() => feeder.delivered().length >= 400, "400 deliveries before the kill");
      await rs.stop("SIGKILL");
      await statusWhere(out, (s) => s.fill === "red");
      await new Promise((r) => setTimeout(r, 150)); // messages keep arriving during the outage
      await rs.restart();
      await until(() => seq >= N, "all messages fed");
    } finally {
      clearInterval(pump);
    }
    const all = Array.from({ length: N }, (_, i) => i);
    await feeder.waitAll(all);
    assert.equal(feeder.delivered().length, N, "every token settled as delivered, none failed");
    // Every settled message is in rsyslog's output (duplicates from the replay are allowed).
    let missing: number[] = [];
    await until(() => {
      const got = new Set(rs.readRecords().map((r) => Number(/seq="(\d+)"/.exec(r.structuredData)?.[1])));
      missing = all.filter((s) => !got.has(s));
      return missing.length === 0;
    }, "all settled messages in rsyslog's output", 10_000).catch(() => assert.fail(`${missing.length} settled messages missing, e.g. ${missing.slice(0, 10)}`));
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

test("TLS receiver with a certificate nobody vouches for: refused by default, clear status and error, nothing sent", async () => {
  const p = getPki();
  const rs = await startRsyslog({ protocol: "tls", tls: { caFile: p.caFile, certFile: p.rogueCertFile, keyFile: p.rogueKeyFile } });
  const feeder = new TokenFeeder();
  try {
    await loadSyslogFlow({ port: rs.port, protocol: "tls", server: { caFile: p.caFile } });
    const out = helper.getNode("out") as TestNode;
    feeder.send(1, record(1));
    const s = await statusWhere(out, (x) => x.fill === "red");
    assert.deepEqual(s, { fill: "red", shape: "ring", text: "bad certificate" });
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
    assert.deepEqual(recs.map((r) => Number(/seq="(\d+)"/.exec(r.structuredData)?.[1])), Array.from({ length: 200 }, (_, i) => i), "in order, once");
  } finally {
    feeder.close();
    await helper.unload();
    await rs.stop();
  }
});

// sls-syslog-out → real rsyslogd, field by field, over every transport and framing.

import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { helper } from "../support/node-red";
import { startRsyslog, type RsyslogOptions, type RsyslogRecord } from "../support/rsyslog";
import { sharedPki } from "../support/certs";
import { parseRfc5424 } from "../support/rfc5424-parser";
import { loadSyslogFlow, TokenFeeder, type FlowOptions } from "../support/syslog-flow";

afterEach(() => helper.unload());

const N = 300;
// RFC 5424's facility names by code, written out here on purpose rather than taken from
// lib/syslog/facility-severity.ts: a wrong entry there must fail this test, not pass it.
const FACILITIES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "audit",
  "alert",
  "clock2",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
];
const BASE = 1714979289;

interface Case {
  seq: number;
  msg: Record<string, unknown>;
  expect: {
    pri: number;
    timestamp: string;
    hostname: string;
    appName: string;
    procId: string;
    msgId: string;
    sd: Array<{ id: string; params: Array<[string, string]> }>;
    text: string;
  };
}

/** N varied records: every facility and severity (names and numbers, 0 included), escapes, Unicode, tabs, newlines. */
function cases(lf: boolean): Case[] {
  const out: Case[] = [];
  for (let seq = 0; seq < N; seq++) {
    const fac = seq % 24;
    const sev = seq % 8;
    const nanos = (seq * 7919) % 1_000_000_000;
    const micros = Math.floor(nanos / 1000);
    const ts = new Date((BASE + seq) * 1000).toISOString().slice(0, 19) + (nanos ? "." + String(micros).padStart(6, "0") : "") + "Z";
    const weird = ['quote " here', "back\\slash", "bracket ] end", "中文 ✓ 😀", "tab\there", "eq=sign [x]"][seq % 6];
    let text = seq % 5 === 0 ? `用户 u${seq} 登录 ✓` : `user=u${seq} action=login result=ok`;
    if (seq % 7 === 0) text += "\nsecond line\r\nthird";
    const host = seq % 3 === 0 ? `host ${seq}.example.com` : `host-${seq}.example.com`;
    const msg = {
      payload: text,
      syslog: {
        facility: seq % 2 ? FACILITIES[fac] : fac,
        severity: sev,
        hostname: host,
        procId: seq % 4 === 0 ? undefined : String(1000 + seq),
        msgId: `EVT${seq % 10}`,
        structuredData: { "sls@32473": { seq, project: "p1", logstore: "audit", v: weird }, ...(seq % 2 ? { meta: { sequenceId: seq + 1 } } : {}) },
      },
      sls: { time: BASE + seq, timeNs: nanos },
    };
    const sd: Case["expect"]["sd"] = [
      {
        id: "sls@32473",
        params: [
          ["seq", String(seq)],
          ["project", "p1"],
          ["logstore", "audit"],
          ["v", weird],
        ],
      },
    ];
    if (seq % 2) sd.push({ id: "meta", params: [["sequenceId", String(seq + 1)]] });
    const wire = lf ? text.replace(/\r/g, "\\r").replace(/\n/g, "\\n") : text;
    out.push({
      seq,
      msg,
      expect: {
        pri: fac * 8 + sev,
        timestamp: ts,
        hostname: host.replace(/ /g, "_"),
        appName: "aliyun-sls",
        procId: seq % 4 === 0 ? "-" : String(1000 + seq),
        msgId: `EVT${seq % 10}`,
        sd,
        text: (/[^\x00-\x7f]/.test(text) ? "\ufeff" : "") + wire,
      },
    });
  }
  return out;
}

function seqOf(r: RsyslogRecord): number {
  const m = /\bseq="(\d+)"/.exec(r.structuredData);
  assert.ok(m, `no seq in ${r.raw}`);
  return Number(m[1]);
}

async function roundTrip(rsOpts: RsyslogOptions, flow: Omit<FlowOptions, "port" | "protocol">): Promise<void> {
  const rs = await startRsyslog(rsOpts);
  const feeder = new TokenFeeder();
  try {
    const lf = flow.framing === "lf";
    await loadSyslogFlow({ ...flow, port: rs.port, protocol: rsOpts.protocol });
    const all = cases(lf);
    if (rsOpts.protocol === "udp") {
      // UDP has no flow control: a starved rsyslogd (busy CI) would overflow its socket buffer and
      // the kernel would drop datagrams. Feed it in steps it has confirmed, so the test is exact.
      for (let i = 0; i < all.length; i += 50) {
        for (const c of all.slice(i, i + 50)) feeder.send(c.seq, c.msg);
        await rs.waitFor(Math.min(all.length, i + 50));
      }
    } else for (const c of all) feeder.send(c.seq, c.msg);
    await feeder.waitAll(all.map((c) => c.seq));
    assert.equal(feeder.delivered().length, N, "every token settled as delivered");
    const recs = await rs.waitFor(N);
    assert.equal(recs.length, N, "no duplicates, nothing extra");
    const bySeq = new Map(recs.map((r) => [seqOf(r), r]));
    assert.equal(bySeq.size, N);
    for (const c of all) {
      const r = bySeq.get(c.seq)!;
      const e = c.expect;
      const where = `seq ${c.seq}: ${r.raw}`;
      assert.equal(Number(r.pri), e.pri, where);
      assert.equal(Number(r.facility) * 8 + Number(r.severity), e.pri, where);
      assert.equal(r.protocolVersion, "1", where);
      assert.equal(r.timestamp, e.timestamp, where);
      assert.equal(r.hostname, e.hostname, where);
      assert.equal(r.appName, e.appName, where);
      assert.equal(r.procId, e.procId, where);
      assert.equal(r.msgId, e.msgId, where);
      assert.deepEqual(parseRfc5424(`<0>1 - - - - - ${r.structuredData}`).structuredData, e.sd, where);
      assert.equal(r.msg, e.text, where);
      // And the bytes rsyslog received pass our strict parser.
      parseRfc5424(r.raw);
    }
  } finally {
    feeder.close();
    await helper.unload();
    await rs.stop();
  }
}

test("UDP: 300 messages, every field as rsyslog parsed it", async () => {
  await roundTrip({ protocol: "udp" }, {});
});

test("TCP octet-counted (imtcp): 300 messages field by field, multi-line text intact", async () => {
  await roundTrip({ protocol: "tcp" }, { framing: "octet" });
});

test("TCP octet-counted (imptcp): 300 messages field by field", async () => {
  await roundTrip({ protocol: "tcp", input: "imptcp" }, { framing: "octet" });
});

test("TCP LF framing: 300 messages, line breaks escaped so each stays one event", async () => {
  await roundTrip({ protocol: "tcp" }, { framing: "lf" });
});

const getPki = sharedPki;

test("TLS (ossl driver), CA from a file, server name check by IP + servername: 300 messages", async () => {
  const p = getPki();
  await roundTrip(
    { protocol: "tls", tls: { caFile: p.caFile, certFile: p.serverCertFile, keyFile: p.serverKeyFile } },
    { server: { caFile: p.caFile, servername: "localhost" } },
  );
});

test("mutual TLS (x509/certvalid), PEM material from credentials: 300 messages", async () => {
  const p = getPki();
  await roundTrip(
    { protocol: "tls", tls: { caFile: p.caFile, certFile: p.serverCertFile, keyFile: p.serverKeyFile, mutual: true } },
    { credentials: { ca: p.ca, cert: p.clientCert, key: p.clientKey } },
  );
});

test("RELP (imrelp): 300 messages field by field, each settled by rsyslog's answer", async () => {
  await roundTrip({ protocol: "relp" }, {});
});

test("RELP over TLS (imrelp, librelp's OpenSSL driver, client certificate checked): 300 messages", async () => {
  const p = getPki();
  await roundTrip(
    { protocol: "relp", tls: { caFile: p.caFile, certFile: p.serverCertFile, keyFile: p.serverKeyFile, mutual: true } },
    { server: { relpTls: true, caFile: p.caFile }, credentials: { cert: p.clientCert, key: p.clientKey } },
  );
});

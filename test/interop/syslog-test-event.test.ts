// "Send test event" of the sls-syslog-server dialog through the real runtime to a real rsyslogd:
// over TCP, TLS (verified, then a wrong CA reported clearly), mutual TLS with the stored client key
// (used for the saved targets only, never towards another) and RELP (acknowledged).
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import fs from "node:fs";
import { helper } from "../support/node-red";
import { helper as redHelper } from "../support/red-helper";
import { startRsyslog, type Rsyslog } from "../support/rsyslog";
import { sharedPki } from "../support/certs";
import serverNode = require("../../nodes/sls-syslog-server");

interface Result {
  target: string;
  via: string;
  ok: boolean;
  connected?: { address: string; port: number };
  tls?: { verified: boolean; protocol: string; subject?: string; issuer?: string };
  bytes?: number;
  acknowledged?: boolean;
  error?: { code?: string; message: string };
}
interface Reply {
  ok: boolean;
  id?: string;
  message?: string;
  results?: Result[];
  code?: string;
}

const started: Rsyslog[] = [];
before(() => helper.startServer());
afterEach(() => helper.unload());
after(async () => {
  await Promise.all(started.map((r) => r.stop()));
  await helper.stopServer();
});

async function rsyslog(o: Parameters<typeof startRsyslog>[0]): Promise<Rsyslog> {
  const r = await startRsyslog(o);
  started.push(r);
  return r;
}

async function post(body: object): Promise<Reply> {
  const r = await redHelper.request().post("/sls-syslog-server/test").send(body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as Reply;
}

/** A server node as the dialog saves it (format 2), plus `over`. */
const server = (id: string, over: Record<string, unknown>): Record<string, unknown> => ({
  id,
  type: "sls-syslog-server",
  name: `${id} server`,
  host: "127.0.0.1",
  protocol: "tcp",
  framing: "octet",
  relpTls: false,
  relpWindow: "128",
  rejectUnauthorized: true,
  servername: "",
  caFile: "",
  certFile: "",
  keyFile: "",
  moreTargets: [],
  mode: "failover",
  failbackSeconds: "30",
  maxQueueMessages: "10000",
  maxQueueMB: "16",
  maxMessageBytes: "8192",
  version: 2,
  ...over,
});

/** The dialog's request for a node: its settings, plus the credential fields as the dialog shows them. */
const request = (n: Record<string, unknown>, creds: Record<string, unknown> = {}): object => {
  const { type: _t, ...settings } = n;
  void _t;
  return { ...settings, ca: "", cert: "", key: "", passphrase: "", ...creds };
};

test("TCP: the test event reaches rsyslog, RFC 5424 with MSGID TEST and the id to look for", { timeout: 60_000 }, async () => {
  const rs = await rsyslog({ protocol: "tcp" });
  const n = server("tcp", { port: String(rs.port) });
  await helper.load([serverNode], [n]);
  const r = await post(request(n));
  assert.equal(r.ok, true, JSON.stringify(r));
  const [res] = r.results!;
  assert.equal(res.via, `TCP 127.0.0.1:${rs.port}`);
  assert.deepEqual(res.connected, { address: "127.0.0.1", port: rs.port });
  assert.equal(res.bytes, Buffer.byteLength(r.message!) + String(Buffer.byteLength(r.message!)).length + 1, "the octet-counted frame");
  const [rec] = await rs.waitFor(1);
  assert.equal(rec.msgId, "TEST");
  assert.equal(rec.appName, "node-red");
  assert.equal(rec.pri, "13");
  assert.match(rec.msg, new RegExp(`test event ${r.id} from Node-RED sls-syslog-server "tcp server"`));
  // JSON only: a form post is refused before anything is sent.
  const form = await (redHelper.request().post("/sls-syslog-server/test") as unknown as { type(t: string): { send(b: object): Promise<{ status: number }> } })
    .type("form")
    .send(request(n));
  assert.equal(form.status, 415);
  assert.equal(rs.readRecords().length, 1);
});

test(
  "TLS: verified against the CA (protocol, subject, issuer); a wrong CA is reported as a rejected certificate and nothing is sent",
  { timeout: 60_000 },
  async () => {
    const pki = sharedPki();
    const rs = await rsyslog({ protocol: "tls", tls: { caFile: pki.caFile, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile } });
    const n = server("tls", { protocol: "tls", port: String(rs.port) });
    await helper.load([serverNode], [n], { tls: { ca: pki.ca } });
    const good = await post(request(n, { ca: pki.ca }));
    assert.equal(good.ok, true, JSON.stringify(good));
    const tls = good.results![0].tls!;
    assert.equal(tls.verified, true);
    assert.match(tls.protocol, /^TLSv1\.[23]$/);
    assert.deepEqual([tls.subject, tls.issuer], ["localhost", "sls test CA"]);
    await rs.waitFor(1);

    const wrong = await post(request(n, { ca: fs.readFileSync(pki.rogueCertFile, "utf8") }));
    assert.equal(wrong.ok, false);
    const e = wrong.results![0];
    assert.equal(e.ok, false);
    // rsyslog sends its certificate with the CA that signed it: not the one configured.
    assert.equal(e.error!.code, "SELF_SIGNED_CERT_IN_CHAIN");
    assert.equal(e.error!.message, `TLS 127.0.0.1:${rs.port}: receiver certificate rejected (self-signed certificate in certificate chain)`);
    assert.equal(e.bytes, undefined, "nothing written");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rs.readRecords().length, 1, "only the verified test event arrived");
  },
);

test(
  "mutual TLS with the stored client key: used for the saved target, refused towards any other (which sees no connection)",
  { timeout: 60_000 },
  async () => {
    const pki = sharedPki();
    const rs = await rsyslog({ protocol: "tls", tls: { caFile: pki.caFile, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, mutual: true } });
    const n = server("mtls", { protocol: "tls", port: String(rs.port) });
    await helper.load([serverNode], [n], { mtls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } });
    const ok = await post(request(n, { ca: pki.ca, cert: pki.clientCert, key: "__PWRD__" }));
    assert.equal(ok.ok, true, JSON.stringify(ok));
    await rs.waitFor(1);

    // A listener standing in for someone else's collector.
    let connections = 0;
    const trap = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    trap.listen(0, "127.0.0.1");
    await once(trap, "listening");
    const trapPort = (trap.address() as AddressInfo).port;
    try {
      for (const body of [
        request({ ...n, port: String(trapPort) }, { ca: pki.ca, cert: pki.clientCert, key: "__PWRD__" }),
        request({ ...n, moreTargets: [{ host: "127.0.0.1", port: String(trapPort), servername: "" }] }, { ca: pki.ca, cert: pki.clientCert, key: "__PWRD__" }),
        request({ ...n, servername: "elsewhere.example" }, { ca: pki.ca, cert: pki.clientCert, key: "__PWRD__" }),
        request({ ...n, id: "not-deployed" }, { ca: pki.ca, cert: pki.clientCert, key: "__PWRD__" }),
        request({ ...n, port: String(trapPort), keyFile: pki.clientKeyFile }, { ca: pki.ca, cert: pki.clientCert, key: "" }),
      ]) {
        const r = await post(body);
        assert.deepEqual([r.ok, r.code], [false, "StoredCredentialsRefused"], JSON.stringify(r));
      }
      // The key typed in the dialog may go anywhere: it is not a stored secret.
      const typed = await post(request({ ...n, port: String(trapPort) }, { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey }));
      assert.equal(typed.ok, false);
      assert.equal(connections, 1, "only the request with a typed key reached the other listener");
    } finally {
      trap.close();
    }
    assert.equal(rs.readRecords().length, 1);
  },
);

test("RELP: the collector acknowledges the test event", { timeout: 60_000 }, async () => {
  const rs = await rsyslog({ protocol: "relp" });
  const n = server("relp", { protocol: "relp", port: String(rs.port) });
  await helper.load([serverNode], [n]);
  const r = await post(request(n));
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.results![0].acknowledged, true);
  assert.equal(r.results![0].via, `RELP 127.0.0.1:${rs.port}`);
  const [rec] = await rs.waitFor(1);
  assert.match(rec.msg, new RegExp(r.id!));
});

test("every target gets its own test event; a target that refuses is named with its error", { timeout: 60_000 }, async () => {
  const rs = await rsyslog({ protocol: "tcp" });
  const closed = net.createServer();
  closed.listen(0, "127.0.0.1");
  await once(closed, "listening");
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const n = server("two", { port: String(rs.port), moreTargets: [{ host: "127.0.0.1", port: String(deadPort), servername: "" }] });
  await helper.load([serverNode], [n]);
  const r = await post(request(n));
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.results!.map((x) => [x.target, x.ok]),
    [
      [`127.0.0.1:${rs.port}`, true],
      [`127.0.0.1:${deadPort}`, false],
    ],
  );
  assert.deepEqual(r.results![1].error, { code: "ECONNREFUSED", message: `TCP 127.0.0.1:${deadPort}: connection refused` });
  await rs.waitFor(1);
  // Settings the node would refuse are refused with its own message.
  const bad = await post(request({ ...n, port: "70000" }));
  assert.equal(bad.code, "ParameterInvalid");
  assert.match(JSON.stringify(bad), /port \\"70000\\": must be a whole number from 1 to 65535/);
});

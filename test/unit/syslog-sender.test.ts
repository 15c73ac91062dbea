import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { once } from "node:events";
import { SyslogSender, SendError } from "../../lib/syslog/sender";
import { lfFrame, octetFrame } from "../../lib/syslog/framing";
import { backoffDelay } from "../../lib/backoff";
import { Fifo } from "../../lib/syslog/fifo";
import { FrameReader } from "../support/frame-reader";
import { streamReceiver, udpReceiver, freePort } from "../support/receivers";
import { makePki } from "../support/certs";
import { waitState } from "../support/sender-state";

const msgs = (n: number, prefix = "m"): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`<14>1 - - - - - - ${prefix}${i}`));
const fast = { initialMs: 10, maxMs: 50 };


test("framing: octet counting counts bytes; LF framing escapes CR, LF and NUL so nothing can forge a frame", () => {
  assert.equal(octetFrame(Buffer.from("<14>1 - - - - - -")).toString(), "17 <14>1 - - - - - -");
  assert.equal(octetFrame(Buffer.from("é")).toString(), "2 é");
  const forged = Buffer.from("a\n<34>1 x\r\n\u0000b");
  const f = lfFrame(forged);
  assert.equal(f.toString(), "a\\n<34>1 x\\r\\n\\0b\n");
  assert.equal(f.indexOf(0x0a), f.length - 1, "the only LF is the trailer");
  assert.equal(new FrameReader("lf").push(Buffer.concat([f, lfFrame(Buffer.from("ok"))])).length, 2);
  const r = new FrameReader("octet");
  assert.deepEqual(r.push(Buffer.concat([octetFrame(Buffer.from("a\nb")), octetFrame(Buffer.from("c"))])).map(String), ["a\nb", "c"]);
});

test("backoff is exponential, capped and jittered; Fifo keeps order", () => {
  const o = { initialMs: 100, maxMs: 1000, jitter: 0.5 };
  assert.deepEqual([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, o, () => 0.999999)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffDelay(3, o, () => 0), 200);
  const q = new Fifo<number>();
  for (let i = 0; i < 3000; i++) q.push(i);
  for (let i = 0; i < 2000; i++) assert.equal(q.shift(), i);
  q.unshiftAll([-2, -1]);
  assert.equal(q.length, 1002);
  assert.equal(q.shift(), -2);
  assert.equal(q.drain().length, 1001);
});

test("TCP octet-counted: 2000 messages arrive exactly, in order, and each send resolves", async () => {
  const rx = await streamReceiver();
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  const all = msgs(2000);
  await Promise.all(all.map((m) => s.send(m)));
  await rx.waitFor(2000);
  assert.deepEqual(rx.frames.map(String), all.map(String));
  assert.equal(s.stats().sent, 2000);
  assert.equal(s.stats().queued, 0);
  await s.close();
  await rx.close();
});

test("TCP LF framing: a message with newlines stays one frame", async () => {
  const rx = await streamReceiver({ framing: "lf" });
  const s = new SyslogSender({ protocol: "tcp", framing: "lf", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  await s.sendMany([Buffer.from("<14>1 - - - - - - a\n<0>1 - evil - - - - forged"), Buffer.from("<14>1 - - - - - - b")]);
  await rx.waitFor(2);
  await s.close();
  assert.deepEqual(rx.frames.map(String), ["<14>1 - - - - - - a\\n<0>1 - evil - - - - forged", "<14>1 - - - - - - b"]);
  await rx.close();
});

test("UDP over IPv4 and IPv6: one message per datagram; oversize is a permanent error", async () => {
  for (const [type, host] of [["udp4", "127.0.0.1"], ["udp6", "::1"]] as const) {
    const rx = await udpReceiver(type);
    const s = new SyslogSender({ protocol: "udp", endpoints: [{ host, port: rx.port }], maxDatagramBytes: 1400 });
    const all = msgs(50);
    await Promise.all(all.map((m) => s.send(m)));
    await rx.waitFor(50);
    assert.deepEqual(new Set(rx.datagrams.map(String)), new Set(all.map(String)));
    await assert.rejects(s.send(Buffer.alloc(1401, 0x61)), (e: Error) => e instanceof SendError && /1401 bytes exceeds the UDP datagram limit of 1400/.test(e.message));
    await s.close();
    await rx.close();
  }
});

test("backpressure: during an outage the queue bound holds and nothing is dropped; all flows after recovery", async () => {
  const port = await freePort();
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port }], maxQueueMessages: 10, maxQueueBytes: 1 << 20, backoff: fast });
  const faults: string[] = [];
  s.on("fault", (e: Error) => faults.push(e.message));
  const all = msgs(50);
  let settled = 0;
  const ps = all.map((m) => s.send(m).then(() => settled++));
  await waitState(s, "disconnected");
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(s.stats().queued, 10, "queue holds exactly its bound");
  assert.equal(s.stats().waiting, 40, "the rest waits, not dropped");
  assert.equal(settled, 0);
  assert.match(faults[0], new RegExp(`TCP 127\\.0\\.0\\.1:${port}: connection refused`));
  const rx = await streamReceiver({ port });
  await Promise.all(ps);
  await rx.waitFor(50);
  assert.deepEqual(rx.frames.map(String), all.map(String));
  await s.close();
  await rx.close();
});

test("a receiver that drops the connection mid-stream: the sender reconnects and every resolved message arrives", async () => {
  let cut = false;
  const rx = await streamReceiver({
    onFrame: (_f, sock) => {
      if (!cut && rx.frames.length >= 300) {
        cut = true;
        sock.destroy();
      }
    },
  });
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], backoff: fast, maxBatchBytes: 2048 });
  const all = msgs(3000);
  const resolved: string[] = [];
  await Promise.all(all.map((m) => s.send(m).then(() => resolved.push(String(m)))));
  await rx.waitFor(3000);
  await s.close();
  const got = new Set(rx.frames.map(String));
  for (const m of resolved) assert.ok(got.has(m), `missing ${m}`);
  assert.equal(resolved.length, 3000);
  assert.ok(s.stats().connects >= 2, "reconnected");
  await rx.close();
});

test("a receiver that closes (FIN) is noticed without writing; the sender reconnects by itself", async () => {
  const rx = await streamReceiver();
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], backoff: fast });
  s.open();
  await waitState(s, "connected");
  const down = waitState(s, "disconnected");
  for (const sock of rx.sockets) sock.end();
  const err = await down;
  assert.match(String(err?.message), /receiver closed the connection/);
  await waitState(s, "connected");
  await s.send(Buffer.from("after"));
  await rx.waitFor(1);
  assert.equal(String(rx.frames[0]), "after");
  await s.close();
  await rx.close();
});

test("failover: the secondary receiver takes over when the primary refuses", async () => {
  const dead = await freePort();
  const rx = await streamReceiver();
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: dead }, { host: "127.0.0.1", port: rx.port }], backoff: fast });
  await s.send(Buffer.from("via secondary"));
  await rx.waitFor(1);
  assert.equal(String(rx.frames[0]), "via secondary");
  assert.equal(s.stats().endpoint, `127.0.0.1:${rx.port}`);
  await s.close();
  await rx.close();
});

test("close() flushes what is queued; later sends are rejected", async () => {
  const rx = await streamReceiver();
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  const ps = msgs(500).map((m) => s.send(m));
  await s.close();
  await Promise.all(ps);
  await rx.waitFor(500);
  await assert.rejects(s.send(Buffer.from("late")), SendError);
  await rx.close();
});

test("close() with an unreachable receiver rejects what is left instead of hanging", async () => {
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: await freePort() }], backoff: fast });
  const p = s.send(Buffer.from("x"));
  await s.close(100);
  await assert.rejects(p, /closed before the message could be written/);
});

test("sends of one turn share one promise per batch; it resolves only once their frames are written, and rejects them all on close", async () => {
  const rx = await streamReceiver();
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], maxBatchBytes: 100 });
  // 40-byte frames: two fit a 100-byte batch, the third opens a new group.
  const body = "x".repeat(37);
  const [a, b, c] = [s.send(body), s.sendMany([body]), s.send(body)];
  assert.equal(a, b); // sendMany of a turn joins the same group (sls-syslog-out sends one record that way)
  assert.notEqual(b, c);
  let settledEarly = false;
  void a.then(() => (settledEarly = s.stats().sent < 2));
  await Promise.all([a, c]);
  assert.equal(settledEarly, false);
  assert.equal(s.stats().sent, 3);
  // A send in a later turn (after the pump took the first ones) gets a promise of its own.
  const d = s.send(body);
  await new Promise((r) => setImmediate(r));
  const e = s.send(body);
  assert.notEqual(d, e);
  await Promise.all([d, e]);
  await rx.waitFor(5);
  await s.close();
  await rx.close();
  // Unreachable receiver: every send of the shared group is rejected as closed, none resolves.
  const dead = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: await freePort() }], backoff: fast });
  const shared = [dead.send("one"), dead.send("two")];
  assert.equal(shared[0], shared[1]);
  await dead.close(50);
  await assert.rejects(shared[0], /closed before the message could be written/);
});

test("TLS: verified against the CA (by IP with servername), mutual TLS, untrusted certificate refused by default", async (t) => {
  const pki = makePki();
  t.after(() => pki.cleanup());
  const read = (f: string): Buffer => fs.readFileSync(f);
  // Server certificate from our CA, client certificate required.
  const rx = await streamReceiver({ tls: { cert: read(pki.serverCertFile), key: read(pki.serverKeyFile), ca: read(pki.caFile), requestCert: true, rejectUnauthorized: true } });
  const ok = new SyslogSender({ protocol: "tls", endpoints: [{ host: "127.0.0.1", port: rx.port }], tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, servername: "localhost" } });
  await ok.send(Buffer.from("over mTLS"));
  await rx.waitFor(1);
  assert.equal(String(rx.frames[0]), "over mTLS");
  await ok.close();
  // Without a client certificate the server refuses the handshake.
  const noCert = new SyslogSender({ protocol: "tls", endpoints: [{ host: "127.0.0.1", port: rx.port }], tls: { ca: pki.ca }, backoff: { initialMs: 1000, maxMs: 1000 } });
  const p1 = noCert.send(Buffer.from("never"));
  const e1 = await new Promise<Error>((r) => noCert.once("fault", r));
  assert.match(e1.message, new RegExp(`TLS 127\\.0\\.0\\.1:${rx.port}: `));
  await noCert.close(10);
  await assert.rejects(p1, SendError);
  await rx.close();

  // A receiver with a self-signed certificate nobody vouches for: refused, with a clear message.
  const rogue = await streamReceiver({ tls: { cert: read(pki.rogueCertFile), key: read(pki.rogueKeyFile) } });
  const strict = new SyslogSender({ protocol: "tls", endpoints: [{ host: "localhost", port: rogue.port }], tls: { ca: pki.ca }, backoff: { initialMs: 1000, maxMs: 1000 } });
  const p2 = strict.send(Buffer.from("secret"));
  const e2 = await new Promise<Error>((r) => strict.once("fault", r));
  assert.match(e2.message, /receiver certificate rejected/);
  await strict.close(10);
  await assert.rejects(p2, SendError);
  assert.equal(rogue.frames.length, 0, "not one byte of payload reached the untrusted receiver");
  // Wrong name: the CA-signed server certificate does not cover "127.0.0.2".
  const rx2 = await streamReceiver({ tls: { cert: read(pki.serverCertFile), key: read(pki.serverKeyFile) } });
  const wrongName = new SyslogSender({ protocol: "tls", endpoints: [{ host: "127.0.0.1", port: rx2.port }], tls: { ca: pki.ca, servername: "siem.example.com" }, backoff: { initialMs: 1000, maxMs: 1000 } });
  wrongName.open();
  const e3 = await new Promise<Error>((r) => wrongName.once("fault", r));
  assert.match(e3.message, /certificate rejected.*siem\.example\.com/);
  await wrongName.close(10);
  await rx2.close();
  await rogue.close();
  void once;
});

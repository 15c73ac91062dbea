// The sender over TLS (RFC 5425): certificates verified against the CA, mutual TLS, refusals named.
// A file of its own: making the test PKI takes seconds, and the sender's other tests (which the
// mutation runs repeat for every mutant) need none of it.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { SyslogSender, SendError } from "../../lib/syslog/sender";
import { streamReceiver } from "../support/receivers";
import { makePki } from "../support/certs";

/** Closes senders and receivers when the test ends, passed or failed. */
function closeAfter(t: TestContext, ...things: Array<{ close(): Promise<void> }>): void {
  t.after(async () => {
    for (const x of things) await x.close();
  });
}

const limit = { timeout: 30_000 };

test("TLS: verified against the CA (by IP with servername), mutual TLS, untrusted certificate refused by default", limit, async (t) => {
  const pki = makePki();
  t.after(() => pki.cleanup());
  const read = (f: string): Buffer => fs.readFileSync(f);
  // Server certificate from our CA, client certificate required.
  const rx = await streamReceiver({
    tls: { cert: read(pki.serverCertFile), key: read(pki.serverKeyFile), ca: read(pki.caFile), requestCert: true, rejectUnauthorized: true },
  });
  closeAfter(t, rx);
  // TLS material given as a function is read again before each connect (rotated files).
  let reads = 0;
  const ok = new SyslogSender({
    protocol: "tls",
    endpoints: [{ host: "127.0.0.1", port: rx.port }],
    tls: () => {
      reads++;
      return { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, servername: "localhost" };
    },
  });
  closeAfter(t, ok);
  await ok.send(Buffer.from("over mTLS"));
  await rx.waitFor(1);
  assert.equal(String(rx.frames[0]), "over mTLS");
  assert.deepEqual([reads, ok.stats().connects], [1, 1]);
  await ok.close();
  // Without a client certificate the server refuses the handshake.
  const noCert = new SyslogSender({
    protocol: "tls",
    endpoints: [{ host: "127.0.0.1", port: rx.port }],
    tls: { ca: pki.ca },
    backoff: { initialMs: 1000, maxMs: 1000 },
  });
  closeAfter(t, noCert);
  const p1 = noCert.send(Buffer.from("never"));
  const e1 = await new Promise<Error>((r) => noCert.once("fault", r));
  assert.match(e1.message, new RegExp(`TLS 127\\.0\\.0\\.1:${rx.port}: `));
  await noCert.close(10);
  await assert.rejects(p1, SendError);
  await rx.close();

  // A receiver with a self-signed certificate nobody vouches for: refused, with a clear message.
  const rogue = await streamReceiver({ tls: { cert: read(pki.rogueCertFile), key: read(pki.rogueKeyFile) } });
  closeAfter(t, rogue);
  const strict = new SyslogSender({
    protocol: "tls",
    endpoints: [{ host: "localhost", port: rogue.port }],
    tls: { ca: pki.ca },
    backoff: { initialMs: 1000, maxMs: 1000 },
  });
  closeAfter(t, strict);
  const p2 = strict.send(Buffer.from("secret"));
  const e2 = await new Promise<Error>((r) => strict.once("fault", r));
  assert.match(e2.message, /receiver certificate rejected/);
  await strict.close(10);
  await assert.rejects(p2, SendError);
  assert.equal(rogue.frames.length, 0, "not one byte of payload reached the untrusted receiver");
  // Wrong name: the CA-signed server certificate does not cover "127.0.0.2".
  const rx2 = await streamReceiver({ tls: { cert: read(pki.serverCertFile), key: read(pki.serverKeyFile) } });
  closeAfter(t, rx2);
  const wrongName = new SyslogSender({
    protocol: "tls",
    endpoints: [{ host: "127.0.0.1", port: rx2.port }],
    tls: { ca: pki.ca, servername: "siem.example.com" },
    backoff: { initialMs: 1000, maxMs: 1000 },
  });
  closeAfter(t, wrongName);
  wrongName.open();
  const e3 = await new Promise<Error>((r) => wrongName.once("fault", r));
  assert.match(e3.message, /certificate rejected.*siem\.example\.com/);
  await wrongName.close(10);
  await rx2.close();
  await rogue.close();
});

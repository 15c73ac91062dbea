// The RELP client against an in-process collector (test/support/relp-server.ts): exact bytes,
// settlement on `rsp 200` only, the window, resending after a reconnect, hints, errors, TLS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SyslogSender, type SenderState } from "../../lib/syslog/sender";
import { CLIENT_OFFERS, nextTxnr, parseOffers, parseResponse, RelpFrameReader, type RelpFrame } from "../../lib/syslog/relp";
import { relpServer } from "../support/relp-server";
import { sharedPki } from "../support/certs";
import { waitState as stateErr } from "../support/sender-state";

const fast = { initialMs: 10, maxMs: 40 };
const msg = (i: number): string => `<14>1 - host app - - - m${i}`;

const getPki = sharedPki;

function relp(port: number, extra: Partial<ConstructorParameters<typeof SyslogSender>[0]> = {}): SyslogSender {
  return new SyslogSender({ protocol: "relp", endpoints: [{ host: "127.0.0.1", port }], backoff: fast, ...extra });
}

/**
 * Sends each message in a turn of its own: sends of one turn share one promise (settled when the
 * last of them is answered), and these tests look at frames one by one.
 */
async function sendApart(s: SyslogSender, msgs: string[]): Promise<Promise<void>[]> {
  const ps: Promise<void>[] = [];
  for (const m of msgs) {
    ps.push(s.send(m));
    await new Promise((r) => setImmediate(r));
  }
  return ps;
}

/** Which of the promises have settled (resolved) so far, after the current turn. */
async function settled(ps: Promise<void>[]): Promise<boolean[]> {
  const done = ps.map(() => false);
  ps.forEach(
    (p, i) =>
      void p.then(
        () => (done[i] = true),
        () => {},
      ),
  );
  await new Promise((r) => setImmediate(r));
  return done;
}

test("frame reader: frames split at every byte boundary; empty rsp; garbage is refused", () => {
  const wire = Buffer.from("1 rsp 37 200 OK\nrelp_version=0\ncommands=syslog\n2 rsp 6 200 OK\n3 rsp 0\n0 serverclose 0\n");
  for (let cut = 1; cut < wire.length; cut++) {
    const got: RelpFrame[] = [];
    const r = new RelpFrameReader();
    r.push(wire.subarray(0, cut), (f) => got.push(f));
    r.push(wire.subarray(cut), (f) => got.push(f));
    assert.deepEqual(
      got.map((f) => [f.txnr, f.command, f.data.toString()]),
      [
        [1, "rsp", "200 OK\nrelp_version=0\ncommands=syslog"],
        [2, "rsp", "200 OK"],
        [3, "rsp", ""],
        [0, "serverclose", ""],
      ],
    );
  }
  for (const bad of ["x rsp 0\n", "1 r5p 0\n", "1234567890 rsp 0\n", "1 rsp 999999 " + "x", "1 rsp 0 \n", "1 rsp 2 okX"]) {
    assert.throws(() => new RelpFrameReader().push(Buffer.from(bad), () => {}), Error, bad);
  }
  assert.deepEqual(parseResponse(Buffer.from("200 OK")), { code: 200, text: "OK", data: "" });
  assert.deepEqual(parseResponse(Buffer.from("500 error 7 on connect")), { code: 500, text: "error 7 on connect", data: "" });
  assert.deepEqual(parseResponse(Buffer.alloc(0)), { code: 0, text: "", data: "" });
  assert.equal(parseResponse(Buffer.from("20x OK")), null);
  assert.deepEqual(
    [...parseOffers("relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog")],
    [
      ["relp_version", ["0"]],
      ["relp_software", ["librelp", "1.11.0", "http://librelp.adiscon.com"]],
      ["commands", ["syslog"]],
    ],
  );
  assert.equal(nextTxnr(1), 2);
  assert.equal(nextTxnr(999_999_999), 1, "txnrs latch at 999,999,999 and start again at 1");
});

test("exact bytes: open with our offers, syslog frames numbered from 2, close answered by an empty rsp", async () => {
  const srv = await relpServer();
  const s = relp(srv.port);
  await s.sendMany([msg(0), msg(1), ""]);
  await s.send("é");
  await s.close();
  await srv.waitFor(() => srv.frames.some((f) => f.command === "close"), "close");
  const wire = Buffer.concat(srv.raw[0]).toString("utf8");
  assert.equal(
    wire,
    `1 open ${CLIENT_OFFERS.length} ${CLIENT_OFFERS}\n` + `2 syslog 25 ${msg(0)}\n3 syslog 25 ${msg(1)}\n4 syslog 0\n` + `5 syslog 2 é\n` + `6 close 0\n`,
  );
  assert.equal(CLIENT_OFFERS, "relp_version=0\nrelp_software=node-red-contrib-sls-syslog\ncommands=syslog");
  await srv.close();
});

test("a send resolves only when the collector's rsp 200 for its own frame arrives, one by one", async () => {
  const srv = await relpServer();
  srv.answer = () => "hold";
  const s = relp(srv.port);
  const ps = await sendApart(s, [msg(0), msg(1), msg(2)]);
  await srv.waitFor(() => srv.messages().length === 3, "3 frames");
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(await settled(ps), [false, false, false], "written to the socket is not delivered");
  assert.equal(s.stats().sent, 0);
  srv.release(1);
  await ps[0];
  assert.deepEqual(await settled(ps), [true, false, false], "the first answer settles the first frame only");
  assert.equal(s.stats().sent, 1);
  assert.equal(s.stats().queued, 2);
  srv.release();
  await Promise.all(ps);
  assert.equal(s.stats().sent, 3);
  await s.close();
  await srv.close();
});

test("window: at most windowSize frames unanswered; the rest wait (and the queue bound backs up the caller)", async () => {
  const srv = await relpServer();
  srv.answer = () => "hold";
  const s = relp(srv.port, { relp: { windowSize: 4 }, maxQueueMessages: 10 });
  const ps = Array.from({ length: 30 }, (_, i) => s.send(msg(i)));
  await srv.waitFor(() => srv.messages().length === 4, "4 frames");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(srv.messages().length, 4, "never more than the window on the wire");
  const st = s.stats();
  assert.equal(st.queued, 10, "the sender's queue holds its bound");
  assert.equal(st.waiting, 20, "the callers beyond it wait: nothing dropped, memory bounded");
  srv.release(2);
  await srv.waitFor(() => srv.messages().length === 6, "2 more after 2 answers");
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(srv.messages().length, 6);
  srv.answer = () => "ok";
  srv.release();
  await Promise.all(ps);
  assert.deepEqual(
    srv.messages(),
    Array.from({ length: 30 }, (_, i) => msg(i)),
    "in order, once",
  );
  await s.close();
  await srv.close();
});

test("connection lost: every unanswered frame is sent again on the next session under new txnrs, answered ones are not", async () => {
  const srv = await relpServer();
  let n = 0;
  // First session: answer m0..m2, then hold the rest and drop the connection.
  srv.answer = (f) => (f.conn === 0 ? (n++ < 3 ? "ok" : "hold") : "ok");
  const s = relp(srv.port);
  const ps = await sendApart(
    s,
    Array.from({ length: 8 }, (_, i) => msg(i)),
  );
  await srv.waitFor(() => srv.messages().length === 8, "8 frames on the first session");
  assert.deepEqual(await settled(ps), [true, true, true, false, false, false, false, false]);
  for (const sock of srv.sockets) sock.destroy();
  await Promise.all(ps);
  const second = srv.frames.filter((f) => f.conn === 1);
  assert.deepEqual(
    second.map((f) => [f.txnr, f.command, f.data]),
    [[1, "open", CLIENT_OFFERS], ...[3, 4, 5, 6, 7].map((i, k) => [k + 2, "syslog", msg(i)])],
  );
  assert.equal(s.stats().sent, 8);
  await s.close();
  await srv.close();
});

test("serverclose hint: the client drops the session, reconnects and resends what was unanswered", async () => {
  const srv = await relpServer();
  srv.answer = (f) => (f.conn === 0 ? "hold" : "ok");
  const s = relp(srv.port);
  const ps = [s.send(msg(0)), s.send(msg(1))];
  await srv.waitFor(() => srv.messages().length === 2, "2 frames");
  const lost = stateErr(s, "disconnected");
  srv.serverClose();
  const err = await lost;
  assert.match(String(err?.message), /RELP 127\.0\.0\.1:\d+: collector closed the (session \(serverclose\)|connection)/);
  await Promise.all(ps);
  assert.deepEqual(srv.messages(), [msg(0), msg(1), msg(0), msg(1)]);
  await s.close();
  await srv.close();
});

test("a collector that answers 500: nothing settles, the error names it, the frame is sent again after a reconnect", async () => {
  const srv = await relpServer();
  let errors = 2;
  srv.answer = () => (errors-- > 0 ? "error" : "ok");
  const s = relp(srv.port);
  const seen: string[] = [];
  s.on("state", (st: SenderState, err?: Error) => {
    if (st === "disconnected" && err) seen.push(`${(err as Error & { code?: string }).code} ${err.message}`);
  });
  await s.send(msg(0));
  assert.equal(seen.length, 2);
  assert.match(seen[0], /^ERELPREFUSED RELP 127\.0\.0\.1:\d+: collector answered 500 not accepted$/);
  assert.deepEqual(srv.messages(), [msg(0), msg(0), msg(0)], "refused twice, sent again each time");
  await s.close();
  await srv.close();
});

test("a collector that refuses the session or lacks the syslog command: a clear error, nothing sent", async () => {
  for (const [o, want] of [
    [{ openAnswer: "500 error 7 on connect" }, /collector refused the session: 500 error 7 on connect/],
    [{ offers: "relp_version=0\ncommands=" }, /collector does not accept the syslog command/],
    [{ offers: "commands=syslog" }, /no RELP version we know \(relp_version=missing\)/],
  ] as const) {
    const srv = await relpServer(o);
    const s = relp(srv.port);
    s.open();
    const err = stateErr(s, "disconnected");
    const p = s.send(msg(0));
    assert.match(String((await err)?.message), want);
    assert.equal(srv.messages().length, 0);
    await s.close();
    await p.catch(() => {});
    await srv.close();
  }
});

test("a collector that never answers: ack timeout breaks the session, frames are resent, memory stays bounded", async () => {
  const srv = await relpServer();
  srv.answer = () => "silent";
  const s = relp(srv.port, { relp: { windowSize: 8, ackTimeoutMs: 100 }, maxQueueMessages: 20 });
  const errs: string[] = [];
  s.on("state", (st: SenderState, err?: Error) => {
    if (st === "disconnected" && err) errs.push(err.message);
  });
  const ps = Array.from({ length: 100 }, (_, i) => s.send(msg(i)));
  await srv.waitFor(() => errs.length >= 2, "two timeouts");
  assert.match(errs[0], /no answer from the collector within 100 ms/);
  const st = s.stats();
  assert.equal(st.sent, 0);
  assert.equal(st.queued, 20);
  assert.equal(st.waiting, 80);
  assert.ok(srv.frames.filter((f) => f.conn === 0 && f.command === "syslog").length === 8, "the window bounds each session");
  srv.answer = () => "ok";
  await Promise.all(ps);
  await s.close();
  await srv.close();
});

test("RELP over TLS: verified by default (a rogue certificate is refused), CA and client certificate", async () => {
  const p = getPki();
  const fs = await import("node:fs");
  const read = (f: string): string => fs.readFileSync(f, "utf8");
  const rogue = await relpServer({ tls: { cert: read(p.rogueCertFile), key: read(p.rogueKeyFile) } });
  const s1 = new SyslogSender({ protocol: "relp", endpoints: [{ host: "127.0.0.1", port: rogue.port }], tls: { ca: p.ca }, backoff: fast });
  s1.open();
  const e1 = stateErr(s1, "disconnected");
  const p1 = s1.send(msg(0));
  assert.match(String((await e1)?.message), /^RELP\/TLS 127\.0\.0\.1:\d+: receiver certificate rejected/);
  await s1.close();
  await p1.catch(() => {});
  await rogue.close();

  let peer: string | undefined;
  const good = await relpServer({ tls: { cert: read(p.serverCertFile), key: read(p.serverKeyFile), ca: p.ca, requestCert: true, rejectUnauthorized: true } });
  const s2 = new SyslogSender({
    protocol: "relp",
    endpoints: [{ host: "127.0.0.1", port: good.port }],
    tls: { ca: p.ca, cert: p.clientCert, key: p.clientKey },
    backoff: fast,
  });
  await s2.sendMany([msg(1), msg(2)]);
  for (const sock of good.sockets) peer = String((sock as import("node:tls").TLSSocket).getPeerCertificate().subject?.CN);
  assert.equal(peer, "sls-forwarder", "the client certificate was presented");
  assert.deepEqual(good.messages(), [msg(1), msg(2)]);
  await s2.close();
  await good.close();
});

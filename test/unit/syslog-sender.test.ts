import { test, type TestContext } from "node:test";
import type net from "node:net";
import { EventEmitter } from "node:events";
import assert from "node:assert/strict";
import { SyslogSender, SendError, type SenderStats } from "../../lib/syslog/sender";
import * as transport from "../../lib/syslog/transport";
import { lfFrame, octetFrame } from "../../lib/syslog/framing";
import { backoffDelay } from "../../lib/backoff";
import { Fifo } from "../../lib/syslog/fifo";
import { splitFrames } from "../../support/syslog-frames";
import { streamReceiver, udpReceiver, freePort, type StreamReceiver } from "../support/receivers";
import { waitState } from "../support/sender-state";
import { relpServer } from "../support/relp-server";
import { until } from "../support/until";

const msgs = (n: number, prefix = "m"): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`<14>1 - - - - - - ${prefix}${i}`));
const fast = { initialMs: 10, maxMs: 50 };

/**
 * Closes senders and receivers when the test ends, passed or failed: a failed assertion must not
 * leave sockets open that keep the file running. (Closing twice is harmless.)
 */
function closeAfter(t: TestContext, ...things: Array<{ close(): Promise<void> }>): void {
  t.after(async () => {
    for (const x of things) await x.close();
  });
}

/** Tests that wait on sockets fail after this instead of hanging the file. */
const limit = { timeout: 30_000 };

/** Connects `s` to `rx` and returns the receiver's end of the connection, paused: it reads nothing until resumed. */
async function pausedConnection(s: SyslogSender, rx: StreamReceiver): Promise<net.Socket> {
  s.open();
  await waitState(s, "connected");
  await until(() => rx.sockets.size === 1, 5000, "the connection at the receiver");
  const paused = [...rx.sockets][0];
  paused.pause();
  return paused;
}

/** "resolved", or the message of the rejection: a send that fails makes an assertion fail, not an unhandled rejection. */
const outcome = (p: Promise<void>): Promise<string> =>
  p.then(
    () => "resolved",
    (e: Error) => e.message,
  );

test("framing: octet counting counts bytes; LF framing escapes CR, LF and NUL so nothing can forge a frame", () => {
  assert.equal(octetFrame(Buffer.from("<14>1 - - - - - -")).toString(), "17 <14>1 - - - - - -");
  assert.equal(octetFrame(Buffer.from("é")).toString(), "2 é");
  const forged = Buffer.from("a\n<34>1 x\r\n\u0000b");
  const f = lfFrame(forged);
  assert.equal(f.toString(), "a\\n<34>1 x\\r\\n\\0b\n");
  assert.equal(f.indexOf(0x0a), f.length - 1, "the only LF is the trailer");
  assert.equal(splitFrames(Buffer.concat([f, lfFrame(Buffer.from("ok"))]), "lf").length, 2);
  assert.deepEqual(splitFrames(Buffer.concat([octetFrame(Buffer.from("a\nb")), octetFrame(Buffer.from("c"))]), "octet").map(String), ["a\nb", "c"]);
});

test("backoff is exponential, capped and jittered; Fifo keeps order", () => {
  const o = { initialMs: 100, maxMs: 1000, jitter: 0.5 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, o, () => 0.999999)),
    [100, 200, 400, 800, 1000, 1000],
  );
  assert.equal(
    backoffDelay(3, o, () => 0),
    200,
  );
  const q = new Fifo<number>();
  for (let i = 0; i < 3000; i++) q.push(i);
  for (let i = 0; i < 2000; i++) assert.equal(q.shift(), i);
  q.unshiftAll([-2, -1]);
  assert.equal(q.length, 1002);
  assert.equal(q.shift(), -2);
  assert.equal(q.drain().length, 1001);
});

test("TCP octet-counted: 2000 messages arrive exactly, in order, and each send resolves", limit, async (t) => {
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  closeAfter(t, s);
  const all = msgs(2000);
  await Promise.all(all.map((m) => s.send(m)));
  await rx.waitFor(2000);
  assert.deepEqual(rx.frames.map(String), all.map(String));
  assert.equal(s.stats().sent, 2000);
  assert.equal(s.stats().queued, 0);
  await s.close();
  await rx.close();
});

test("TCP LF framing: a message with newlines stays one frame", limit, async (t) => {
  const rx = await streamReceiver({ framing: "lf" });
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", framing: "lf", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  closeAfter(t, s);
  await s.sendMany([Buffer.from("<14>1 - - - - - - a\n<0>1 - evil - - - - forged"), Buffer.from("<14>1 - - - - - - b")]);
  await rx.waitFor(2);
  await s.close();
  assert.deepEqual(rx.frames.map(String), ["<14>1 - - - - - - a\\n<0>1 - evil - - - - forged", "<14>1 - - - - - - b"]);
  await rx.close();
});

test("UDP over IPv4 and IPv6: one message per datagram; oversize is a permanent error", limit, async (t) => {
  for (const [type, host] of [
    ["udp4", "127.0.0.1"],
    ["udp6", "::1"],
  ] as const) {
    const rx = await udpReceiver(type);
    closeAfter(t, rx);
    const s = new SyslogSender({ protocol: "udp", endpoints: [{ host, port: rx.port }], maxDatagramBytes: 1400 });
    closeAfter(t, s);
    const all = msgs(50);
    await Promise.all(all.map((m) => s.send(m)));
    await rx.waitFor(50);
    assert.deepEqual(new Set(rx.datagrams.map(String)), new Set(all.map(String)));
    await assert.rejects(
      s.send(Buffer.alloc(1401, 0x61)),
      (e: Error) => e instanceof SendError && /1401 bytes exceeds the UDP datagram limit of 1400/.test(e.message),
    );
    await s.close();
    await rx.close();
  }
});

test("backpressure: during an outage the queue bound holds and nothing is dropped; all flows after recovery", limit, async (t) => {
  const port = await freePort();
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port }], maxQueueMessages: 10, maxQueueBytes: 1 << 20, backoff: fast });
  closeAfter(t, s);
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
  closeAfter(t, rx);
  await Promise.all(ps);
  await rx.waitFor(50);
  assert.deepEqual(rx.frames.map(String), all.map(String));
  await s.close();
  await rx.close();
});

test("a receiver that drops the connection mid-stream: the sender reconnects and every resolved message arrives", limit, async (t) => {
  let cut = false;
  const rx = await streamReceiver({
    onFrame: (_f, sock) => {
      if (!cut && rx.frames.length >= 300) {
        cut = true;
        sock.destroy();
      }
    },
  });
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], backoff: fast, maxBatchBytes: 2048 });
  closeAfter(t, s);
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

test("a receiver that closes (FIN) is noticed without writing; the sender reconnects by itself", limit, async (t) => {
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], backoff: fast });
  closeAfter(t, s);
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

test("failover: the secondary receiver takes over when the primary refuses", limit, async (t) => {
  const dead = await freePort();
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const s = new SyslogSender({
    protocol: "tcp",
    endpoints: [
      { host: "127.0.0.1", port: dead },
      { host: "127.0.0.1", port: rx.port },
    ],
    backoff: fast,
  });
  closeAfter(t, s);
  await s.send(Buffer.from("via secondary"));
  await rx.waitFor(1);
  assert.equal(String(rx.frames[0]), "via secondary");
  assert.equal(s.stats().endpoint, `127.0.0.1:${rx.port}`);
  await s.close();
  await rx.close();
});

test("close() flushes what is queued; later sends are rejected", limit, async (t) => {
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  closeAfter(t, s);
  const ps = msgs(500).map((m) => s.send(m));
  await s.close();
  await Promise.all(ps);
  await rx.waitFor(500);
  await assert.rejects(s.send(Buffer.from("late")), SendError);
  await rx.close();
});

test("close() with an unreachable receiver rejects what is left instead of hanging", limit, async (t) => {
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: await freePort() }], backoff: fast });
  closeAfter(t, s);
  const p = s.send(Buffer.from("x"));
  await s.close(100);
  await assert.rejects(p, /closed before the message could be written/);
});

test("sends of one turn share one promise per batch; it resolves only once their frames are written, and rejects them all on close", limit, async (t) => {
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], maxBatchBytes: 100 });
  closeAfter(t, s);
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
  closeAfter(t, dead);
  const shared = [dead.send("one"), dead.send("two")];
  assert.equal(shared[0], shared[1]);
  await dead.close(50);
  await assert.rejects(shared[0], /closed before the message could be written/);
});

test("octet counting of strings counts UTF-8 bytes, not UTF-16 units, on the wire (sendMany and send)", limit, async (t) => {
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  closeAfter(t, s);
  const texts = ["<14>1 - - - - - - café", "<14>1 - - - - - - 日本語 🙂 ok", "<14>1 - - - - - - plain"];
  await s.sendMany(texts); // the batch path: one frame per string
  await s.send("<14>1 - - - - - - naïve");
  await rx.waitFor(4);
  await s.close();
  // 22 characters, 23 bytes: a count of 22 would cut "é" in two and shift every later frame.
  assert.equal(Buffer.byteLength(texts[0]), 23);
  const wire = [...texts, "<14>1 - - - - - - naïve"].map((t) => `${Buffer.byteLength(t)} ${t}`).join("");
  assert.equal(rx.raw().toString("utf8"), wire);
  assert.ok(rx.raw().toString("utf8").startsWith("23 <14>1 - - - - - - café"));
  assert.deepEqual(rx.frames.map(String), [...texts, "<14>1 - - - - - - naïve"]);
  await rx.close();
});

test("LF framing of strings: CR, LF and NUL inside are escaped, so the only LF on the wire ends a frame", limit, async (t) => {
  const rx = await streamReceiver({ framing: "lf" });
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", framing: "lf", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  closeAfter(t, s);
  await s.sendMany(["<14>1 - - - - - - a\n<0>1 - evil - - - - forged", "<14>1 - - - - - - r\r\n z\u0000é"]);
  await s.send("<14>1 - - - - - - single\nline");
  await s.sendMany(["<14>1 - - - - - - nul\u0000only", "<14>1 - - - - - - cr\ronly"]);
  await s.send("<14>1 - - - - - - clean");
  await rx.waitFor(6);
  await s.close();
  assert.equal(
    rx.raw().toString("utf8"),
    "<14>1 - - - - - - a\\n<0>1 - evil - - - - forged\n<14>1 - - - - - - r\\r\\n z\\0é\n<14>1 - - - - - - single\\nline\n" +
      "<14>1 - - - - - - nul\\0only\n<14>1 - - - - - - cr\\ronly\n<14>1 - - - - - - clean\n",
  );
  assert.equal(rx.frames.length, 6);
  await rx.close();
});

test("after an unexpected disconnect, frames written within the replay window go out again first on the next connection", limit, async (t) => {
  for (const replayWindowMs of [60_000, 0]) {
    const rx = await streamReceiver();
    closeAfter(t, rx);
    const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], backoff: fast, replayWindowMs });
    closeAfter(t, s);
    // Written and confirmed (the kernel took them), then the receiver dies with them in its buffers.
    await s.sendMany(["a1", "a2", "a3"]);
    await s.send("a4");
    await rx.waitFor(4);
    const down = waitState(s, "disconnected");
    for (const sock of rx.sockets) sock.destroy();
    await down;
    // Until they are written again, the replayed batches (a1-a3 and a4, one entry each) count
    // toward the queue's bound: 4 frames of 4 bytes ("2 a1").
    const atLoss = s.stats();
    assert.deepEqual([atLoss.queued, atLoss.queuedBytes], replayWindowMs > 0 ? [2, 16] : [0, 0], `queue at the loss, replayWindowMs ${replayWindowMs}`);
    await waitState(s, "connected");
    await s.sendMany(["b1", "b2"]);
    const replayed = replayWindowMs > 0 ? ["a1", "a2", "a3", "a4"] : [];
    await rx.waitFor(4 + replayed.length + 2, 10_000);
    // Written again, they leave the queue: nothing counts twice or goes below zero.
    assert.deepEqual([s.stats().queued, s.stats().queuedBytes], [0, 0], `queue after the replay, replayWindowMs ${replayWindowMs}`);
    await s.close();
    assert.equal(rx.connections.length, 2);
    assert.deepEqual(rx.connections[0].map(String), ["a1", "a2", "a3", "a4"]);
    assert.deepEqual(rx.connections[1].map(String), [...replayed, "b1", "b2"], `replayWindowMs ${replayWindowMs}`);
    assert.equal(s.stats().resent, replayed.length);
    await rx.close();
  }
});

test(
  "the replay window keeps its frames where they were written: after many buffers' worth of later frames, the replayed bytes are intact",
  limit,
  async (t) => {
    const rx = await streamReceiver();
    closeAfter(t, rx);
    // 256 KiB of window over 2 MB of 300-byte frames: the encoder's 128 KiB buffers are reused many
    // times while the window holds the last ones.
    const s = new SyslogSender({
      protocol: "tcp",
      endpoints: [{ host: "127.0.0.1", port: rx.port }],
      backoff: fast,
      replayWindowMs: 60_000,
      replayMaxBytes: 256 * 1024,
    });
    closeAfter(t, s);
    const msg = (i: number): string => `<14>1 - - - - - - ${String(i).padStart(6, "0")} ` + "x".repeat(270);
    const n = 7000;
    for (let i = 0; i < n; i += 100) await s.sendMany(Array.from({ length: Math.min(100, n - i) }, (_, k) => msg(i + k)));
    await rx.waitFor(n);
    const down = waitState(s, "disconnected");
    for (const sock of rx.sockets) sock.destroy();
    await down;
    await waitState(s, "connected");
    await s.send("after");
    for (let i = 0; !(rx.connections.length === 2 && rx.connections[1].some((f) => String(f) === "after")); i++) {
      if (i > 2000) assert.fail("the replay never arrived");
      await new Promise((r) => setTimeout(r, 5));
    }
    await s.close();
    const again = rx.connections[1].map(String);
    assert.equal(again[again.length - 1], "after");
    const replayed = again.slice(0, -1);
    assert.ok(replayed.length > 500 && replayed.length < 1000, `about 256 KiB of 300-byte frames replayed, got ${replayed.length}`);
    // Exactly the last frames sent before the break, in order, byte for byte.
    assert.deepEqual(
      replayed,
      Array.from({ length: replayed.length }, (_, k) => msg(n - replayed.length + k)),
    );
    assert.equal(s.stats().resent, replayed.length);
    await rx.close();
  },
);

test("reconnect delays: doubling from 250 ms, capped at 10 s, jittered into [d/2, d]; a good connection starts over", limit, async (t) => {
  const port = await freePort();
  // Fake timers: the test advances the sender's clock itself and sees exactly when it retries.
  t.mock.timers.enable({ apis: ["setTimeout"] });
  let random = 0;
  t.mock.method(Math, "random", () => random);
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port }] });
  closeAfter(t, s);
  const faults: Error[] = [];
  s.on("fault", (e: Error) => faults.push(e));
  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; !cond(); i++) {
      if (i > 10_000) throw new Error("sender never got there");
      await new Promise((r) => setImmediate(r));
    }
  };
  /** Asserts that the sender waits exactly `ms` after its last failure before it connects again. */
  const retriesAfter = (ms: number, label: string): void => {
    assert.equal(s.currentState, "disconnected", label);
    t.mock.timers.tick(ms - 1);
    assert.equal(s.currentState, "disconnected", `${label}: retried before ${ms} ms`);
    t.mock.timers.tick(1);
    assert.equal(s.currentState, "connecting", `${label}: no retry after ${ms} ms`);
  };
  s.open();
  // random() = 0: the low end of the jitter, d/2; the cap is 10 s so the delays stop at 5 s.
  const low = [125, 250, 500, 1000, 2000, 4000, 5000, 5000];
  for (const [i, ms] of low.entries()) {
    await until(() => faults.length === i + 1);
    retriesAfter(ms, `failure ${i + 1}`);
  }
  // random() close to 1: the full delay, still capped.
  random = 0.999999;
  await until(() => faults.length === low.length + 1);
  retriesAfter(10_000, `failure ${low.length + 1}`);
  // A receiver appears: the next attempt connects, and a later loss starts again at the first delay.
  await until(() => faults.length === low.length + 2);
  const rx = await streamReceiver({ port });
  closeAfter(t, rx);
  retriesAfter(10_000, `failure ${low.length + 2}`);
  await until(() => s.currentState === "connected");
  for (const sock of rx.sockets) sock.destroy();
  await until(() => faults.length === low.length + 3);
  retriesAfter(250, "after a good connection");
  await until(() => s.currentState === "connected");
  await s.close();
  await rx.close();
});

test(
  "callbacks instead of promises: each send's callback runs once, after its frame was written, in order; errors reach it; no promise is made",
  limit,
  async () => {
    const rx = await streamReceiver();
    const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], maxBatchBytes: 100 });
    const writer = { write: (x: string, buf: Buffer, pos: number): number => pos + buf.write(x, pos, "latin1") };
    const calls: string[] = [];
    // Each callback notes whether its own frames were written by then (the sender counts them first).
    const cb =
      (name: string, after: number) =>
      (err?: Error): void => {
        calls.push(err ? `${name}:${err.name}` : `${name}${s.stats().sent >= after ? "" : " early"}`);
      };
    // 40-byte frames: two per 100-byte batch. Callbacks and a promise in one turn share a group.
    const body = "x".repeat(37);
    assert.equal(s.sendWith(writer, body, cb("a", 1)), undefined);
    const p = s.sendWith(writer, body);
    assert.equal(s.sendManyWith(writer, [body, body], cb("b", 4)), undefined);
    assert.deepEqual(calls, [], "nothing is called before the write");
    await p;
    await new Promise((r) => setTimeout(r, 50));
    // a and p share the first batch; b's two frames are the next batch.
    assert.deepEqual(calls, ["a", "b"]);
    await rx.waitFor(4);
    await s.close();
    // After close: the callback gets SenderClosedError on a later tick, never synchronously.
    const late: { err?: Error; called: boolean } = { called: false };
    s.sendWith(writer, body, (err) => Object.assign(late, { err, called: true }));
    assert.equal(late.called, false, "not called synchronously");
    await new Promise((r) => process.nextTick(r));
    assert.ok(late.err instanceof SendError && /closed/.test(late.err.message));
    await rx.close();
    // Unreachable receiver: the callbacks of the waiting sends get the error on close.
    const dead = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: await freePort() }], backoff: fast });
    const errs: string[] = [];
    dead.sendWith(writer, "one", (err) => errs.push(String(err?.message)));
    dead.sendManyWith(writer, ["two", "three"], (err) => errs.push(String(err?.message)));
    await dead.close(50);
    assert.equal(errs.length, 2);
    for (const e of errs) assert.match(e, /closed before the message could be written/);
    // UDP: a datagram over the limit is refused through the callback.
    const u = await udpReceiver();
    const udp = new SyslogSender({ protocol: "udp", endpoints: [{ host: "127.0.0.1", port: u.port }], maxDatagramBytes: 10 });
    const big = await new Promise<Error | undefined>((r) => udp.sendWith(writer, "x".repeat(11), r));
    assert.match(String(big?.message), /11 bytes exceeds the UDP datagram limit of 10/);
    const ok = await new Promise<Error | undefined>((r) => udp.sendWith(writer, "fits", r));
    assert.equal(ok, undefined);
    await udp.close();
    await u.close();
  },
);

test("a connection lost with a batch in flight: only its unconfirmed frames go out again, first, and the counters say so", limit, async (t) => {
  // RELP confirms frame by frame, so a batch can be part confirmed when the connection dies.
  const srv = await relpServer();
  closeAfter(t, srv);
  srv.answer = (f) => (f.conn > 0 ? "ok" : "hold");
  const s = new SyslogSender({ protocol: "relp", endpoints: [{ host: "127.0.0.1", port: srv.port }], backoff: fast });
  closeAfter(t, s);
  const texts = Array.from({ length: 8 }, (_, i) => `m${i}`);
  const all = s.sendMany(texts); // one turn, one batch
  await until(() => srv.messages().length === 8, 10_000, "8 frames at the collector");
  // Answers settle the batch's frames a few at a time: each leaves the queue once ("2 m0" = 4 bytes).
  const counters = (): number[] => [s.stats().sent, s.stats().sentBytes, s.stats().queued, s.stats().queuedBytes];
  srv.release(1);
  await until(() => s.stats().sent === 1, 10_000, "m0 answered");
  assert.deepEqual(counters(), [1, 4, 7, 28]);
  srv.release(2);
  await until(() => s.stats().sent === 3, 10_000, "m1 and m2 answered");
  assert.deepEqual(counters(), [3, 12, 5, 20]);
  let atLoss: SenderStats | undefined;
  s.once("state", (st: string) => (atLoss = st === "disconnected" ? s.stats() : undefined));
  const lostAt = Date.now();
  for (const sock of srv.sockets) sock.destroy();
  await all;
  // What the loss left in the queue: the 5 unconfirmed frames ("2 m3" = 4 bytes each), all counted
  // as resent; the outage's start; the fault by kind.
  assert.ok(atLoss, "the first state change after the loss is disconnected");
  assert.deepEqual([atLoss.queued, atLoss.queuedBytes, atLoss.resent, atLoss.sent], [5, 20, 5, 3]);
  assert.equal(typeof atLoss.downSince, "number");
  assert.ok(atLoss.downSince! >= lostAt, "down since the loss, not since the sender was made");
  assert.deepEqual(atLoss.faults, { disconnected: 1 });
  // The next session carries exactly the unconfirmed frames, in order, then nothing else.
  assert.deepEqual(
    srv.frames.filter((f) => f.conn === 1 && f.command === "syslog").map((f) => f.data),
    texts.slice(3),
  );
  const end = s.stats();
  assert.deepEqual([end.sent, end.resent, end.queued, end.queuedBytes, end.connects, end.downSince], [8, 5, 0, 0, 2, undefined]);
  await s.close();
  await srv.close();
});

test("losing an established connection retries the same receiver first; a refused connect fails over to the next", limit, async (t) => {
  const a = await streamReceiver();
  const b = await streamReceiver();
  closeAfter(t, a, b);
  const s = new SyslogSender({
    protocol: "tcp",
    endpoints: [
      { host: "127.0.0.1", port: a.port },
      { host: "127.0.0.1", port: b.port },
    ],
    backoff: fast,
    replayWindowMs: 0, // frames on this test's receivers: each once
  });
  closeAfter(t, s);
  await s.send("one");
  await a.waitFor(1);
  // The primary drops the connection but still listens: the sender comes back to it.
  let down = waitState(s, "disconnected");
  for (const sock of a.sockets) sock.destroy();
  await down;
  await waitState(s, "connected");
  await s.send("two");
  await a.waitFor(2);
  assert.deepEqual(
    a.connections.map((c) => c.map(String)),
    [["one"], ["two"]],
  );
  assert.equal(b.connections.length, 0, "no failover after losing an established connection");
  assert.equal(s.stats().endpoint, `127.0.0.1:${a.port}`);
  // The primary goes away: its refusal sends the next attempt to the secondary.
  down = waitState(s, "disconnected");
  await a.close();
  await down;
  await s.send("three");
  await b.waitFor(1);
  assert.deepEqual(b.frames.map(String), ["three"]);
  assert.equal(s.stats().endpoint, `127.0.0.1:${b.port}`);
  assert.deepEqual(s.stats().faults, { disconnected: 2, refused: 1 });
  await s.close();
  await b.close();
});

test("close() while a connect is under way: the attempt failing afterwards changes nothing (no fault, no retry, state stays closed)", async (t) => {
  // The transport's connect is held by the test, so the failure comes exactly after close().
  let fail: (e: Error) => void = () => assert.fail("no connect attempt");
  const attempt = t.mock.method(transport, "openChannel", () => new Promise<never>((_, reject) => (fail = reject)));
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: 9 }], backoff: { initialMs: 1, maxMs: 1 } });
  const seen: string[] = [];
  s.on("state", (st: string) => seen.push(st));
  s.on("fault", (e: Error) => seen.push(`fault: ${e.message}`));
  s.open();
  assert.equal(attempt.mock.callCount(), 1);
  await s.close();
  fail(new transport.TransportError("TCP 127.0.0.1:9: connection refused", { host: "127.0.0.1", port: 9 }, "ECONNREFUSED"));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, ["connecting", "closed"]);
  const st = s.stats();
  assert.deepEqual([st.state, st.faults, st.lastError], ["closed", {}, undefined]);
  assert.equal(attempt.mock.callCount(), 1, "no retry after close");
});

/** Resolves with `p`, or fails naming `what` after `ms` (a promise that never settles fails the test at once). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

test("streams batch consecutive frames into one write of at most maxBatchBytes (exactly); the counters add up and idle() resolves", limit, async (t) => {
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], maxBatchBytes: 80 });
  closeAfter(t, s);
  s.open();
  await waitState(s, "connected");
  const body = "x".repeat(37); // framed "37 xxx...": 40 bytes
  const all = s.sendMany([body, body, body, body, body]);
  const idle = s.idle();
  await all;
  // Two frames fill 80 bytes exactly: writes of 2, 2 and 1 frames.
  const st = s.stats();
  assert.deepEqual([st.writes, st.sent, st.sentBytes, st.queued, st.queuedBytes], [3, 5, 200, 0, 0]);
  await within(idle, 5000, "idle() once the last frame was written");
  await rx.waitFor(5);
  assert.equal(rx.raw().toString(), `37 ${body}`.repeat(5));
  await s.close();
  await rx.close();
});

test(
  "UDP: a datagram the kernel refuses as too large (EMSGSIZE) fails its own send for good; the queue empties, nothing reconnects, the next send goes out",
  limit,
  async (t) => {
    const rx = await udpReceiver();
    closeAfter(t, rx);
    // Above IPv4's 65,507-byte datagram: only the kernel can refuse it.
    const s = new SyslogSender({ protocol: "udp", endpoints: [{ host: "127.0.0.1", port: rx.port }], maxDatagramBytes: 70_000, backoff: fast });
    closeAfter(t, s);
    const faults: Error[] = [];
    s.on("fault", (e: Error) => faults.push(e));
    const big = s.send(Buffer.alloc(66_000, 0x61));
    const small = s.send("fits");
    await within(
      assert.rejects(big, (e: Error) => e instanceof SendError && new RegExp(`UDP 127\\.0\\.0\\.1:${rx.port}: .*EMSGSIZE`).test(e.message)),
      5000,
      "the oversize send's rejection",
    );
    await within(small, 5000, "the next send");
    await rx.waitFor(1);
    assert.deepEqual(rx.datagrams.map(String), ["fits"]);
    const st = s.stats();
    assert.deepEqual([st.state, st.queued, st.queuedBytes, st.sent, st.connects], ["connected", 0, 0, 1, 1]);
    assert.deepEqual(faults, []);
    await s.close();
    await rx.close();
  },
);

test(
  "UDP: a datagram refused by the receiver's host (ICMP port unreachable) is not the message's fault: the channel is reopened and that datagram sent again",
  limit,
  async (t) => {
    // A UDP port nothing listens on: the kernel answers d0 with "port unreachable", so the send of
    // d1 right behind it (same turn, own datagram) fails with ECONNREFUSED.
    const probe = await udpReceiver();
    const port = probe.port;
    await probe.close();
    const s = new SyslogSender({ protocol: "udp", endpoints: [{ host: "127.0.0.1", port }], backoff: fast });
    closeAfter(t, s);
    let rx: Promise<Awaited<ReturnType<typeof udpReceiver>>> | undefined;
    const faults: string[] = [];
    s.on("fault", (e: Error) => {
      faults.push(e.message);
      // The receiver comes up before the reconnect (its bind is a tick away, the backoff 5-10 ms).
      rx ??= udpReceiver("udp4", port);
    });
    const [d0, d1] = ["d0", "d1"].map((m) => `<14>1 - - - - - - ${m}`);
    assert.deepEqual(await within(Promise.all([outcome(s.send(d0)), outcome(s.send(d1))]), 10_000, "both sends settled"), ["resolved", "resolved"]);
    assert.ok(rx, "the refusal was reported as a fault");
    const r = await rx;
    closeAfter(t, r);
    await r.waitFor(1, 10_000);
    await s.idle();
    // d0 went out before the receiver existed (UDP's loss, its send resolved when the kernel took
    // it); d1, refused, was sent again on the new channel: exactly once.
    assert.deepEqual(r.datagrams.map(String), [d1]);
    assert.equal(faults.length, 1);
    assert.match(faults[0], new RegExp(`^UDP 127\\.0\\.0\\.1:${port}: connection refused$`));
    const st = s.stats();
    assert.deepEqual([st.sent, st.resent, st.queued, st.connects, st.faults], [2, 1, 0, 2, { refused: 1 }]);
    await s.close();
    await r.close();
  },
);

test(
  "TCP: a write still queued in the socket when the receiver resets the connection is not counted as written: it goes out again, first, on the next connection",
  limit,
  async (t) => {
    const rx = await streamReceiver();
    closeAfter(t, rx);
    // No replay window: only frames whose write was never confirmed go out again.
    const s = new SyslogSender({
      protocol: "tcp",
      endpoints: [{ host: "127.0.0.1", port: rx.port }],
      backoff: fast,
      replayWindowMs: 0,
      maxQueueBytes: 256 << 20,
    });
    closeAfter(t, s);
    const paused = await pausedConnection(s, rx);
    // 60 kB frames, one write each, in rounds of 3 MB until the kernel's buffers are full and a
    // write stays queued in the socket (here after about 4 MB; some kernels take tens of MB).
    const body = (i: number): string => `${String(i).padStart(5, "0")} ` + "y".repeat(60_000);
    const sends: Promise<string>[] = [];
    let n = 0;
    const pendingWrite = (): boolean => s.stats().writes > s.stats().sent;
    while (!pendingWrite()) {
      if (n >= 2000) assert.fail(`no write stayed queued after ${n} frames of 60 kB`);
      sends.push(outcome(s.sendMany(Array.from({ length: 50 }, (_, k) => body(n + k)))));
      n += 50;
      // The pump ran, and so did every write the kernel took at once (their callbacks come on the next tick).
      await new Promise((r) => setImmediate(r));
    }
    const confirmed = s.stats().sent;
    // One write in the socket, and on Node.js 22 (64 KiB stream buffers) one more buffered behind it.
    const queuedWrites = s.stats().writes - confirmed;
    assert.ok(queuedWrites === 1 || queuedWrites === 2, `${queuedWrites} writes queued`);
    paused.resetAndDestroy();
    await waitState(s, "disconnected");
    // The queued writes' frames are not counted as sent: they are back in the queue, counted as resent.
    const atLoss = s.stats();
    assert.deepEqual([atLoss.sent, atLoss.resent, atLoss.queued], [confirmed, queuedWrites, n - confirmed]);
    assert.deepEqual(await within(Promise.all(sends), 20_000, "every send settled"), Array(sends.length).fill("resolved"));
    await s.idle();
    // Frames arrive in order: once the last one is in, anything missing is missing for good.
    const id = (f: Buffer | undefined): string | undefined => f?.subarray(0, 5).toString();
    await until(() => id(rx.connections[1]?.at(-1)) === String(n - 1).padStart(5, "0"), 10_000, "the last frame at the receiver");
    // The frames the kernel took died with the connection (no replay window); the one whose write
    // was queued, and everything after it, arrive on the next connection, in order, once.
    assert.equal(rx.connections.length, 2);
    assert.deepEqual(rx.connections[0], []);
    assert.deepEqual(
      rx.connections[1].map(id),
      Array.from({ length: n - confirmed }, (_, i) => String(confirmed + i).padStart(5, "0")),
    );
    for (const f of rx.connections[1]) assert.equal(f.length, 60_006);
    const st = s.stats();
    assert.deepEqual([st.sent, st.resent, st.queued, st.queuedBytes, st.connects, st.faults], [n, queuedWrites, 0, 0, 2, { disconnected: 1 }]);
    await s.close();
    await rx.close();
  },
);

test("a receiver that stops reading: the sender stops writing once the socket says so, and resumes on drain; everything arrives once", limit, async (t) => {
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], maxQueueBytes: 64 << 20, replayWindowMs: 0 });
  closeAfter(t, s);
  const paused = await pausedConnection(s, rx);
  // 200 frames of 60 kB, one write each: 12 MB, about three times what the loopback's socket
  // buffers take here before a write returns false (66 writes, 4 MB).
  const n = 200;
  const body = (i: number): string => `${String(i).padStart(5, "0")} ` + "y".repeat(60_000);
  const all = s.sendMany(Array.from({ length: n }, (_, i) => body(i)));
  await new Promise((r) => setImmediate(r)); // the pump ran: it wrote until a write returned false
  const early = s.stats().writes;
  assert.ok(early > 0 && early < n, `writes stop at the socket's bound: ${early} of ${n}`);
  paused.resume();
  await within(all, 20_000, "every frame written after the receiver reads again");
  await rx.waitFor(n);
  assert.equal(s.stats().writes, n);
  assert.deepEqual(
    rx.frames.map((f) => f.subarray(0, 5).toString()),
    Array.from({ length: n }, (_, i) => String(i).padStart(5, "0")),
  );
  await s.close();
  await rx.close();
});

test("close() while a connect is under way that then succeeds: the new connection is ended at once and the sender stays closed", limit, async (t) => {
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const real = transport.openChannel;
  let go: () => void = () => assert.fail("no connect attempt");
  const gate = new Promise<void>((r) => (go = r));
  t.mock.method(transport, "openChannel", async (how: transport.ChannelOptions) => {
    await gate;
    return real(how);
  });
  const s = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  const seen: string[] = [];
  s.on("state", (st: string) => seen.push(st));
  s.open();
  await s.close();
  go();
  await until(() => rx.connections.length === 1, 5000, "the late connection at the receiver");
  await until(() => rx.sockets.size === 0, 5000, "the late connection ended by the sender");
  assert.deepEqual(seen, ["connecting", "closed"]);
  assert.equal(s.stats().connects, 0);
});

test("UDP: at most 256 datagrams in flight (handed to the socket, not yet sent); the others wait their turn", limit, async (t) => {
  const rx = await udpReceiver();
  closeAfter(t, rx);
  // The real channel, with its writes counted while their callbacks are outstanding.
  const real = transport.openChannel;
  let inFlight = 0;
  let most = 0;
  t.mock.method(transport, "openChannel", async (how: transport.ChannelOptions) => {
    const ch = await real(how);
    const write = ch.write.bind(ch);
    ch.write = (buf, cb, progress) => {
      most = Math.max(most, ++inFlight);
      return write(
        buf,
        (err) => {
          inFlight--;
          cb(err);
        },
        progress,
      );
    };
    return ch;
  });
  const s = new SyslogSender({ protocol: "udp", endpoints: [{ host: "127.0.0.1", port: rx.port }] });
  closeAfter(t, s);
  await within(Promise.all(msgs(300).map((m) => s.send(m))), 10_000, "300 datagrams sent");
  assert.deepEqual([most, s.stats().writes, s.stats().sent], [256, 300, 300]);
  await s.close();
  await rx.close();
});

test("close() that gave up on unanswered RELP frames: answers arriving afterwards do not count them as sent", limit, async (t) => {
  // The collector answers just after close() gave up on the frames: some of them, or all.
  for (const answered of [2, 4]) {
    const srv = await relpServer();
    closeAfter(t, srv);
    srv.answer = () => "hold";
    const s = new SyslogSender({ protocol: "relp", endpoints: [{ host: "127.0.0.1", port: srv.port }], backoff: fast });
    closeAfter(t, s);
    const outcome = s.sendMany(["a", "b", "c", "d"]).then(
      () => "resolved",
      (e: Error) => e.name,
    );
    await until(() => srv.messages().length === 4, 10_000, "4 frames at the collector");
    s.on("state", (st: string) => {
      if (st === "closed") srv.release(answered);
    });
    await s.close(50);
    assert.equal(await outcome, "SendError", `${answered} answered`);
    const st = s.stats();
    assert.deepEqual([st.state, st.sent, st.sentBytes, st.queued, st.queuedBytes], ["closed", 0, 0, 0, 0], `${answered} answered`);
    await srv.close();
  }
});

test("a backlog handed over whose first frame continues, by offset, this sender's last queued frame goes out as its own bytes", limit, async (t) => {
  // Sender b's receiver takes a write but says "wait for drain" (write returns false), and is lost
  // before it drains: b's second frame, encoded right after its first in b's buffer, is left queued.
  const fakePort = await freePort();
  let fake: (EventEmitter & transport.Channel) | undefined;
  const real = transport.openChannel;
  t.mock.method(transport, "openChannel", async (how: transport.ChannelOptions) => {
    if (how.endpoint.port !== fakePort) return real(how);
    if (fake) throw new transport.TransportError("refused", how.endpoint, "ECONNREFUSED");
    const ch: EventEmitter & transport.Channel = Object.assign(new EventEmitter(), {
      datagram: false,
      endpoint: how.endpoint,
      write: (_buf: Buffer, cb: (err?: Error | null) => void): boolean => {
        process.nextTick(cb);
        return false;
      },
      end: async (): Promise<void> => {
        ch.emit("close");
      },
      destroy: (err?: Error): void => {
        ch.emit("close", err);
      },
    });
    fake = ch;
    return ch;
  });
  const [x0, x1, a0, b0, b1] = ["x0", "x1", "a0", "b0", "b1"].map((m) => Buffer.from(`<14>1 - - - - - - ${m}`));
  const frameBytes = octetFrame(b0).length;
  const b = new SyslogSender({
    protocol: "tcp",
    endpoints: [{ host: "127.0.0.1", port: fakePort }],
    replayWindowMs: 0,
    maxBatchBytes: frameBytes, // b0 and b1: one write each
    backoff: { initialMs: 60_000, maxMs: 60_000 },
  });
  closeAfter(t, b);
  b.open();
  await waitState(b, "connected");
  // One turn: b0 and b1 are consecutive in b's buffer (one promise for both: it settles when a writes b1).
  const sentB = b.sendMany([b0, b1]);
  await until(() => b.stats().sent === 1, 10_000, "b0 written");
  assert.deepEqual([b.stats().sent, b.stats().queued], [1, 1]);
  fake!.destroy(new transport.TransportError("gone", { host: "127.0.0.1", port: fakePort }, "ECONNRESET"));
  const backlog = b.takeBacklog();
  assert.equal(backlog?.frames, 1);

  // Sender a: its buffer starts over at offset 0 once x0 and x1 are written (no replay window),
  // so a0 sits where x0 was and ends where b1 starts in b's buffer.
  const rx = await streamReceiver();
  closeAfter(t, rx);
  const a = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], replayWindowMs: 0 });
  closeAfter(t, a);
  await within(a.sendMany([x0, x1]), 10_000, "x0 and x1 sent");
  await a.idle();
  const sentA0 = a.send(a0);
  a.handOver(backlog!);
  await within(Promise.all([sentA0, sentB]), 10_000, "a0 and b1 sent");
  await rx.waitFor(4, 10_000);
  await a.idle();
  assert.deepEqual(rx.frames.map(String), [x0, x1, a0, b1].map(String));
  assert.equal(a.stats().sent, 4);
  await a.close();
  await b.close();
  await rx.close();
});

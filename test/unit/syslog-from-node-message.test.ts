import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { isBatchMessage, recordsFromMessage } from "../../lib/syslog/from-node-message";
import { SyslogSender, type SenderState } from "../../lib/syslog/sender";

const defaults = { facility: 16, severity: 6, hostname: "fwd", appName: "app", procId: "", msgId: "" };

test("msg → records: overrides merge over defaults; 0 and empty strings handled; body forms", () => {
  const [r] = recordsFromMessage({ payload: { a: 1 }, syslog: { severity: 0, facility: 0, hostname: "", msgId: "X" } }, defaults);
  assert.equal(r.severity, 0);
  assert.equal(r.facility, 0);
  assert.equal(r.hostname, "fwd", "an empty override keeps the default");
  assert.equal(r.msgId, "X");
  assert.equal(r.message, '{"a":1}');
  assert.equal(r.timestamp, undefined, "no time anywhere: the formatter uses now");
  assert.equal(recordsFromMessage({ payload: "text" }, defaults)[0].message, "text");
  const buf = Buffer.from("bytes");
  assert.equal(recordsFromMessage({ payload: buf }, defaults)[0].message, buf);
  assert.equal(recordsFromMessage({}, defaults)[0].message, "");
  assert.equal(recordsFromMessage({ payload: 42 }, defaults)[0].message, "42");
  assert.equal(recordsFromMessage({ payload: "p", syslog: { message: "m" } }, defaults)[0].message, "m");
});

test("msg → records: only msg.syslog's own fields count, also after Object.prototype was polluted", () => {
  // A field msg.syslog inherits (from its prototype, or from a polluted Object.prototype) never
  // overrides a default: the plain-object fast path must see the pollution.
  const inheriting = Object.create({ hostname: "inherited", message: "inherited body" }) as Record<string, unknown>;
  inheriting.msgId = "OWN";
  const [a] = recordsFromMessage({ payload: "p", syslog: inheriting }, defaults);
  assert.deepEqual([a.hostname, a.msgId, a.message], ["fwd", "OWN", "p"]);
  const proto = Object.prototype as Record<string, unknown>;
  for (const warm of [0, 1, 2]) recordsFromMessage({ payload: "p", syslog: { severity: warm } }, defaults); // the fast path first
  try {
    proto.hostname = "polluted";
    proto.message = "polluted body";
    const [b] = recordsFromMessage({ payload: "p", syslog: { severity: 3 } }, defaults);
    assert.deepEqual([b.hostname, b.message, b.severity], ["fwd", "p", 3]);
    const [c] = recordsFromMessage({ payload: "p", syslog: { hostname: "own", severity: 3 } }, defaults);
    assert.equal(c.hostname, "own");
  } finally {
    delete proto.hostname;
    delete proto.message;
  }
  const [d] = recordsFromMessage({ payload: "p", syslog: { hostname: "own" } }, defaults);
  assert.deepEqual([d.hostname, d.message], ["own", "p"]);
});

test("msg → records: SLS time is the fallback timestamp; an explicit timestamp wins", () => {
  assert.deepEqual(recordsFromMessage({ payload: "x", sls: { time: 1714979289, timeNs: 5 } }, defaults)[0].timestamp, { seconds: 1714979289, nanos: 5 });
  assert.deepEqual(recordsFromMessage({ payload: "x", sls: { time: 1714979289 } }, defaults)[0].timestamp, { seconds: 1714979289, nanos: 0 });
  assert.equal(
    recordsFromMessage({ payload: "x", syslog: { timestamp: "2024-01-01T00:00:00Z" }, sls: { time: 1 } }, defaults)[0].timestamp,
    "2024-01-01T00:00:00Z",
  );
  assert.equal(recordsFromMessage({ payload: "x", sls: { time: "1" } }, defaults)[0].timestamp, undefined, "a non-number time is ignored");
});

test("msg → records: batch by payload array (one syslog object for all) or by a parallel syslog array", () => {
  const a = recordsFromMessage({ payload: ["a", "b"], syslog: { msgId: "M" }, sls: { time: 1, records: [{ time: 10 }, { time: 20, timeNs: 1 }] } }, defaults);
  assert.deepEqual(
    a.map((r) => [r.message, r.msgId, r.timestamp]),
    [
      ["a", "M", { seconds: 10, nanos: 0 }],
      ["b", "M", { seconds: 20, nanos: 1 }],
    ],
  );
  const b = recordsFromMessage({ payload: ["a"], syslog: [{ msgId: "1" }, { msgId: "2", message: "only syslog" }], sls: { time: 7 } }, defaults);
  assert.deepEqual(
    b.map((r) => [r.message, r.msgId, r.timestamp]),
    [
      ["a", "1", { seconds: 7, nanos: 0 }],
      ["only syslog", "2", { seconds: 7, nanos: 0 }],
    ],
  );
  assert.deepEqual(recordsFromMessage({ payload: [] }, defaults), []);
  assert.deepEqual([{ payload: ["a"] }, { syslog: [] }, { payload: "a", syslog: {} }, {}].map(isBatchMessage), [true, true, false, false]);
});

test("connect timeout: a TLS receiver that never answers the handshake gives a clear error and a retry", async () => {
  const sockets = new Set<net.Socket>();
  const mute = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
  });
  mute.listen(0, "127.0.0.1");
  await once(mute, "listening");
  const port = (mute.address() as net.AddressInfo).port;
  const s = new SyslogSender({ protocol: "tls", endpoints: [{ host: "127.0.0.1", port }], connectTimeoutMs: 150, backoff: { initialMs: 10, maxMs: 10 } });
  const states: SenderState[] = [];
  s.on("state", (st: SenderState) => states.push(st));
  s.open();
  const err = await new Promise<Error>((r) => s.once("fault", r));
  assert.match(err.message, new RegExp(`TLS 127\\.0\\.0\\.1:${port}: no connection within 150 ms`));
  await new Promise<void>((r) => {
    const on = (st: SenderState): void => {
      if (st === "connecting") {
        s.off("state", on);
        r();
      }
    };
    s.on("state", on);
  });
  assert.deepEqual(states.slice(0, 3), ["connecting", "disconnected", "connecting"]);
  await s.close(10);
  for (const x of sockets) x.destroy();
  await new Promise<void>((r) => mute.close(() => r()));
});

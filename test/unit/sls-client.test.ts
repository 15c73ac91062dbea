// The SLS client against a loopback HTTP stub: addressing, headers, PullLogs decoding, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SlsClient, parseEndpoint } from "../../lib/sls/client";
import { SlsError } from "../../lib/sls/errors";
import { encodeLogGroup, encodeLogGroupList } from "../../lib/sls/log-group-codec";
import { lz4CompressBlock } from "../../lib/sls/lz4";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

async function stub(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const creds = { accessKeyId: "AKID", accessKeySecret: "TOPSECRET" };

test("endpoint parsing keeps the port and defaults to https", () => {
  assert.deepEqual(parseEndpoint("http://127.0.0.1:8080/"), { protocol: "http", host: "127.0.0.1:8080" });
  assert.deepEqual(parseEndpoint("cn-hangzhou.log.aliyuncs.com"), { protocol: "https", host: "cn-hangzhou.log.aliyuncs.com" });
  assert.throws(() => parseEndpoint("http://a b"), SlsError);
});

test("PullLogs: CNAME host, protobuf + lz4 negotiated, decoded into plain log groups", async () => {
  const g1 = encodeLogGroup({
    logs: [
      {
        time: 1700000000,
        timeNs: 5,
        contents: [
          ["k", "v"],
          ["seq", "1"],
        ],
      },
    ],
    topic: "t",
    source: "s",
    tags: [["host", "h1"]],
  });
  const g2 = encodeLogGroup({ logs: [{ time: 1700000001, contents: [["seq", "2"]] }], tags: [] });
  const raw = encodeLogGroupList([g1, g2]);
  const body = lz4CompressBlock(raw);
  const s = await stub((req, res) => {
    res.writeHead(200, {
      "x-log-requestid": "RID",
      "x-log-cursor": "MTcwMDAwMDAwMDAwMDAwMDAwMg==",
      "x-log-count": "2",
      "x-log-bodyrawsize": String(raw.length),
      "x-log-compresstype": "lz4",
      "x-log-cursor-time": "1700000001",
      "x-log-end-of-cursor": "1",
      "content-type": "application/x-protobuf",
    });
    res.end(body);
  });
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: creds });
    const r = await c.pullLogs("proj", "store", 3, "MTcwMDAwMDAwMDAwMDAwMDAwMA==", { count: 500 });
    assert.equal(r.count, 2);
    assert.equal(r.nextCursor, "MTcwMDAwMDAwMDAwMDAwMDAwMg==");
    assert.equal(r.rawSize, raw.length);
    assert.equal(r.endOfCursor, true);
    assert.equal(r.cursorTime, 1700000001);
    assert.deepEqual(r.groups.at(0)!.records[0], { k: "v", seq: "1", __time__: 1700000000, __topic__: "t", __source__: "s", "__tag__:host": "h1" });
    assert.deepEqual(r.groups.at(0)!.timeNs, [5]);
    assert.deepEqual(r.groups.at(0)!.tags, [["host", "h1"]]);
    assert.deepEqual(r.groups.at(1)!.records[0], { seq: "2", __time__: 1700000001, __topic__: "", __source__: "" });
    assert.deepEqual(r.groups.at(1)!.timeNs, [0]);
    const h = s.seen[0].headers;
    const u = new URL(s.seen[0].url, "http://x");
    assert.equal(u.pathname, "/logstores/store/shards/3");
    assert.deepEqual(Object.fromEntries(u.searchParams), { type: "log", cursor: "MTcwMDAwMDAwMDAwMDAwMDAwMA==", count: "500" });
    assert.equal(h.host, s.url.slice("http://".length), "CNAME mode: Host is the bare endpoint");
    assert.equal(h.accept, "application/x-protobuf");
    assert.equal(h["accept-encoding"], "lz4");
    assert.equal(h["x-log-apiversion"], "0.6.0");
    assert.match(String(h.authorization), /^LOG AKID:/);
  } finally {
    await s.close();
  }
});

test("PullLogs: an uncompressed body in many chunks, and an empty reply", async () => {
  const logs = Array.from({ length: 2000 }, (_, i) => ({
    time: 1700000000 + i,
    contents: [
      ["seq", String(i)],
      ["pad", "x".repeat(200)],
    ] as Array<[string, string]>,
  }));
  const raw = encodeLogGroupList([encodeLogGroup({ logs, tags: [] })]);
  let n = 0;
  const s = await stub((_req, res) => {
    n++;
    if (n === 1) {
      res.writeHead(200, { "x-log-cursor": "MTE=", "x-log-count": "1", "content-type": "application/x-protobuf" });
      // Several writes: the body reaches the client as several chunks.
      for (let i = 0; i < raw.length; i += 16384) res.write(raw.subarray(i, i + 16384));
      res.end();
    } else {
      res.writeHead(200, { "x-log-cursor": "MTE=", "x-log-count": "0", "x-log-bodyrawsize": "0", "x-log-compresstype": "lz4" });
      res.end();
    }
  });
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: creds });
    const r = await c.pullLogs("proj", "store", 0, "MTA=");
    assert.equal(r.rawSize, raw.length);
    assert.equal(r.groups.at(0)!.records.length, 2000);
    assert.deepEqual(r.groups.at(0)!.records[1999], { seq: "1999", pad: "x".repeat(200), __time__: 1700001999, __topic__: "", __source__: "" });
    const empty = await c.pullLogs("proj", "store", 0, "MTE=");
    assert.deepEqual(empty.groups, []);
    assert.equal(empty.rawSize, 0);
    assert.equal(empty.endOfCursor, true);
  } finally {
    await s.close();
  }
});

test("errors carry code, status, request id and context, never the secret; STS token is sent and refreshed", async () => {
  let n = 0;
  const s = await stub((_req, res) => {
    n++;
    res.writeHead(n === 1 ? 401 : 200, { "content-type": "application/json", "x-log-requestid": `R${n}` });
    res.end(n === 1 ? JSON.stringify({ errorCode: "Unauthorized", errorMessage: "security token expired" }) : "[]");
  });
  try {
    let calls = 0;
    const c = new SlsClient({
      endpoint: s.url,
      credentials: async () => ({ accessKeyId: "STSID", accessKeySecret: "TOPSECRET", securityToken: `tok${++calls}`, expiration: Date.now() + 3600_000 }),
    });
    const err = await c.listShards("proj", "store").then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SlsError);
    assert.equal(err.code, "Unauthorized");
    assert.equal(err.status, 401);
    assert.equal(err.requestId, "R1");
    assert.equal(err.retryable, false);
    assert.equal(err.context.project, "proj");
    assert.doesNotMatch(err.message + JSON.stringify(err), /TOPSECRET/);
    assert.deepEqual(await c.listShards("proj", "store"), []);
    assert.equal(s.seen[0].headers["x-acs-security-token"], "tok1");
    assert.equal(s.seen[1].headers["x-acs-security-token"], "tok2", "a rejected token is refreshed through the provider");
  } finally {
    await s.close();
  }
});

test("network failures and timeouts become retryable SlsErrors", async () => {
  const s = await stub(() => undefined); // never answers
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: creds, connectTimeoutMs: 200, readTimeoutMs: 200 });
    const err = await c.heartbeat("p", "l", "g", "c", []).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SlsError);
    assert.equal(err.retryable, true, `${err.code}`);
  } finally {
    await s.close();
  }
  const dead = await stub(() => undefined);
  const url = dead.url;
  await dead.close();
  const c = new SlsClient({ endpoint: url, credentials: creds });
  const err = await c.heartbeat("p", "l", "g", "c", []).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof SlsError);
  assert.equal(err.code, "ECONNREFUSED");
  assert.equal(err.retryable, true);
});

test("PullLogs sends an SPL filter with pullMode=scan_on_stream; an empty result is no groups", async () => {
  const s = await stub((_req, res) => {
    res.writeHead(200, { "x-log-cursor": "MTA=", "x-log-count": "0", "x-log-bodyrawsize": "0", "x-log-end-of-cursor": "1" });
    res.end();
  });
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: creds, cname: "on" });
    const r = await c.pullLogs("proj", "store", 0, "MTA=", { query: "* | where status >= 500", endCursor: "MjA=" });
    assert.deepEqual(r, { groups: [], nextCursor: "MTA=", count: 0, rawSize: 0, cursorTime: 0, endOfCursor: true });
    const q = Object.fromEntries(new URL(s.seen[0].url, "http://x").searchParams);
    assert.deepEqual(q, { type: "log", cursor: "MTA=", count: "1000", end_cursor: "MjA=", query: "* | where status >= 500", pullMode: "scan_on_stream" });
  } finally {
    await s.close();
  }
});

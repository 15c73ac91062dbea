// PullLogs over our own HTTP transport: signatures (checked by the emulator's verifier), STS,
// compressed bodies, and every failure as an SlsError a user can act on.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import zlib from "node:zlib";
import { randomBytes } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";
import { SlsClient } from "../../lib/sls/client";
import { SlsError } from "../../lib/sls/errors";
import { decodeLogGroupList, encodeLogGroup, encodeLogGroupList } from "../../lib/sls/log-group-codec";
import { LZ4_SCRATCH, lz4CompressBlock, lz4DecompressAfterScratch, Lz4Error } from "../../lib/sls/lz4";
import { verifyRequest, type Account } from "../../emulator/signature";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

async function server(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  let n = 0;
  const s = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res, ++n));
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

const raw = encodeLogGroupList([
  encodeLogGroup({ logs: [{ time: 1700000000, contents: [["msg", "héllo wörld, a value long enough"]] }], tags: [["host", "h"]] }),
]);
const okHeaders = { "x-log-cursor": "MTE=", "x-log-count": "1", "x-log-bodyrawsize": String(raw.length) };

test("PullLogs is V1-signed with the STS token; a rejected token is refreshed through the provider", async () => {
  const accounts = new Map<string, Account>();
  const s = await server((req, res) => {
    const u = new URL(req.url!, "http://x");
    try {
      verifyRequest({ method: req.method!, path: u.pathname, query: [...u.searchParams], headers: req.headers, body: Buffer.alloc(0) }, accounts, Date.now());
    } catch (e) {
      const err = e as { status: number; code: string; message: string };
      res.writeHead(err.status, { "content-type": "application/json", "x-log-requestid": "RID-1" });
      res.end(JSON.stringify({ errorCode: err.code, errorMessage: err.message }));
      return;
    }
    res.writeHead(200, { ...okHeaders, "x-log-compresstype": "lz4" });
    res.end(lz4CompressBlock(raw));
  });
  try {
    accounts.set("STSID", { accessKeyId: "STSID", accessKeySecret: "TOPSECRET", securityToken: "tok2" });
    let calls = 0;
    const c = new SlsClient({
      endpoint: s.url,
      credentials: async () => ({ accessKeyId: "STSID", accessKeySecret: "TOPSECRET", securityToken: `tok${++calls}`, expiration: Date.now() + 3600_000 }),
    });
    const err = await c.pullLogs("proj", "store", 2, "MTA=").then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SlsError);
    assert.equal(err.code, "Unauthorized");
    assert.equal(err.status, 401);
    assert.equal(err.requestId, "RID-1");
    assert.equal(err.retryable, false);
    assert.deepEqual(err.context, {
      action: "PullLogs",
      host: s.url.slice("http://".length),
      project: "proj",
      logstore: "store",
      shard: 2,
      consumerGroup: undefined,
    });
    assert.doesNotMatch(err.message + JSON.stringify(err), /TOPSECRET/);
    const r = await c.pullLogs("proj", "store", 2, "MTA=");
    assert.deepEqual(r.groups.at(0)!.records, [
      { msg: "héllo wörld, a value long enough", __time__: 1700000000, __topic__: "", __source__: "", "__tag__:host": "h" },
    ]);
    assert.equal(r.rawSize, raw.length);
  } finally {
    await s.close();
  }
});

test("PullLogs: deflate bodies, and malformed bodies and error replies as SlsErrors", async () => {
  const replies: Array<(res: http.ServerResponse) => void> = [
    (res) => {
      res.writeHead(200, { ...okHeaders, "x-log-compresstype": "deflate" });
      res.end(zlib.deflateSync(raw));
    },
    (res) => {
      res.writeHead(200, { ...okHeaders, "x-log-bodyrawsize": String(raw.length + 1), "x-log-compresstype": "lz4" });
      res.end(lz4CompressBlock(raw));
    },
    (res) => {
      res.writeHead(200, { ...okHeaders, "x-log-compresstype": "zstd" });
      res.end(Buffer.from([1, 2, 3]));
    },
    (res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
    },
    (res) => {
      res.writeHead(403, { "content-type": "application/json", "x-log-requestid": "R5" });
      res.end(JSON.stringify({ errorCode: "ShardReadQuotaExceed", errorMessage: "shard read quota exceed" }));
    },
    (res) => {
      // The connection drops in the middle of the body.
      res.writeHead(200, { ...okHeaders, "content-length": "1000" });
      res.write(Buffer.alloc(10));
      setImmediate(() => res.socket?.destroy());
    },
  ];
  const s = await server((_req, res, n) => replies[n - 1](res));
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: { accessKeyId: "AK", accessKeySecret: "SK" } });
    const pull = () =>
      c.pullLogs("proj", "store", 0, "MTA=").then(
        (r) => r,
        (e: unknown) => e as SlsError,
      );
    const ok = await pull();
    assert.ok(!(ok instanceof Error));
    assert.equal(ok.groups.at(0)!.records[0].msg, "héllo wörld, a value long enough");
    const outcomes = [];
    for (let i = 1; i < replies.length; i++) {
      const e = await pull();
      assert.ok(e instanceof SlsError, `reply ${i + 1}`);
      outcomes.push([e.code, e.status, e.retryable, e.requestId]);
    }
    assert.deepEqual(outcomes, [
      ["BadResponse", 200, true, ""],
      ["BadResponse", 200, true, ""],
      ["HTTP502", 502, true, ""],
      ["ShardReadQuotaExceed", 403, true, "R5"],
      ["ECONNRESET", 0, true, ""],
    ]);
  } finally {
    await s.close();
  }
});

test("PullLogs: no reply within the read timeout is a retryable RequestTimeout", async () => {
  const s = await server(() => undefined);
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: { accessKeyId: "AK", accessKeySecret: "SK" }, connectTimeoutMs: 1000, readTimeoutMs: 150 });
    const e = await c.pullLogs("proj", "store", 1, "MTA=").then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(e instanceof SlsError);
    assert.equal(e.code, "RequestTimeout");
    assert.equal(e.retryable, true);
    assert.equal(e.context.shard, 1);
  } finally {
    await s.close();
  }
});

test("lz4DecompressAfterScratch: the native and the JS decoder agree and reject wrong sizes", () => {
  const block = lz4CompressBlock(Buffer.from("abcabcabcabc-0123456789-".repeat(500)));
  const framed = () => Buffer.concat([Buffer.alloc(LZ4_SCRATCH), block]);
  const size = 24 * 500;
  const js = lz4DecompressAfterScratch(framed(), size, undefined);
  assert.equal(js.toString(), "abcabcabcabc-0123456789-".repeat(500));
  assert.deepEqual(lz4DecompressAfterScratch(framed(), size), js);
  for (const bad of [size - 1, size + 1, block.length * 255 + 17]) {
    assert.throws(() => lz4DecompressAfterScratch(framed(), bad), Lz4Error, `native or default, size ${bad}`);
    assert.throws(() => lz4DecompressAfterScratch(framed(), bad, undefined), Lz4Error, `JS, size ${bad}`);
  }
});

test("PullLogs reuses one keep-alive connection; close() ends it", async () => {
  const sockets = new Set<Socket>();
  let closed = 0;
  const s = await server((req, res) => {
    if (!sockets.has(req.socket)) {
      sockets.add(req.socket);
      req.socket.on("close", () => closed++);
    }
    res.writeHead(200, { ...okHeaders, "x-log-compresstype": "lz4" });
    res.end(lz4CompressBlock(raw));
  });
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: { accessKeyId: "AK", accessKeySecret: "SK" } });
    for (let i = 0; i < 3; i++) assert.equal((await c.pullLogs("proj", "store", 0, "MTA=")).count, 1);
    assert.equal(sockets.size, 1, "one connection for three pulls");
    c.close();
    const socket = [...sockets][0];
    if (!socket.destroyed) await new Promise((r) => socket.once("close", r));
    assert.equal(closed, 1);
  } finally {
    await s.close();
  }
});

test("PullLogs: LZ4 replies of changing sizes each decode to their own records, also when decoded after later pulls", async () => {
  const bodies = [3000, 10, 200_000, 1, 6_000_000].map((len, i) => {
    // Base64 of random bytes: compresses little, so the last reply's compressed form is over 4 MB.
    const value = randomBytes(Math.ceil((len * 3) / 4))
      .toString("base64")
      .slice(0, len);
    return encodeLogGroupList([
      encodeLogGroup({
        logs: [
          {
            time: 1700000000 + i,
            contents: [
              ["i", String(i)],
              ["v", value],
            ],
          },
        ],
        tags: [],
      }),
    ]);
  });
  const s = await server((req, res, n) => {
    const b = bodies[(n - 1) % bodies.length];
    res.writeHead(200, { "x-log-cursor": "MTE=", "x-log-count": "1", "x-log-bodyrawsize": String(b.length), "x-log-compresstype": "lz4" });
    res.end(lz4CompressBlock(b));
  });
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: { accessKeyId: "AK", accessKeySecret: "SK" } });
    const pulls = [];
    for (let round = 0; round < 2; round++) for (let i = 0; i < bodies.length; i++) pulls.push(await c.pullLogs("proj", "store", 0, "MTA="));
    assert.equal(lz4CompressBlock(bodies[4]).length > 4 << 20, true);
    pulls.forEach((r, k) => {
      const want = decodeLogGroupList(bodies[k % bodies.length])[0].logs[0];
      assert.deepEqual(
        r.groups.at(0)!.records,
        [{ i: String(k % bodies.length), v: want.contents[1][1], __time__: want.time, __topic__: "", __source__: "" }],
        `pull ${k}`,
      );
    });
    c.close();
  } finally {
    await s.close();
  }
});

test("size caps: a raw size over 64 MiB, a body over 64 MiB, a deflate bomb and a huge error body end as errors, not allocations; PullLogs asks for fewer log groups", async () => {
  const counts: number[] = [];
  const s = await server((req, res) => {
    const u = new URL(req.url!, "http://x");
    const shard = u.pathname.split("/").pop();
    if (shard === "0") {
      // Announces 1 GiB behind a few bytes.
      res.writeHead(200, { "x-log-cursor": "MTE=", "x-log-count": "1", "x-log-bodyrawsize": String(1 << 30), "x-log-compresstype": "lz4" });
      res.end(Buffer.alloc(64));
    } else if (shard === "1") {
      // 65 MiB of body, uncompressed.
      res.writeHead(200, { "x-log-cursor": "MTE=", "x-log-count": "1" });
      const mb = Buffer.alloc(1 << 20, 0x41);
      let n = 0;
      const more = (): void => {
        while (n < 65) {
          n++;
          if (!res.write(mb)) {
            res.once("drain", more);
            return;
          }
        }
        res.end();
      };
      res.on("error", () => undefined);
      more();
    } else if (shard === "2") {
      // 1 MiB of zeros deflates to about 1 KB; the header claims 100 bytes.
      const bomb = zlib.deflateSync(Buffer.alloc(1 << 20));
      res.writeHead(200, { "x-log-cursor": "MTE=", "x-log-count": "1", "x-log-bodyrawsize": "100", "x-log-compresstype": "deflate" });
      res.end(bomb);
    } else if (shard === "3") {
      res.writeHead(500, { "content-type": "application/json", "x-log-requestid": "RID-BIG" });
      res.end(Buffer.concat([Buffer.from('{"errorCode":"InternalServerError","errorMessage":"'), Buffer.alloc(10 << 20, 0x61), Buffer.from('"}')]));
    } else {
      // Too large for more than 4 log groups: the client halves its count until it fits.
      const count = Number(u.searchParams.get("count"));
      counts.push(count);
      if (count > 4) {
        res.writeHead(200, { "x-log-cursor": "MTE=", "x-log-count": String(count), "x-log-bodyrawsize": String(100 << 20), "x-log-compresstype": "lz4" });
        res.end(Buffer.alloc(16));
        return;
      }
      res.writeHead(200, { ...okHeaders, "x-log-compresstype": "lz4" });
      res.end(lz4CompressBlock(raw));
    }
  });
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: { accessKeyId: "a", accessKeySecret: "b" } });
    const fail = (shard: number): Promise<SlsError> =>
      c.pullLogs("proj", "store", shard, "MTA=", { count: 1 }).then(
        () => assert.fail(`shard ${shard} answered`),
        (e: SlsError) => e,
      );
    const huge = await fail(0);
    assert.equal(huge.code, "ReplyTooLarge");
    assert.match(huge.message, /x-log-bodyrawsize 1073741824 exceeds 67108864 bytes/);
    const long = await fail(1);
    assert.equal(long.code, "ReplyTooLarge");
    assert.match(long.message, /the reply body exceeds 67108864 bytes/);
    const bomb = await fail(2);
    assert.equal(bomb.code, "BadResponse");
    assert.match(bomb.message, /deflate body/);
    const big = await fail(3);
    assert.equal(big.code, "HTTP500", "only the first 64 KiB of an error reply are kept: not JSON any more");
    assert.equal(big.requestId, "RID-BIG");
    const r = await c.pullLogs("proj", "store", 4, "MTA=", { count: 1000 });
    assert.equal(r.groups.length, 1);
    assert.deepEqual(counts, [1000, 500, 250, 125, 63, 32, 16, 8, 4]);
    c.close();
  } finally {
    await s.close();
  }
});

test("control-plane replies over 8 MiB end as ReplyTooLarge", async () => {
  const s = await server((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "x-log-requestid": "RID-J" });
    res.end(
      JSON.stringify(
        Array.from({ length: 200_000 }, (_, i) => ({
          shardID: i,
          status: "readwrite",
          inclusiveBeginKey: "0".repeat(32),
          exclusiveEndKey: "f".repeat(32),
          createTime: 1,
        })),
      ),
    );
  });
  try {
    const c = new SlsClient({ endpoint: s.url, credentials: { accessKeyId: "a", accessKeySecret: "b" } });
    const e = await c.listShards("proj", "store").then(
      () => assert.fail("answered"),
      (err: SlsError) => err,
    );
    assert.equal(e.code, "ReplyTooLarge");
    assert.match(e.message, /exceeds 8388608 bytes/);
  } finally {
    await s.close();
  }
});

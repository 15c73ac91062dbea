// Wire-level behaviour: hmac-sha1 clients (@alicloud/log), tampering, clock skew, error format,
// body limits and request compression.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { start, Emulator } from "../../../emulator/index";
import { encodeLogGroup, encodeLogGroupList, decodeLogGroupList } from "../../../lib/sls/log-group-codec";
import { lz4CompressBlock } from "../../../lib/sls/lz4";
import { decompressBody } from "../../../emulator/compression";
import { logSdkClient, rawRequest, RawResponse, signV1 } from "../../../support/raw-sls";

function sls(r: RawResponse): { errorCode: string; errorMessage: string } {
  assert.match(String(r.headers["x-log-requestid"]), /^[0-9A-F]{24}$/);
  assert.equal(r.headers["content-type"], "application/json");
  return JSON.parse(r.body.toString()) as { errorCode: string; errorMessage: string };
}

const body = encodeLogGroup({ logs: [{ time: 1_700_000_000, contents: [["k", "v".repeat(100)]] }], tags: [] });

describe("emulator wire protocol", () => {
  let emu: Emulator;
  before(async () => {
    emu = await start({ port: 0, logstore: "wire", shards: 1 });
  });
  after(() => emu.close());

  const pullAll = () => {
    const ls = emu.getLogstore("wire");
    const s = ls.shard(0);
    return s.read(s.firstSeq, 1000, s.endSeq, 1 << 30).groups.length;
  };

  it("accepts hmac-sha1 PutLogs from @alicloud/log and serves its GetLogStore", async () => {
    const before = pullAll();
    const client = logSdkClient(emu);
    await client.postLogStoreLogs(undefined, "wire", {
      logs: [{ timestamp: 1_700_000_000, content: { a: "1", b: "two" } }],
      topic: "t",
      source: "s",
      tags: [{ env: "test" }],
    });
    assert.equal(pullAll(), before + 1);
    const ls = await client.getLogStore(undefined, "wire");
    assert.equal(ls.logstoreName, "wire");
    await assert.rejects(client.getLogStore(undefined, "missing"), (e: { code?: string }) => e.code === "LogStoreNotExist");
  });

  it("rejects a wrong secret with 401 SignatureNotMatch", async () => {
    const h = signV1({ ...emu, accessKeySecret: "wrong" }, "POST", "/logstores/wire/shards/lb", {}, body);
    const r = await rawRequest(emu.url, "POST", "/logstores/wire/shards/lb", h, body);
    assert.equal(r.status, 401);
    assert.equal(sls(r).errorCode, "SignatureNotMatch");
  });

  it("rejects a tampered body (same Content-MD5) and a tampered Content-MD5", async () => {
    const before = pullAll();
    const h = signV1(emu, "POST", "/logstores/wire/shards/lb", {}, body);
    const tampered = Buffer.from(body);
    tampered[tampered.length - 1] ^= 1;
    const r1 = await rawRequest(emu.url, "POST", "/logstores/wire/shards/lb", h, tampered);
    assert.equal(r1.status, 400);
    assert.equal(sls(r1).errorCode, "InvalidContentMD5");
    const h2 = { ...h, "content-md5": "0".repeat(32) };
    const r2 = await rawRequest(emu.url, "POST", "/logstores/wire/shards/lb", h2, tampered);
    assert.equal(r2.status, 401);
    assert.equal(sls(r2).errorCode, "SignatureNotMatch");
    const r3 = await rawRequest(emu.url, "POST", "/logstores/wire/shards/lb", h, body);
    assert.equal(r3.status, 200);
    assert.equal(pullAll(), before + 1);
  });

  it("rejects a tampered query and an old Date", async () => {
    const h = signV1(emu, "GET", "/logstores/wire/shards/0", { type: "cursor", from: "begin" }, undefined);
    const ok = await rawRequest(emu.url, "GET", "/logstores/wire/shards/0?type=cursor&from=begin", h);
    assert.equal(ok.status, 200);
    assert.match(JSON.parse(ok.body.toString()).cursor, /^[A-Za-z0-9+/]+=*$/);
    const bad = await rawRequest(emu.url, "GET", "/logstores/wire/shards/0?type=cursor&from=end", h);
    assert.equal(bad.status, 401);
    assert.equal(sls(bad).errorCode, "SignatureNotMatch");
    const old = signV1(emu, "GET", "/logstores/wire/shards", {}, undefined, {}, new Date(Date.now() - 20 * 60 * 1000));
    const r = await rawRequest(emu.url, "GET", "/logstores/wire/shards", old);
    assert.equal(r.status, 400);
    assert.equal(sls(r).errorCode, "RequestTimeExpired");
    const none = await rawRequest(emu.url, "GET", "/logstores/wire/shards", {});
    assert.equal(none.status, 401);
    assert.equal(sls(none).errorCode, "Unauthorized");
  });

  it("accepts the Python SDK's Host and its unsigned x-log-date", async () => {
    const h = signV1(emu, "GET", "/logstores/wire/shards", {}, undefined);
    const r = await rawRequest(emu.url, "GET", "/logstores/wire/shards", { ...h, host: `${emu.project}.127.0.0.1`, "x-log-date": h.date });
    assert.equal(r.status, 200);
    const other = await rawRequest(emu.url, "GET", "/logstores/wire/shards", { ...h, host: "nosuch.127.0.0.1" });
    assert.equal(other.status, 404);
    assert.equal(sls(other).errorCode, "ProjectNotExist");
  });

  it("decompresses lz4 and deflate PutLogs bodies and checks x-log-bodyrawsize", async () => {
    const before = pullAll();
    for (const [type, packed] of [
      ["lz4", lz4CompressBlock(body)],
      ["deflate", deflateSync(body)],
    ] as const) {
      const extra = { "x-log-compresstype": type, "x-log-bodyrawsize": String(body.length) };
      const h = signV1(emu, "POST", "/logstores/wire/shards/lb", {}, packed, extra);
      const r = await rawRequest(emu.url, "POST", "/logstores/wire/shards/lb", h, packed);
      assert.equal(r.status, 200, r.body.toString());
      const wrong = signV1(emu, "POST", "/logstores/wire/shards/lb", {}, packed, { ...extra, "x-log-bodyrawsize": String(body.length + 1) });
      const r2 = await rawRequest(emu.url, "POST", "/logstores/wire/shards/lb", wrong, packed);
      assert.equal(r2.status, 400);
      assert.equal(sls(r2).errorCode, "PostBodyUncompressError");
    }
    assert.equal(pullAll(), before + 2);
    const s = emu.getLogstore("wire").shard(0);
    const last = decodeLogGroupList(encodeLogGroupList([s.at(s.endSeq - 1).bytes]));
    assert.deepEqual(last[0].logs[0].contents, [["k", "v".repeat(100)]]);
  });

  it("refuses bodies over 10 MiB with 413 PostBodyTooLarge", async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 10, 0x41);
    const h = signV1(emu, "POST", "/logstores/wire/shards/lb", {}, big);
    const r = await rawRequest(emu.url, "POST", "/logstores/wire/shards/lb", h, big);
    assert.equal(r.status, 413);
    assert.equal(sls(r).errorCode, "PostBodyTooLarge");
    const claim = signV1(emu, "POST", "/logstores/wire/shards/lb", {}, body, { "x-log-compresstype": "lz4", "x-log-bodyrawsize": String(64 * 1024 * 1024) });
    const r2 = await rawRequest(emu.url, "POST", "/logstores/wire/shards/lb", claim, body);
    assert.equal(r2.status, 413);
  });

  it("answers unknown paths and wrong content types with SLS JSON errors", async () => {
    const h = signV1(emu, "GET", "/nothing", {}, undefined);
    const r = await rawRequest(emu.url, "GET", "/nothing", h);
    assert.equal(r.status, 404);
    assert.ok(sls(r).errorCode);
    const json = Buffer.from("{}");
    const h2 = signV1(emu, "POST", "/logstores/wire/shards/lb", {}, json, { "content-type": "application/json" });
    const r2 = await rawRequest(emu.url, "POST", "/logstores/wire/shards/lb", h2, json);
    assert.equal(r2.status, 400);
    assert.equal(sls(r2).errorCode, "InvalidContentType");
  });
});

describe("emulator body decompression", () => {
  it("never inflates past the announced raw size: a deflate bomb fails at x-log-bodyrawsize", () => {
    const bomb = deflateSync(Buffer.alloc(10 << 20));
    assert.ok(bomb.length < 20_000);
    assert.throws(
      () => decompressBody("deflate", bomb, 100),
      (e: Error & { code?: string }) => e.code === "PostBodyUncompressError" && /Cannot create a Buffer larger than 100 bytes/.test(e.message),
    );
    assert.deepEqual(decompressBody("deflate", deflateSync(Buffer.from("abc")), 3), Buffer.from("abc"));
  });
});

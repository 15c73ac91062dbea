// The V1 request signer used for PullLogs: a fixed vector (computed independently with Python's
// hmac module) and round trips through the emulator's verifier.
import { test } from "node:test";
import assert from "node:assert/strict";
import { v1Authorization, v1StringToSign, type V1Request } from "../../lib/sls/request-signer";
import { verifyRequest, type Account } from "../../emulator/signature";

const request: V1Request = {
  method: "GET",
  path: "/logstores/store/shards/3",
  query: { type: "log", cursor: "MTcwMA==", count: "500" },
  headers: {
    host: "proj.cn-hangzhou.log.aliyuncs.com",
    accept: "application/x-protobuf",
    "accept-encoding": "lz4",
    date: "Sat, 28 Nov 2026 17:45:45 GMT",
    "x-log-apiversion": "0.6.0",
    "x-log-bodyrawsize": "0",
    "x-log-signaturemethod": "hmac-sha1",
    "x-acs-security-token": "tok",
  },
};

test("V1 string to sign and signature: fixed vector", () => {
  assert.equal(
    v1StringToSign(request),
    "GET\n\n\nSat, 28 Nov 2026 17:45:45 GMT\nx-acs-security-token:tok\nx-log-apiversion:0.6.0\nx-log-bodyrawsize:0\nx-log-signaturemethod:hmac-sha1\n/logstores/store/shards/3?count=500&cursor=MTcwMA==&type=log",
  );
  assert.equal(v1Authorization(request, "AKID", "TOPSECRET"), "LOG AKID:CoMg72oYJErRndUyXcD58w66crI=");
  // No query: the resource is the bare path.
  assert.ok(v1StringToSign({ ...request, query: {} }).endsWith("\n/logstores/store/shards/3"));
});

test("the emulator's verifier accepts our V1 signatures and rejects altered requests", () => {
  const now = Date.parse(request.headers.date);
  const accounts = new Map<string, Account>([["AKID", { accessKeyId: "AKID", accessKeySecret: "TOPSECRET", securityToken: "tok" }]]);
  const signed = (r: V1Request, secret = "TOPSECRET") => ({
    method: r.method,
    path: r.path,
    query: Object.entries(r.query) as Array<[string, string | null]>,
    headers: { ...r.headers, authorization: v1Authorization(r, "AKID", secret) },
    body: Buffer.alloc(0),
  });
  assert.equal(verifyRequest(signed(request), accounts, now), "AKID");
  // Values that need percent-encoding in the URL are signed decoded (docs/sls-protocol.md, "V1").
  const spl = { ...request, query: { ...request.query, query: "* | where status >= 500", cursor: "a+b/c==" } };
  assert.equal(verifyRequest(signed(spl), accounts, now), "AKID");
  assert.throws(() => verifyRequest(signed(request, "WRONG"), accounts, now), /signature/i);
  const tampered = signed(request);
  tampered.query = [...tampered.query, ["end_cursor", "x"]];
  assert.throws(() => verifyRequest(tampered, accounts, now), /signature/i);
});

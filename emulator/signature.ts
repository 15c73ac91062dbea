// Request authentication as SLS does it (docs/sls-protocol.md, "Signatures"): V1 `LOG ak:sig` with
// hmac-sha1 or hmac-sha256, V4 `SLS4-HMAC-SHA256`, optional STS token, body hashes, clock skew.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { errors } from "./errors";

export interface Account {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, requests of this key must carry it as `x-acs-security-token` (STS). */
  securityToken?: string;
  /** Epoch ms from which the key and its token are refused as expired (STS). */
  expiresAt?: number;
}

export interface SignedRequest {
  method: string;
  /** Request path as received, without the query. */
  path: string;
  /** Decoded query parameters; `null` value = name given without `=`. */
  query: Array<[string, string | null]>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(",") : v;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const byName = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Verifies a request; returns the AccessKeyId or throws the SLS error a real server would send. */
export function verifyRequest(req: SignedRequest, accounts: ReadonlyMap<string, Account>, nowMs: number): string {
  const auth = header(req.headers, "authorization");
  if (!auth) throw errors.unauthorized("Authorization header is missing");
  if (auth.startsWith("LOG ")) return verifyV1(req, auth.slice(4), accounts, nowMs);
  if (auth.startsWith("SLS4-HMAC-SHA256 ")) return verifyV4(req, auth.slice(17), accounts, nowMs);
  throw errors.unauthorized("unsupported Authorization scheme");
}

// Messages as SLS writes them: clients (and users) tell an expired token from a wrong one by the text.
function account(ak: string, req: SignedRequest, accounts: ReadonlyMap<string, Account>, nowMs: number): Account {
  if (!ak) throw errors.invalidAccessKeyId("AccessKeyId is empty");
  const acc = accounts.get(ak);
  if (!acc) throw errors.unauthorized(`AccessKeyId not found: ${ak}`);
  const token = header(req.headers, "x-acs-security-token");
  if ((acc.securityToken ?? "") !== (token ?? "")) {
    throw errors.unauthorized(token ? "The security token you provided is invalid." : "a security token is required for this AccessKeyId");
  }
  if (acc.expiresAt !== undefined && nowMs >= acc.expiresAt) throw errors.unauthorized("The security token you provided has expired");
  return acc;
}

function checkSkew(timeMs: number, nowMs: number): void {
  if (Number.isNaN(timeMs)) throw errors.invalidRequestTime("the request time is malformed");
  if (Math.abs(timeMs - nowMs) > MAX_SKEW_MS) {
    throw errors.requestTimeExpired("the request time differs from the server time by more than 15 minutes");
  }
}

// ---------------------------------------------------------------- V1

function v1Resource(req: SignedRequest): string {
  if (req.query.length === 0) return req.path;
  const parts = [...req.query].sort(byName).map(([k, v]) => (v === null ? k : `${k}=${v}`));
  return `${req.path}?${parts.join("&")}`;
}

function v1Headers(h: IncomingHttpHeaders, opts: { withLogDate: boolean; withMeta: boolean }): string {
  return Object.keys(h)
    .filter((n) => n.startsWith("x-log-") || n.startsWith("x-acs-"))
    .filter((n) => opts.withLogDate || n !== "x-log-date")
    .filter((n) => opts.withMeta || !n.startsWith("x-log-meta-"))
    .sort()
    .map((n) => `${n}:${header(h, n)}\n`)
    .join("");
}

function verifyV1(req: SignedRequest, cred: string, accounts: ReadonlyMap<string, Account>, nowMs: number): string {
  const colon = cred.lastIndexOf(":");
  if (colon < 0) throw errors.unauthorized("malformed Authorization header");
  const ak = cred.slice(0, colon);
  const given = cred.slice(colon + 1);
  const acc = account(ak, req, accounts, nowMs);
  const date = header(req.headers, "date");
  if (!date) throw errors.invalidRequestTime("the Date header is missing");
  checkSkew(Date.parse(date), nowMs);
  const method = (header(req.headers, "x-log-signaturemethod") ?? "hmac-sha1").toLowerCase();
  const algo = method === "hmac-sha256" ? "sha256" : method === "hmac-sha1" ? "sha1" : undefined;
  if (!algo) throw errors.parameterInvalid(`unsupported x-log-signaturemethod ${method}`);
  const md5 = header(req.headers, "content-md5") ?? "";
  const prefix = `${req.method}\n${md5}\n${header(req.headers, "content-type") ?? ""}\n${date}\n`;
  const resource = v1Resource(req);
  // PY adds an unsigned x-log-date after signing and leaves out x-log-meta-*; TS signs everything.
  const variants = [
    { withLogDate: false, withMeta: true },
    { withLogDate: true, withMeta: true },
    { withLogDate: false, withMeta: false },
  ];
  const ok = variants.some((v) => {
    const sts = prefix + v1Headers(req.headers, v) + resource;
    return sameText(createHmac(algo, acc.accessKeySecret).update(sts).digest("base64"), given);
  });
  if (!ok) throw errors.signatureNotMatch(`signature ${given} not match`);
  if (req.body.length > 0 || md5) {
    const actual = createHash("md5").update(req.body).digest("hex");
    if (md5.toLowerCase() !== actual) throw errors.invalidContentMd5("Content-MD5 does not match the request body");
  }
  return ak;
}

// ---------------------------------------------------------------- V4

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The TS SDK's variant: encodeURIComponent with only the first `*` replaced (docs/sls-protocol.md, "V4"). */
function tsPercentEncode(s: string): string {
  return encodeURIComponent(s).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
}

function v4Query(req: SignedRequest, enc: (s: string) => string): string {
  return [...req.query]
    .sort(byName)
    .map(([k, v]) => (v ? `${k}=${enc(v)}` : k))
    .join("&");
}

function verifyV4(req: SignedRequest, rest: string, accounts: ReadonlyMap<string, Account>, nowMs: number): string {
  const m = /^Credential=([^/,]*)\/(\d{8})\/([^/,]+)\/sls\/aliyun_v4_request,\s*Signature=([0-9a-f]{64})$/.exec(rest.trim());
  if (!m) throw errors.unauthorized("malformed SLS4-HMAC-SHA256 Authorization header");
  const [, ak, day, region, given] = m;
  const acc = account(ak, req, accounts, nowMs);
  const date = header(req.headers, "x-log-date") ?? "";
  const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!dm) throw errors.invalidRequestTime("x-log-date is missing or malformed");
  checkSkew(Date.UTC(+dm[1], +dm[2] - 1, +dm[3], +dm[4], +dm[5], +dm[6]), nowMs);
  if (date.slice(0, 8) !== day) throw errors.signatureNotMatch("credential date does not match x-log-date");
  const payloadHash = header(req.headers, "x-log-content-sha256") ?? "";
  const actual = req.body.length > 0 ? createHash("sha256").update(req.body).digest("hex") : EMPTY_SHA256;
  const names = (withMeta: boolean) =>
    Object.keys(req.headers)
      .filter((n) => n === "host" || n === "content-type" || n.startsWith("x-log-") || n.startsWith("x-acs-"))
      .filter((n) => withMeta || !n.startsWith("x-log-meta-"))
      .sort();
  let key = createHmac("sha256", "aliyun_v4" + acc.accessKeySecret)
    .update(day)
    .digest();
  for (const part of [region, "sls", "aliyun_v4_request"]) key = createHmac("sha256", key).update(part).digest();
  const scope = `${day}/${region}/sls/aliyun_v4_request`;
  const ok = [rfc3986, tsPercentEncode].some((enc) =>
    [true, false].some((withMeta) => {
      const signed = names(withMeta);
      const canon = [
        req.method,
        req.path || "/",
        v4Query(req, enc),
        signed.map((n) => `${n}:${(header(req.headers, n) ?? "").trim()}\n`).join(""),
        signed.join(";"),
        payloadHash,
      ].join("\n");
      const sts = `SLS4-HMAC-SHA256\n${date}\n${scope}\n${createHash("sha256").update(canon).digest("hex")}`;
      return sameText(createHmac("sha256", key).update(sts).digest("hex"), given);
    }),
  );
  if (!ok) throw errors.signatureNotMatch(`signature ${given} not match`);
  if (payloadHash !== actual) throw errors.invalidContentMd5("x-log-content-sha256 does not match the request body");
  return ak;
}

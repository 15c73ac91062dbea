// Stand-ins for the Alibaba Cloud services that hand out temporary (STS) credentials, so every
// credential source of sls-connection can be tested on loopback:
// - STS (RPC style, `POST /?Action=AssumeRole|AssumeRoleWithOIDC`, signature method HMAC-SHA1 v1.0):
//   the JSON replies and error codes of the real service;
// - the ECS instance metadata service (`/latest/api/token`, `/latest/meta-data/ram/security-credentials/`).
// Issued keys are added to the emulator's accounts with their token and expiry; SLS requests signed
// with an expired one get SLS's reply (401 Unauthorized, "The security token you provided has expired").

import { createHmac, randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Account } from "./signature";

export interface TemporaryCredentials {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  /** `YYYY-MM-DDTHH:MM:SSZ`, as STS and the metadata service write it. */
  Expiration: string;
}

export interface StsOptions {
  /**
   * Lifetime of issued credentials in seconds, whatever the caller asks for (default: as asked,
   * DurationSeconds or 3600). Tests shorten it to run a client through several expiries.
   */
  lifetimeSec?: number;
  /** Account id in role ARNs (default 1234567890123456). */
  accountId?: string;
  /** Role names that exist (default: any). */
  roles?: string[];
  /** OIDC provider ARNs that are registered (default: any). */
  oidcProviders?: string[];
  now?: () => number;
}

/** Percent-encoding of the POP RPC signature (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay). */
function popEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The string an RPC-style request signs: METHOD&%2F&encode(sorted k=v&...). */
export function rpcStringToSign(method: string, params: Record<string, string>): string {
  const canon = Object.keys(params)
    .filter((k) => k !== "Signature")
    .sort()
    .map((k) => `${popEncode(k)}=${popEncode(params[k])}`)
    .join("&");
  return `${method}&${popEncode("/")}&${popEncode(canon)}`;
}

class StsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const isoSecond = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (s += c));
    req.on("end", () => resolve(s));
    req.on("error", reject);
  });
}

async function listen(server: http.Server, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Issues, tracks and revokes temporary keys; they live in the same account map SLS checks. */
export class CredentialIssuer {
  readonly now: () => number;
  /** Temporary keys issued so far (AccessKeyId → expiry, ms). */
  private readonly issued = new Map<string, number>();
  private seq = 0;
  /** Issue and rejection counts, for tests. */
  readonly stats = { issued: 0, revoked: 0 };
  /** The latest issued credentials (at most 1000), so tests can check that none of them leaks. */
  readonly history: TemporaryCredentials[] = [];

  constructor(
    private readonly accounts: Map<string, Account>,
    readonly lifetimeSec: number | undefined,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** New temporary credentials valid for `durationSec` (or the configured lifetime). */
  issue(durationSec: number): TemporaryCredentials {
    const now = this.now();
    this.purge(now);
    const sec = this.lifetimeSec ?? durationSec;
    // Expiration is written to the second: the key dies at that second, not a fraction later.
    const expiresAt = Math.floor((now + sec * 1000) / 1000) * 1000;
    const id = `STS.${randomBytes(9).toString("base64url")}${(++this.seq).toString(36)}`;
    const acc: Account = {
      accessKeyId: id,
      accessKeySecret: randomBytes(24).toString("base64url"),
      securityToken: `CAIS${randomBytes(48).toString("base64")}`,
      expiresAt,
    };
    this.accounts.set(id, acc);
    this.issued.set(id, expiresAt);
    this.stats.issued++;
    const c = { AccessKeyId: acc.accessKeyId, AccessKeySecret: acc.accessKeySecret, SecurityToken: acc.securityToken!, Expiration: isoSecond(expiresAt) };
    this.history.push(c);
    if (this.history.length > 1000) this.history.shift();
    return c;
  }

  /** Revokes every temporary key issued so far (as when a role's sessions are revoked). */
  revokeAll(): number {
    let n = 0;
    for (const id of this.issued.keys()) if (this.accounts.delete(id)) n++;
    this.issued.clear();
    this.stats.revoked += n;
    return n;
  }

  /** Keys expired for over an hour are forgotten (SLS still answers "expired" within that hour). */
  private purge(now: number): void {
    for (const [id, exp] of this.issued) {
      if (exp + 3_600_000 < now) {
        this.issued.delete(id);
        this.accounts.delete(id);
      }
    }
  }
}

/** STS stand-in: AssumeRole (signed with a RAM user's key) and AssumeRoleWithOIDC (anonymous). */
export class StsServer {
  private readonly server: http.Server;
  private readonly accountId: string;
  url = "";
  /** Requests by action, including refused ones. */
  readonly calls: Record<string, number> = {};
  /** When set, every request fails with this error (e.g. an outage: 503 ServiceUnavailable). */
  failWith: { status: number; code: string; message: string } | undefined;

  constructor(
    private readonly accounts: ReadonlyMap<string, Account>,
    private readonly issuer: CredentialIssuer,
    private readonly opts: StsOptions = {},
  ) {
    this.accountId = opts.accountId ?? "1234567890123456";
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async listen(host = "127.0.0.1"): Promise<string> {
    this.url = await listen(this.server, host);
    return this.url;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomBytes(16).toString("hex").toUpperCase();
    let status = 200;
    let body: unknown;
    try {
      const url = new URL(req.url ?? "/", "http://sts");
      const params: Record<string, string> = {};
      for (const [k, v] of url.searchParams) params[k] = v;
      const form = await readBody(req);
      if (form) for (const [k, v] of new URLSearchParams(form)) params[k] = v;
      const action = params.Action ?? "";
      this.calls[action] = (this.calls[action] ?? 0) + 1;
      if (this.failWith) throw new StsError(this.failWith.status, this.failWith.code, this.failWith.message);
      if (params.Version !== "2015-04-01") throw new StsError(400, "InvalidVersion", "Specified parameter Version is not valid.");
      if (action === "AssumeRole") body = this.assumeRole(req.method ?? "GET", params);
      else if (action === "AssumeRoleWithOIDC") body = this.assumeRoleWithOidc(params);
      else throw new StsError(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
    } catch (e) {
      const err = e instanceof StsError ? e : new StsError(500, "InternalError", "The request processing has failed due to some unknown error.");
      status = err.status;
      body = {
        RequestId: requestId,
        HostId: "sts.aliyuncs.com",
        Code: err.code,
        Message: err.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${err.code}`,
      };
    }
    const text = JSON.stringify(status === 200 ? { RequestId: requestId, ...(body as object) } : body);
    res.writeHead(status, { "content-type": "application/json;charset=utf-8", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  private role(arn: string | undefined): string {
    const m = /^acs:ram::(\d+):role\/([\w.@-]{1,64})$/i.exec(arn ?? "");
    if (!m) throw new StsError(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.");
    if (m[1] !== this.accountId || (this.opts.roles && !this.opts.roles.includes(m[2]))) {
      throw new StsError(404, "EntityNotExist.Role", `The role not exists: ${arn}.`);
    }
    return m[2];
  }

  private session(params: Record<string, string>, roleName: string, sessionName: string | undefined): object {
    if (!sessionName || !/^[\w.@-]{2,64}$/.test(sessionName)) {
      throw new StsError(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.");
    }
    const duration = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw new StsError(400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/12hr.");
    }
    if (params.Policy !== undefined) {
      try {
        JSON.parse(params.Policy);
      } catch {
        throw new StsError(400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.");
      }
    }
    const id = `3${randomBytes(8).toString("hex")}`;
    return {
      AssumedRoleUser: { Arn: `acs:ram::${this.accountId}:role/${roleName}/${sessionName}`, AssumedRoleId: `${id}:${sessionName}` },
      Credentials: this.issuer.issue(duration),
    };
  }

  private assumeRole(method: string, params: Record<string, string>): object {
    const ak = params.AccessKeyId ?? "";
    const acc = this.accounts.get(ak);
    if (!acc) throw new StsError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    if (acc.securityToken !== undefined) {
      if (params.SecurityToken !== acc.securityToken)
        throw new StsError(400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.");
      if (acc.expiresAt !== undefined && this.issuer.now() >= acc.expiresAt)
        throw new StsError(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.");
    }
    if (params.SignatureMethod !== "HMAC-SHA1" || params.SignatureVersion !== "1.0") {
      throw new StsError(400, "InvalidParameter.SignatureMethod", "Specified signature method or version is not supported.");
    }
    const sts = rpcStringToSign(method, params);
    const expected = createHmac("sha1", `${acc.accessKeySecret}&`).update(sts).digest("base64");
    if (params.Signature !== expected) {
      throw new StsError(400, "SignatureDoesNotMatch", `Specified signature is not matched with our calculation. server string to sign is:${sts}`);
    }
    return this.session(params, this.role(params.RoleArn), params.RoleSessionName);
  }

  private assumeRoleWithOidc(params: Record<string, string>): object {
    const provider = params.OIDCProviderArn ?? "";
    const m = /^acs:ram::(\d+):oidc-provider\/[\w.@-]+$/.exec(provider);
    if (!m || m[1] !== this.accountId || (this.opts.oidcProviders && !this.opts.oidcProviders.includes(provider))) {
      throw new StsError(401, "AuthenticationFail.NoPermission", "No such OIDC Provider registered.");
    }
    const token = (params.OIDCToken ?? "").trim();
    if (!token) throw new StsError(401, "AuthenticationFail.OIDCToken.Invalid", "The OIDCToken can not empty.");
    const parts = token.split(".");
    if (parts.length !== 3)
      throw new StsError(401, "AuthenticationFail.OIDCToken.Invalid", "The number of Jwt field should be divided into 3 parts with '.' .");
    let claims: { exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
    } catch {
      throw new StsError(401, "AuthenticationFail.OIDCToken.Invalid", "The Jwt content is invalid that cannot be recognized.");
    }
    if (typeof claims.exp === "number" && claims.exp * 1000 <= this.issuer.now()) {
      throw new StsError(401, "AuthenticationFail.OIDCToken.Expired", "This JsonWebToken is expired.");
    }
    return this.session(params, this.role(params.RoleArn), params.RoleSessionName);
  }
}

/**
 * ECS instance metadata stand-in (IMDSv2 tokens, optional v1). It hands out the instance role's
 * current credentials and, like ECS, rotates them during the second half of their lifetime.
 */
export class MetadataServer {
  private readonly server: http.Server;
  private current: TemporaryCredentials | undefined;
  private currentIssued = 0;
  private readonly tokens = new Map<string, number>();
  url = "";
  /** Requests by path. */
  readonly calls: Record<string, number> = {};
  /** Refuse IMDSv1 requests (no token), as an instance in "IMDSv2 only" mode does. */
  requireToken = false;
  /** When set, every request fails with this HTTP status (an unreachable or broken IMDS). */
  failWith: number | undefined;

  constructor(
    private readonly issuer: CredentialIssuer,
    /** The RAM role attached to the instance; undefined: none. */
    public roleName: string | undefined = "EcsRamRoleSls",
  ) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async listen(host = "127.0.0.1"): Promise<string> {
    this.url = await listen(this.server, host);
    return this.url;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private credentials(): TemporaryCredentials {
    const now = this.issuer.now();
    const exp = this.current ? Date.parse(this.current.Expiration) : 0;
    if (!this.current || now >= this.currentIssued + (exp - this.currentIssued) / 2) {
      this.current = this.issuer.issue(21_600);
      this.currentIssued = now;
    }
    return this.current;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0];
    this.calls[path] = (this.calls[path] ?? 0) + 1;
    const send = (status: number, text: string, type = "text/plain"): void => {
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    req.resume();
    if (this.failWith) return send(this.failWith, "error");
    const now = this.issuer.now();
    if (path === "/latest/api/token") {
      if (req.method !== "PUT") return send(405, "Method Not Allowed");
      const ttl = Number(req.headers["x-aliyun-ecs-metadata-token-ttl-seconds"]);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(400, "Bad Request");
      const token = randomBytes(24).toString("base64url");
      this.tokens.set(token, now + ttl * 1000);
      return send(200, token);
    }
    const token = req.headers["x-aliyun-ecs-metadata-token"];
    if (typeof token === "string") {
      const exp = this.tokens.get(token);
      if (exp === undefined || exp <= now) return send(401, "Unauthorized");
    } else if (this.requireToken) return send(403, "Forbidden");
    const prefix = "/latest/meta-data/ram/security-credentials/";
    if (req.method !== "GET" || !path.startsWith(prefix)) return send(404, "Not Found");
    const role = decodeURIComponent(path.slice(prefix.length));
    if (!this.roleName || (role !== "" && role !== this.roleName)) return send(404, "Not Found");
    if (role === "") return send(200, this.roleName);
    const c = this.credentials();
    send(200, JSON.stringify({ ...c, LastUpdated: isoSecond(this.currentIssued), Code: "Success" }), "application/json");
  }
}

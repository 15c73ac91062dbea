// Where the SLS client's keys come from, and when they are renewed.
//
// The sources are those of Alibaba Cloud's own tools, built on `@alicloud/credentials` (the STS,
// OIDC and instance-metadata protocols are its code, not ours): an AccessKey pair, a fixed STS
// token, the ECS instance RAM role (metadata service), a RAM role ARN (AssumeRole with a base key),
// OIDC / RRSA (AssumeRoleWithOIDC with the pod's token file, as on ACK), a credentials file
// profile, and the default chain of the official SDKs.
//
// Renewal is ours: the library renews a session only within a fixed 15 minutes of its expiry, so a
// role session of 900 s (the shortest STS allows) would make every request an STS call. We call
// each session provider's public `refresher` and keep the schedule in CredentialSource: renew in
// the background once three quarters of the lifetime (at most 15 minutes before expiry) have
// passed, keep using the current keys while that runs or retries, and after the server refused
// them ask again at once.

import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  CLIProfileCredentialsProvider,
  ECSRAMRoleCredentialsProvider,
  OIDCRoleArnCredentialsProvider,
  RAMRoleARNCredentialsProvider,
  StaticAKCredentialsProvider,
  StaticSTSCredentialsProvider,
  URICredentialsProvider,
} from "@alicloud/credentials";
import { Backoff } from "../backoff";
import type { CredentialSourceKind } from "./credential-sources";
import { SlsError } from "./errors";

export interface SlsCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS token, when the key pair is temporary. */
  securityToken?: string;
  /** Epoch ms after which the keys are no longer valid (temporary keys); undefined: never. */
  expiration?: number;
}

/** Asked for keys whenever CredentialSource decides to renew them. */
export type CredentialsProvider = () => Promise<SlsCredentials>;

export { CREDENTIAL_SOURCES, type CredentialSourceKind } from "./credential-sources";

export interface CredentialsConfig {
  source: CredentialSourceKind;
  /** access_key, sts, and the base key of ram_role_arn. */
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** ram_role_arn, oidc_role_arn: `acs:ram::<account>:role/<name>`. */
  roleArn?: string;
  roleSessionName?: string;
  /** Session length asked of STS (900..43200 s; default 3600). */
  durationSeconds?: number;
  /** Optional policy narrowing the role's permissions (JSON). */
  policy?: string;
  externalId?: string;
  /**
   * STS endpoint: `sts.cn-hangzhou.aliyuncs.com`, `sts-vpc.cn-hangzhou.aliyuncs.com` or
   * `https://host[:port]` (default sts.aliyuncs.com). `http://` only to a loopback address (test stand-ins).
   */
  stsEndpoint?: string;
  /** ecs_ram_role: the instance's role (empty: ask the metadata service). */
  roleName?: string;
  /** ecs_ram_role: metadata service base URL (default http://100.100.100.200). */
  metadataEndpoint?: string;
  /** ecs_ram_role: IMDSv2 tokens only, never the token-less v1 request. */
  disableIMDSv1?: boolean;
  /** oidc_role_arn: `acs:ram::<account>:oidc-provider/<name>` and the token file (ACK RRSA mounts one). */
  oidcProviderArn?: string;
  oidcTokenFile?: string;
  /** credentials_file: the file (default ~/.alibabacloud/credentials or ALIBABA_CLOUD_CREDENTIALS_FILE) and profile. */
  credentialsFile?: string;
  profile?: string;
  /** Environment for the default chain and file defaults (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A static key never changes; everything else is asked through a provider. */
export function credentialsFrom(c: CredentialsConfig): SlsCredentials | CredentialsProvider {
  switch (c.source) {
    case "access_key":
    case "sts": {
      const id = (c.accessKeyId ?? "").trim();
      const secret = c.accessKeySecret ?? "";
      const token = c.securityToken ?? "";
      if (c.source === "sts" && !token) throw configError("the STS source needs an STS token (security token)");
      return { accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}) };
    }
    case "ecs_ram_role":
      return sessionProvider(ecsRole(c), "ECS instance RAM role (metadata service)", "GetInstanceRoleCredentials", c);
    case "ram_role_arn":
      return sessionProvider(ramRoleArn(c), `RAM role ${c.roleArn ?? ""}`, "AssumeRole", c);
    case "oidc_role_arn":
      return sessionProvider(oidcRole(c), `OIDC role ${c.roleArn ?? ""}`, "AssumeRoleWithOIDC", c);
    case "credentials_file":
      return fileProvider(c);
    case "default":
      return defaultChain(c);
  }
  throw configError(`unknown credential source "${String((c as { source: unknown }).source)}"`);
}

// ------------------------------------------------------------------ renewal

/** What the SDK asks of a credential object before signing each request (openapi-core). */
export interface SdkCredential {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  type: string;
}

/** Longest time before expiry at which renewal starts. */
const RENEW_MAX_AHEAD_MS = 15 * 60_000;
/** Keys this close to expiry are no longer sent (they could expire in flight). */
const SEND_MARGIN_MS = 500;

/**
 * The keys every request of one client signs with (the SDK's control-plane calls and our own
 * PullLogs). Temporary keys are renewed ahead of expiry without blocking requests; a failed
 * renewal is retried with backoff while the current keys still work.
 */
export class CredentialSource {
  private cached: SlsCredentials | undefined;
  private renewAt = Infinity;
  private pending: Promise<SlsCredentials> | undefined;
  private retryAt = 0;
  private readonly backoff = new Backoff({ initialMs: 1000, maxMs: 30_000 });
  /** Renewals so far, and the last failure of a background renewal (for status and tests). */
  renewals = 0;
  lastRenewalError: SlsError | undefined;

  constructor(
    private source: SlsCredentials | CredentialsProvider,
    private readonly now: () => number = Date.now,
  ) {}

  set(source: SlsCredentials | CredentialsProvider): void {
    this.source = source;
    this.cached = undefined;
    this.renewAt = Infinity;
  }

  /** The keys held now, if any (no renewal, no wait). */
  peek(): SlsCredentials | undefined {
    return typeof this.source === "function" ? this.cached : this.source;
  }

  /**
   * The server refused a request signed with `refused` (what peek() gave before it was sent;
   * undefined: keys fetched for that request): forget them if they are still the ones in use, so
   * the next request asks the provider again. Newer keys renewed meanwhile are kept.
   */
  invalidate(refused?: SlsCredentials): void {
    if (typeof this.source !== "function" || !this.cached) return;
    if (refused === undefined || refused === this.cached) {
      this.cached = undefined;
      this.retryAt = 0;
    }
  }

  async getCredential(): Promise<SdkCredential> {
    const c = await this.current();
    return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken, type: c.securityToken ? "sts" : "access_key" };
  }

  async current(): Promise<SlsCredentials> {
    const src = this.source;
    if (typeof src !== "function") return src;
    const now = this.now();
    const c = this.cached;
    if (c) {
      if (now < this.renewAt) return c;
      if (c.expiration === undefined || now < c.expiration - SEND_MARGIN_MS) {
        if (!this.pending && now >= this.retryAt) {
          this.renew(src).catch(() => undefined);
        }
        return c;
      }
    }
    return this.pending ?? this.renew(src);
  }

  private renew(src: CredentialsProvider): Promise<SlsCredentials> {
    const p = (async () => {
      try {
        const fresh = await src();
        const now = this.now();
        this.cached = fresh;
        this.renewAt = renewTime(fresh, now);
        this.renewals++;
        this.backoff.reset();
        this.lastRenewalError = undefined;
        return fresh;
      } catch (e) {
        const err = e instanceof SlsError ? e : new SlsError("CredentialsUnavailable", (e as Error).message, { retryable: true });
        this.lastRenewalError = err;
        this.retryAt = this.now() + this.backoff.next();
        throw err;
      } finally {
        this.pending = undefined;
      }
    })();
    this.pending = p;
    return p;
  }
}

/** When to start renewing keys obtained at `now`. */
export function renewTime(c: SlsCredentials, now: number): number {
  if (c.expiration === undefined) return Infinity;
  const life = c.expiration - now;
  const at = c.expiration - Math.min(RENEW_MAX_AHEAD_MS, life / 4);
  // Keys handed out already close to expiry (a metadata service that has not rotated yet): ask
  // again soon, but not on every request.
  return at > now ? at : now + Math.max(SEND_MARGIN_MS, Math.min(30_000, life / 2));
}

// ------------------------------------------------------------------ sources

interface Session {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expiration: string;
}

/** A library provider that fetches sessions (STS, metadata, URI). */
interface SessionSource {
  refresher: () => Promise<Session>;
  getProviderName(): string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?$/i;

function configError(message: string): SlsError {
  return new SlsError("CredentialsConfigInvalid", message, { retryable: false });
}

/** Builds a library provider, turning its "the RoleArn is empty"-style throws into our error. */
function build<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SlsError) throw e;
    throw configError(`${what}: ${(e as Error).message}`);
  }
}

/** Minimal view of the library's HTTP request object (providers/http.ts). */
interface LibRequest {
  toRequestURL(): string;
}

/**
 * Sends a provider's requests to `base` instead of the host it has built in. The library has no
 * setting for the metadata host (it is fixed to 100.100.100.200) nor for plain-HTTP STS; its
 * providers keep their HTTP function in an instance field, replaced here, as its own tests do.
 */
function redirect(provider: object, base: URL, what: string): void {
  const p = provider as { doRequest?: (req: LibRequest) => Promise<unknown> };
  const send = p.doRequest;
  if (typeof send !== "function") throw configError(`${what}: this version of @alicloud/credentials cannot be pointed at ${base.origin}`);
  const prefix = base.pathname.replace(/\/+$/, "");
  p.doRequest = (req: LibRequest) => {
    const u = new URL(req.toRequestURL());
    const moved = Object.assign(Object.create(Object.getPrototypeOf(req) as object) as LibRequest, req, {
      url: `${base.origin}${prefix}${u.pathname}${u.search}`,
    });
    return send.call(provider, moved);
  };
}

/** Parses a configured base URL (`http://host[:port]` etc.). */
function baseUrl(text: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw configError(`${what} "${text}" is not a URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw configError(`${what} "${text}" must be http:// or https://`);
  return u;
}

/** Applies the STS endpoint setting to a builder, or returns a URL the provider must be redirected to. */
function stsEndpoint(c: CredentialsConfig, setHost: (host: string) => void): URL | undefined {
  const e = (c.stsEndpoint ?? "").trim();
  if (!e) return undefined;
  if (/^http:\/\//i.test(e)) {
    const u = baseUrl(e, "STS endpoint");
    // The reply carries a secret: cleartext only to a local stand-in.
    if (!LOOPBACK.test(u.host)) throw configError(`STS endpoint "${e}": http:// is accepted only for a loopback address; use https://`);
    return u;
  }
  const host = /^https:\/\//i.test(e) ? baseUrl(e, "STS endpoint").host : e.replace(/\/+$/, "");
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) throw configError(`STS endpoint "${e}" is not a host name`);
  setHost(host);
  return undefined;
}

function staticBase(c: CredentialsConfig): StaticAKCredentialsProvider | StaticSTSCredentialsProvider {
  const id = (c.accessKeyId ?? "").trim();
  const secret = c.accessKeySecret ?? "";
  if (!id || !secret) throw configError("the RAM role ARN source needs the AccessKey ID and secret of a RAM user allowed to assume the role");
  if (c.securityToken) return StaticSTSCredentialsProvider.builder().withAccessKeyId(id).withAccessKeySecret(secret).withSecurityToken(c.securityToken).build();
  return StaticAKCredentialsProvider.builder().withAccessKeyId(id).withAccessKeySecret(secret).build();
}

function sessionName(c: CredentialsConfig): string {
  return (
    (c.roleSessionName ?? "").trim() ||
    `node-red-sls-${os
      .hostname()
      .replace(/[^\w.@-]/g, "-")
      .slice(0, 40)}`
  );
}

function ramRoleArn(c: CredentialsConfig): SessionSource {
  if (!(c.roleArn ?? "").trim()) throw configError("the RAM role ARN source needs a role ARN (acs:ram::<account>:role/<name>)");
  return build("RAM role ARN", () => {
    const b = RAMRoleARNCredentialsProvider.builder()
      .withCredentialsProvider(staticBase(c))
      .withRoleArn(c.roleArn!.trim())
      .withRoleSessionName(sessionName(c))
      .withDurationSeconds(c.durationSeconds ?? 3600);
    if (c.policy) b.withPolicy(c.policy);
    if (c.externalId) b.withExternalId(c.externalId);
    const to = stsEndpoint(c, (h) => b.withStsEndpoint(h));
    const p = b.build();
    if (to) redirect(p, to, "STS endpoint");
    return p;
  });
}

function oidcRole(c: CredentialsConfig): SessionSource {
  const env = c.env ?? process.env;
  const roleArn = (c.roleArn ?? "").trim() || env.ALIBABA_CLOUD_ROLE_ARN || "";
  const providerArn = (c.oidcProviderArn ?? "").trim() || env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN || "";
  const tokenFile = (c.oidcTokenFile ?? "").trim() || env.ALIBABA_CLOUD_OIDC_TOKEN_FILE || "";
  if (!roleArn || !providerArn || !tokenFile) {
    throw configError(
      "the OIDC source needs a role ARN, an OIDC provider ARN and a token file (ACK RRSA sets ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE)",
    );
  }
  return build("OIDC role", () => {
    const b = OIDCRoleArnCredentialsProvider.builder()
      .withRoleArn(roleArn)
      .withOIDCProviderArn(providerArn)
      .withOIDCTokenFilePath(tokenFile)
      .withRoleSessionName(sessionName(c))
      .withDurationSeconds(c.durationSeconds ?? 3600);
    if (c.policy) b.withPolicy(c.policy);
    const to = stsEndpoint(c, (h) => b.withStsEndpoint(h));
    const p = b.build();
    if (to) redirect(p, to, "STS endpoint");
    return p;
  });
}

function ecsRole(c: CredentialsConfig): SessionSource {
  return build("ECS RAM role", () => {
    const b = ECSRAMRoleCredentialsProvider.builder().withDisableIMDSv1(c.disableIMDSv1 === true);
    const role = (c.roleName ?? "").trim();
    if (role) b.withRoleName(role);
    const p = b.build();
    const m = (c.metadataEndpoint ?? "").trim();
    if (m) redirect(p, baseUrl(m, "metadata endpoint"), "metadata endpoint");
    return p;
  });
}

/** Known secrets are cut out of any message a provider throws (an STS reply echoes parameters). */
function redact(text: string, secrets: Array<string | undefined>): string {
  let s = text;
  for (const v of secrets) if (v && v.length >= 4) s = s.split(v).join("***");
  return s.length > 400 ? s.slice(0, 400) + "…" : s;
}

/** A provider failure as an SlsError with the remote code when there is one. */
function providerError(e: unknown, label: string, action: string, secrets: Array<string | undefined>): SlsError {
  if (e instanceof SlsError) return e;
  const err = (e ?? {}) as { message?: unknown; code?: unknown; name?: unknown };
  const message = redact(typeof err.message === "string" ? err.message : String(e), secrets);
  let code = typeof err.code === "string" && err.code ? err.code : "";
  let text = message;
  // STS replies are quoted in the library's messages: `... failed: {"Code":"NoPermission","Message":...}`.
  const json = /\{.*\}/s.exec(message)?.[0];
  if (json) {
    try {
      const j = JSON.parse(json) as { Code?: unknown; Message?: unknown };
      if (typeof j.Code === "string" && j.Code) {
        code = j.Code;
        text = typeof j.Message === "string" ? redact(j.Message, secrets) : message;
      }
    } catch {
      // not JSON: keep the text
    }
  }
  // The library's own text for STS's SignatureDoesNotMatch when both sides signed the same string.
  if (!code && /access key secret is invalid/.test(message)) code = "SignatureDoesNotMatch";
  const status = /httpStatus: (\d{3})/.exec(message)?.[1] ?? /failed with (\d{3})/.exec(message)?.[1] ?? / (\d{3})$/.exec(message)?.[1];
  if (!code) code = status ? `HTTP${status}` : /timeout/i.test(`${String(err.name)} ${message}`) ? "RequestTimeout" : "CredentialsUnavailable";
  const retryable = /^(E[A-Z]+|RequestTimeout|InternalError|ServiceUnavailable|Throttling.*|HTTP5\d\d|CredentialsUnavailable)$/.test(code);
  return new SlsError(code, `${label}: ${text}`, { retryable, context: { action } });
}

function sessionProvider(p: SessionSource, label: string, action: string, c: CredentialsConfig): CredentialsProvider {
  const secrets: Array<string | undefined> = [c.accessKeySecret, c.securityToken, c.externalId];
  return async () => {
    let s: Session;
    try {
      s = await p.refresher.call(p);
    } catch (e) {
      throw providerError(e, label, action, secrets);
    }
    secrets.push(s.accessKeySecret, s.securityToken);
    if (secrets.length > 16) secrets.splice(3, secrets.length - 13);
    const expiration = Date.parse(s.expiration);
    if (!s.accessKeyId || !s.accessKeySecret || !Number.isFinite(expiration)) {
      throw new SlsError("CredentialsUnavailable", `${label}: the reply lacks a key or an expiry time`, { retryable: true, context: { action } });
    }
    return { accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret, securityToken: s.securityToken || undefined, expiration };
  };
}

// ------------------------------------------------------------------ credentials file

/** `[profile]` sections of `key = value` lines, as the official tools write the file. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (head) {
      section = out[head[1]] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (section && eq > 0)
      section[line.slice(0, eq).trim()] = line
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1");
  }
  return out;
}

/** How often a static key from the file is read again (an outside process may rotate it). */
const FILE_REREAD_MS = 5 * 60_000;

/**
 * A profile of the Alibaba Cloud credentials file (`~/.alibabacloud/credentials`): read again at
 * every renewal, so keys rotated by another process are picked up without a redeploy.
 */
function fileProvider(c: CredentialsConfig): CredentialsProvider {
  const env = c.env ?? process.env;
  const file = (c.credentialsFile ?? "").trim() || env.ALIBABA_CLOUD_CREDENTIALS_FILE || path.join(os.homedir(), ".alibabacloud", "credentials");
  const profile = (c.profile ?? "").trim() || env.ALIBABA_CLOUD_PROFILE || "default";
  const label = `profile "${profile}" of ${file}`;
  // A role session lives on across re-reads as long as the profile is unchanged.
  let inner: { key: string; provider: CredentialsProvider } | undefined;
  return async () => {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "EIO";
      throw new SlsError(code === "ENOENT" ? "CredentialsFileNotFound" : code, `${label}: ${(e as Error).message}`, {
        retryable: true,
        context: { action: "CredentialsFile" },
      });
    }
    const p = parseIni(text)[profile];
    if (!p) throw new SlsError("CredentialsConfigInvalid", `${label}: no such profile`, { retryable: true, context: { action: "CredentialsFile" } });
    const key = JSON.stringify(p);
    if (inner?.key !== key) {
      const sub = fromProfile(p, c, label);
      if (typeof sub !== "function") {
        inner = undefined;
        return { ...sub, expiration: Date.now() + FILE_REREAD_MS };
      }
      inner = { key, provider: sub };
    }
    return inner.provider();
  };
}

/** One profile's entries as a source (the keys of the official credentials file). */
function fromProfile(p: Record<string, string>, base: CredentialsConfig, label: string): SlsCredentials | CredentialsProvider {
  const type = p.type ?? p.mode ?? "";
  const common = { metadataEndpoint: base.metadataEndpoint, stsEndpoint: p.sts_endpoint ?? base.stsEndpoint, env: base.env };
  switch (type) {
    case "access_key":
      return credentialsFrom({ source: "access_key", accessKeyId: p.access_key_id, accessKeySecret: p.access_key_secret });
    case "sts":
      return credentialsFrom({ source: "sts", accessKeyId: p.access_key_id, accessKeySecret: p.access_key_secret, securityToken: p.security_token });
    case "ecs_ram_role":
      return credentialsFrom({ ...common, source: "ecs_ram_role", roleName: p.role_name });
    case "ram_role_arn":
      return credentialsFrom({
        ...common,
        source: "ram_role_arn",
        accessKeyId: p.access_key_id,
        accessKeySecret: p.access_key_secret,
        roleArn: p.role_arn,
        roleSessionName: p.role_session_name,
        policy: p.policy,
        durationSeconds: p.duration_seconds ? Number(p.duration_seconds) : undefined,
      });
    case "oidc_role_arn":
      return credentialsFrom({
        ...common,
        source: "oidc_role_arn",
        roleArn: p.role_arn,
        oidcProviderArn: p.oidc_provider_arn,
        oidcTokenFile: p.oidc_token_file_path,
        roleSessionName: p.role_session_name,
      });
    default:
      throw new SlsError("CredentialsConfigInvalid", `${label}: type "${type}" is not one of access_key, sts, ecs_ram_role, ram_role_arn, oidc_role_arn`, {
        retryable: true,
        context: { action: "CredentialsFile" },
      });
  }
}

// ------------------------------------------------------------------ default chain

/**
 * The official tools' default chain: environment keys, OIDC from the environment (ACK RRSA), the
 * CLI's config, the credentials file, the ECS instance role, a credentials URI. The first link
 * that yields keys is kept.
 */
function defaultChain(c: CredentialsConfig): CredentialsProvider {
  const env = c.env ?? process.env;
  const links: Array<{ name: string; make: () => SlsCredentials | CredentialsProvider }> = [];
  if (env.ALIBABA_CLOUD_ACCESS_KEY_ID && env.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
    links.push({
      name: "environment",
      make: () => ({
        accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID!,
        accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET!,
        ...(env.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN } : {}),
      }),
    });
  }
  if (env.ALIBABA_CLOUD_ROLE_ARN && env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN && env.ALIBABA_CLOUD_OIDC_TOKEN_FILE) {
    links.push({
      name: "OIDC (environment)",
      make: () => credentialsFrom({ ...c, source: "oidc_role_arn", roleArn: undefined, oidcProviderArn: undefined, oidcTokenFile: undefined }),
    });
  }
  if ((env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED ?? "").toLowerCase() !== "true") {
    links.push({
      name: "CLI profile",
      make: () =>
        opaque(
          build("CLI profile", () => CLIProfileCredentialsProvider.builder().build()),
          "CLI profile",
        ),
    });
  }
  links.push({ name: "credentials file", make: () => credentialsFrom({ ...c, source: "credentials_file", credentialsFile: undefined, profile: undefined }) });
  if ((env.ALIBABA_CLOUD_ECS_METADATA_DISABLED ?? "").toLowerCase() !== "true") {
    links.push({
      name: "ECS instance role",
      make: () =>
        credentialsFrom({
          ...c,
          source: "ecs_ram_role",
          roleName: env.ALIBABA_CLOUD_ECS_METADATA,
          disableIMDSv1: (env.ALIBABA_CLOUD_IMDSV1_DISABLED ?? "").toLowerCase() === "true",
        }),
    });
  }
  if (env.ALIBABA_CLOUD_CREDENTIALS_URI) {
    links.push({
      name: "credentials URI",
      make: () =>
        sessionProvider(
          build("credentials URI", () => URICredentialsProvider.builder().withCredentialsURI(env.ALIBABA_CLOUD_CREDENTIALS_URI!).build()),
          "credentials URI",
          "CredentialsURI",
          c,
        ),
    });
  }
  let chosen: CredentialsProvider | undefined;
  return async () => {
    if (chosen) return chosen();
    const failures: string[] = [];
    for (const link of links) {
      try {
        const src = link.make();
        const p: CredentialsProvider = typeof src === "function" ? src : async () => src;
        const creds = await p();
        chosen = p;
        return creds;
      } catch (e) {
        failures.push(`${link.name}: ${e instanceof SlsError ? `${e.code} ${e.message}` : (e as Error).message}`);
      }
    }
    throw new SlsError("CredentialsUnavailable", `default credential chain: no source gave keys (${failures.join("; ")})`, {
      retryable: true,
      context: { action: "DefaultCredentialChain" },
    });
  };
}

/** A library provider whose expiry we cannot see: asked again every minute (it caches itself). */
function opaque(
  p: { getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string }> },
  label: string,
): CredentialsProvider {
  return async () => {
    let r;
    try {
      r = await p.getCredentials();
    } catch (e) {
      throw providerError(e, label, "CredentialsProvider", []);
    }
    return { accessKeyId: r.accessKeyId, accessKeySecret: r.accessKeySecret, securityToken: r.securityToken || undefined, expiration: Date.now() + 60_000 };
  };
}

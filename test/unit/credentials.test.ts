// Credential sources of sls-connection against the emulator's STS and metadata stand-ins, and the
// renewal schedule of CredentialSource (fake clock).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { start, type Emulator } from "../../emulator/index";
import { SlsClient } from "../../lib/sls/client";
import { CredentialSource, credentialsFrom, parseIni, renewTime, type CredentialsConfig, type SlsCredentials } from "../../lib/sls/credentials";
import { SlsError } from "../../lib/sls/errors";

const ROLE = "acs:ram::1234567890123456:role/sls-reader";
const OIDC_PROVIDER = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1";

function jwt(claims: object): string {
  const b = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b({ alg: "RS256", typ: "JWT" })}.${b(claims)}.c2lnbmF0dXJl`;
}

async function provide(c: CredentialsConfig): Promise<SlsCredentials> {
  const src = credentialsFrom(c);
  return typeof src === "function" ? src() : src;
}

describe("CredentialSource renewal (fake clock)", () => {
  it("renews in the background at three quarters of the lifetime, keeps the current keys meanwhile", async () => {
    let now = 1_000_000;
    let n = 0;
    let release: (() => void) | undefined;
    const src = new CredentialSource(
      async () => {
        n++;
        if (n > 1) await new Promise<void>((r) => (release = r));
        return { accessKeyId: `k${n}`, accessKeySecret: "s", securityToken: "t", expiration: now + 8_000 };
      },
      () => now,
    );
    assert.equal((await src.current()).accessKeyId, "k1");
    now += 5_999;
    assert.equal((await src.current()).accessKeyId, "k1", "before 3/4 of the lifetime: no renewal");
    assert.equal(n, 1);
    now += 1;
    assert.equal((await src.current()).accessKeyId, "k1", "renewal started, current keys still handed out");
    assert.equal(n, 2);
    assert.equal((await src.current()).accessKeyId, "k1", "one renewal at a time");
    assert.equal(n, 2);
    release!();
    await new Promise((r) => setImmediate(r));
    assert.equal((await src.current()).accessKeyId, "k2");
    assert.equal(src.renewals, 2);
  });

  it("retries a failed renewal with backoff while the keys are valid, then waits for new keys", async () => {
    let now = 0;
    let fail = false;
    let calls = 0;
    const src = new CredentialSource(
      async () => {
        calls++;
        if (fail) throw new SlsError("ServiceUnavailable", "STS is down", { retryable: true });
        return { accessKeyId: `k${calls}`, accessKeySecret: "s", expiration: now + 60_000 };
      },
      () => now,
    );
    await src.current();
    fail = true;
    now = 45_000;
    assert.equal((await src.current()).accessKeyId, "k1");
    await new Promise((r) => setImmediate(r));
    assert.equal(src.lastRenewalError?.code, "ServiceUnavailable");
    assert.equal((await src.current()).accessKeyId, "k1", "within the backoff: no new attempt");
    assert.equal(calls, 2);
    now += 1_000;
    await src.current();
    await new Promise((r) => setImmediate(r));
    assert.equal(calls, 3, "after the backoff: another attempt");
    now = 60_000;
    await assert.rejects(src.current(), (e: SlsError) => e.code === "ServiceUnavailable", "expired keys are not sent");
    fail = false;
    assert.equal((await src.current()).accessKeyId, "k5");
  });

  it("forgets refused keys, but not newer ones renewed while the refused request was out", async () => {
    let n = 0;
    const src = new CredentialSource(async () => ({ accessKeyId: `k${++n}`, accessKeySecret: "s", expiration: Date.now() + 3_600_000 }));
    const k1 = await src.current();
    assert.equal(src.peek(), k1);
    src.invalidate(k1);
    assert.equal(src.peek(), undefined);
    assert.equal((await src.current()).accessKeyId, "k2", "refused keys are asked for again");
    src.invalidate(k1);
    assert.equal((await src.current()).accessKeyId, "k2", "a late refusal of older keys does not drop newer ones");
    src.invalidate(undefined);
    assert.equal((await src.current()).accessKeyId, "k3", "keys fetched for the refused request itself are dropped");
    const fixed = new CredentialSource({ accessKeyId: "ak", accessKeySecret: "s" });
    fixed.invalidate();
    assert.equal((await fixed.current()).accessKeyId, "ak");
  });

  it("renews at most 15 minutes ahead, and soon (not at once) when handed nearly expired keys", () => {
    assert.equal(renewTime({ accessKeyId: "a", accessKeySecret: "s", expiration: 3_600_000 }, 0), 2_700_000);
    assert.equal(renewTime({ accessKeyId: "a", accessKeySecret: "s", expiration: 21_600_000 }, 0), 20_700_000);
    assert.equal(renewTime({ accessKeyId: "a", accessKeySecret: "s", expiration: 4_000 }, 0), 3_000);
    assert.equal(renewTime({ accessKeyId: "a", accessKeySecret: "s" }, 0), Infinity);
  });
});

describe("credential sources against the STS and metadata stand-ins", () => {
  let emu: Emulator;
  let dir: string;
  const base = { accessKeyId: "ram-user-ak", accessKeySecret: "ram-user-secret-0123" };
  before(async () => {
    emu = await start({ port: 0, logstore: "app", shards: 2, accounts: [base], credentialServices: { lifetimeSec: 3 } });
    dir = mkdtempSync(path.join(os.tmpdir(), "sls-creds-"));
  });
  after(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const cs = () => emu.credentialServices!;
  const shardsWith = async (creds: SlsCredentials) => new SlsClient({ endpoint: emu.url, credentials: creds }).listShards(emu.project, "app");

  it("RAM role ARN: AssumeRole with the base key; SLS takes the keys until they expire, then says so", async () => {
    const c = await provide({ source: "ram_role_arn", ...base, roleArn: ROLE, stsEndpoint: cs().sts.url });
    assert.match(c.accessKeyId, /^STS\./);
    assert.ok(c.securityToken);
    assert.ok(c.expiration! > Date.now() && c.expiration! <= Date.now() + 3_000);
    assert.equal((await shardsWith(c)).length, 2);
    await new Promise((r) => setTimeout(r, c.expiration! - Date.now() + 50));
    await assert.rejects(shardsWith(c), (e: SlsError) => {
      assert.equal(e.code, "Unauthorized");
      assert.equal(e.status, 401);
      assert.match(e.message, /The security token you provided has expired/);
      return true;
    });
  });

  it("RAM role ARN: STS errors keep their code and never carry a secret", async () => {
    const wrongSecret = {
      source: "ram_role_arn" as const,
      accessKeyId: base.accessKeyId,
      accessKeySecret: "not-the-secret-xyz",
      roleArn: ROLE,
      stsEndpoint: cs().sts.url,
    };
    await assert.rejects(provide(wrongSecret), (e: SlsError) => e.code === "SignatureDoesNotMatch" && !e.message.includes("not-the-secret-xyz"));
    await assert.rejects(provide({ ...wrongSecret, accessKeyId: "nobody" }), (e: SlsError) => e.code === "InvalidAccessKeyId.NotFound");
    await assert.rejects(
      provide({ ...wrongSecret, ...base, roleArn: "acs:ram::999:role/x" }),
      (e: SlsError) => e.code === "EntityNotExist.Role" && /acs:ram::999:role\/x/.test(e.message),
    );
    await assert.rejects(
      provide({ source: "ram_role_arn", ...base, roleArn: ROLE, stsEndpoint: "http://example.com" }),
      (e: SlsError) => e.code === "CredentialsConfigInvalid" && /loopback/.test(e.message),
    );
    await assert.rejects(provide({ source: "ram_role_arn", ...base, roleArn: "" }), (e: SlsError) => e.code === "CredentialsConfigInvalid");
    cs().sts.failWith = { status: 503, code: "ServiceUnavailable", message: "The request has failed due to a temporary failure of the server." };
    try {
      await assert.rejects(
        provide({ source: "ram_role_arn", ...base, roleArn: ROLE, stsEndpoint: cs().sts.url }),
        (e: SlsError) => e.code === "ServiceUnavailable" && e.retryable,
      );
    } finally {
      cs().sts.failWith = undefined;
    }
  });

  it("ECS RAM role: IMDSv2 token, role discovery, rotated credentials", async () => {
    const md = cs().metadata;
    md.requireToken = true;
    const before = { ...md.calls };
    const c = await provide({ source: "ecs_ram_role", metadataEndpoint: md.url, disableIMDSv1: true });
    assert.equal((await shardsWith(c)).length, 2);
    assert.equal((md.calls["/latest/api/token"] ?? 0) - (before["/latest/api/token"] ?? 0), 2, "a token for the role lookup and one for the credentials");
    assert.ok(
      (md.calls["/latest/meta-data/ram/security-credentials/"] ?? 0) > (before["/latest/meta-data/ram/security-credentials/"] ?? 0),
      "role name asked of the service",
    );
    const same = await provide({ source: "ecs_ram_role", roleName: "EcsRamRoleSls", metadataEndpoint: md.url });
    assert.equal(same.accessKeyId, c.accessKeyId, "the service hands out the same keys during the first half of their life");
    md.requireToken = false;
    await assert.rejects(provide({ source: "ecs_ram_role", roleName: "other", metadataEndpoint: md.url }), (e: SlsError) => e.code === "HTTP404");
  });

  it("OIDC (RRSA): token file, AssumeRoleWithOIDC; an expired token file is refused with STS's code", async () => {
    const tokenFile = path.join(dir, "oidc-token");
    writeFileSync(tokenFile, jwt({ sub: "system:serviceaccount:ns:sa", exp: Math.floor(Date.now() / 1000) + 3600 }));
    const cfg: CredentialsConfig = {
      source: "oidc_role_arn",
      roleArn: ROLE,
      oidcProviderArn: OIDC_PROVIDER,
      oidcTokenFile: tokenFile,
      stsEndpoint: cs().sts.url,
    };
    const c = await provide(cfg);
    assert.equal((await shardsWith(c)).length, 2);
    writeFileSync(tokenFile, jwt({ exp: Math.floor(Date.now() / 1000) - 10 }));
    await assert.rejects(provide(cfg), (e: SlsError) => e.code === "AuthenticationFail.OIDCToken.Expired");
    const env = { ALIBABA_CLOUD_ROLE_ARN: ROLE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN: OIDC_PROVIDER, ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile };
    writeFileSync(tokenFile, jwt({ exp: Math.floor(Date.now() / 1000) + 3600 }));
    const fromEnv = await provide({ source: "oidc_role_arn", stsEndpoint: cs().sts.url, env });
    assert.match(fromEnv.accessKeyId, /^STS\./, "ACK's environment variables fill the settings left empty");
  });

  it("credentials file: the profile's type decides; the file is read again at each renewal", async () => {
    const file = path.join(dir, "credentials");
    writeFileSync(
      file,
      `[default]\ntype = access_key\naccess_key_id = ${emu.accessKeyId}\naccess_key_secret = ${emu.accessKeySecret}\n\n[role]\ntype = ram_role_arn\naccess_key_id = ${base.accessKeyId}\naccess_key_secret = ${base.accessKeySecret}\nrole_arn = ${ROLE}\nsts_endpoint = ${cs().sts.url}\n`,
    );
    const plain = await provide({ source: "credentials_file", credentialsFile: file });
    assert.equal(plain.accessKeyId, emu.accessKeyId);
    assert.ok(plain.expiration! > Date.now(), "static keys from a file are read again later");
    const role = await provide({ source: "credentials_file", credentialsFile: file, profile: "role" });
    assert.match(role.accessKeyId, /^STS\./);
    await assert.rejects(
      provide({ source: "credentials_file", credentialsFile: file, profile: "none" }),
      (e: SlsError) => e.code === "CredentialsConfigInvalid",
    );
    await assert.rejects(
      provide({ source: "credentials_file", credentialsFile: path.join(dir, "missing") }),
      (e: SlsError) => e.code === "CredentialsFileNotFound",
    );
    const src = credentialsFrom({ source: "credentials_file", credentialsFile: file });
    assert.equal(typeof src, "function");
    writeFileSync(file, `[default]\ntype = access_key\naccess_key_id = rotated\naccess_key_secret = x\n`);
    assert.equal((await (src as () => Promise<SlsCredentials>)()).accessKeyId, "rotated");
    assert.deepEqual(parseIni('; c\n[a]\nk = v\n# c\nq="w"\n'), { a: { k: "v", q: "w" } });
  });

  it("default chain: environment keys first, then the credentials file, then the instance role", async () => {
    const file = path.join(dir, "chain-credentials");
    writeFileSync(file, `[default]\ntype = access_key\naccess_key_id = from-file\naccess_key_secret = x\n`);
    const noCli = { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true", HOME: dir };
    const envKeys = await provide({
      source: "default",
      env: { ...noCli, ALIBABA_CLOUD_ACCESS_KEY_ID: "from-env", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s", ALIBABA_CLOUD_CREDENTIALS_FILE: file },
    });
    assert.equal(envKeys.accessKeyId, "from-env");
    const fileKeys = await provide({ source: "default", env: { ...noCli, ALIBABA_CLOUD_CREDENTIALS_FILE: file } });
    assert.equal(fileKeys.accessKeyId, "from-file");
    const role = await provide({
      source: "default",
      metadataEndpoint: cs().metadata.url,
      env: { ...noCli, ALIBABA_CLOUD_CREDENTIALS_FILE: path.join(dir, "none") },
    });
    assert.match(role.accessKeyId, /^STS\./);
    await assert.rejects(
      provide({ source: "default", env: { ...noCli, ALIBABA_CLOUD_CREDENTIALS_FILE: path.join(dir, "none"), ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" } }),
      (e: SlsError) => e.code === "CredentialsUnavailable" && /credentials file: CredentialsFileNotFound/.test(e.message),
    );
  });

  it("an SlsClient renews temporary keys ahead of expiry: no request is refused across expiries", async () => {
    const provider = credentialsFrom({ source: "ram_role_arn", ...base, roleArn: ROLE, stsEndpoint: cs().sts.url });
    const client = new SlsClient({ endpoint: emu.url, credentials: provider });
    const ids = new Set<string>();
    const stsBefore = cs().sts.calls.AssumeRole ?? 0;
    let requests = 0;
    const until = Date.now() + 7_000;
    while (Date.now() < until) {
      assert.equal((await client.listShards(emu.project, "app")).length, 2);
      requests++;
      ids.add((await client.credentials.current()).accessKeyId);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ids.size >= 3, `keys renewed across at least two expiries (${ids.size} sets)`);
    const assumed = (cs().sts.calls.AssumeRole ?? 0) - stsBefore;
    assert.ok(assumed <= ids.size + 1, `one STS call per key set, not per request (${assumed} calls for ${requests} requests)`);
    // Revoked keys: the server refuses them, the client asks STS again and goes on.
    cs().issuer.revokeAll();
    await assert.rejects(client.listShards(emu.project, "app"), (e: SlsError) => e.code === "Unauthorized");
    assert.equal((await client.listShards(emu.project, "app")).length, 2);
    client.close();
  });
});

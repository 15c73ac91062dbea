// sls-connection credential sources in a real Node-RED runtime: a consumer reads through several
// expiries of short-lived STS keys (emulator STS, 4 s keys) with nothing lost and no pause, shows
// SLS's error when keys are revoked and STS's when it is down, recovers by itself; and no secret of
// any source reaches the flow, the admin API, a status or a log line.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { start, type Emulator } from "../../emulator/index";
import { helper, statusText, until } from "../support/red-helper";
import { sink } from "../support/sink-control";
import { consumerFlow, seqGroup } from "../support/sls-fixtures";
import type { TestNode } from "../support/node-red";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import sinkNode = require("../support/settling-sink");

const NODES = [connNode, consumerNode, sinkNode];
const LIFETIME_S = 4;
const ROLE = "acs:ram::1234567890123456:role/sls-reader";
const BASE = { accessKeyId: "ram-user-for-role", accessKeySecret: "ram-user-secret-7f3a9c" };
/** The consumer's first retry delay (ConsumerGroup retryBaseMs) and its pacing when caught up. */
const BACKOFF_MS = 500;
const IDLE_PACING_MS = 500 + 200;

let emu: Emulator;
let dir: string;
let lsCount = 0;

before(async () => {
  emu = await start({
    port: 0,
    shards: 2,
    accounts: [{ accessKeyId: "emulator-access-key-id", accessKeySecret: "emulator-access-key-secret" }, BASE],
    credentialServices: { lifetimeSec: LIFETIME_S },
  });
  dir = mkdtempSync(path.join(os.tmpdir(), "sls-cred-nodes-"));
  await helper.startServer();
});
after(async () => {
  await helper.stopServer();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await helper.unload();
  sink.reset();
  const cs = emu.credentialServices!;
  cs.sts.failWith = undefined;
});

function freshLogstore(): string {
  const name = `cred${++lsCount}`;
  emu.createLogstore(name, { shards: 2 });
  return name;
}

/** Writes 5 logs every 100 ms over both shards until stopped; resolves with the number written. */
function writer(logstore: string): { stop(): number } {
  let seq = 0;
  let i = 0;
  const t = setInterval(() => {
    emu.putLogs(logstore, seqGroup(seq, seq + 5, `k${i % 2}`), { shard: i++ % 2 });
    seq += 5;
  }, 100);
  return {
    stop() {
      clearInterval(t);
      return seq;
    },
  };
}

function roleFlow(logstore: string, group: string) {
  return consumerFlow(emu, {
    logstore,
    group,
    connection: { auth: "ram_role_arn", roleArn: ROLE, stsEndpoint: emu.credentialServices!.sts.url },
    connectionCredentials: BASE,
  });
}

function assertAll(n: number): void {
  const got = new Set(sink.seqs());
  const missing: number[] = [];
  for (let s = 0; s < n; s++) if (!got.has(s)) missing.push(s);
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} of ${n} logs lost`);
}

/** Latest status text of one node (the helper's spies are shared by all nodes). */
function statusOf(id: string): string {
  const n = helper.getNode(id) as unknown as TestNode;
  const calls = (n.status as unknown as { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> }).getCalls().filter((c) => c.thisValue === n);
  return (calls.at(-1)?.args[0] as { text?: string } | undefined)?.text ?? "";
}

/** Longest pause between two deliveries while logs kept arriving in SLS. */
function longestGap(from: number, to: number): number {
  const times = sink.received.map((m) => m.at!).filter((t) => t >= from && t <= to);
  let gap = 0;
  for (let k = 1; k < times.length; k++) gap = Math.max(gap, times[k] - times[k - 1]);
  return gap;
}

test("RAM role ARN with 4 s STS keys: a consumer reads through four expiries, 0 lost, no pause longer than one backoff", async () => {
  const logstore = freshLogstore();
  const cs = emu.credentialServices!;
  const issued0 = cs.issuer.stats.issued;
  const { flow, credentials } = roleFlow(logstore, "expiries");
  await helper.load(NODES, flow, credentials);
  const cons = helper.getNode("cons") as unknown as TestNode;
  const w = writer(logstore);
  await until(() => sink.received.length > 0, 10_000, "first delivery");
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, (4 * LIFETIME_S + 1) * 1000));
  const t1 = Date.now();
  const written = w.stop();
  await until(() => new Set(sink.seqs()).size >= written, 15_000, `all ${written} logs`);
  assertAll(written);
  const keySets = cs.issuer.stats.issued - issued0;
  const gap = longestGap(t0, t1);
  // Figures for the record (report): key sets, logs, longest pause.
  console.log(
    `# expiries run: ${((t1 - t0) / 1000).toFixed(1)} s, ${keySets} key sets of ${LIFETIME_S} s, ${written} logs, 0 lost, longest pause ${gap} ms (pacing ${IDLE_PACING_MS} ms + one backoff ${BACKOFF_MS} ms)`,
  );
  assert.ok(t1 - t0 >= 4 * LIFETIME_S * 1000, "the run spans four lifetimes of the keys");
  assert.ok(keySets >= 5, `keys renewed before each expiry (${keySets} sets issued)`);
  assert.ok(gap <= IDLE_PACING_MS + BACKOFF_MS, `longest pause in delivery ${gap} ms`);
  assert.equal(cons.error.callCount, 0, `no error reported: ${JSON.stringify(cons.error.args[0]?.[0] ?? "")}`);
});

test("revoked keys: SLS's Unauthorized reaches Catch and status, STS down: its code; recovery by itself, 0 lost", async () => {
  const logstore = freshLogstore();
  const cs = emu.credentialServices!;
  const { flow, credentials } = roleFlow(logstore, "revoked");
  await helper.load(NODES, flow, credentials);
  const cons = helper.getNode("cons") as unknown as TestNode;
  const w = writer(logstore);
  await until(() => sink.received.length > 20, 10_000, "deliveries");
  // Revoked sessions: SLS refuses the keys, the client asks STS again.
  cs.issuer.revokeAll();
  await until(
    () =>
      cons.error.args.some((a) =>
        /Unauthorized: The security token you provided is invalid|AccessKeyId not found/.test(String((a[0] as Error).message ?? a[0])),
      ),
    10_000,
    "SLS's Unauthorized reported",
  );
  const n1 = sink.received.length;
  await until(() => sink.received.length > n1 + 20, 10_000, "deliveries after the revocation");
  // STS down and the keys revoked again: nothing can sign; the status names STS's error.
  cs.sts.failWith = { status: 503, code: "ServiceUnavailable", message: "The request has failed due to a temporary failure of the server." };
  cs.issuer.revokeAll();
  await until(() => statusText(cons) === "ServiceUnavailable", 10_000, "STS's code in the status");
  const n2 = sink.received.length;
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(sink.received.length - n2 <= 5, "nothing read without keys");
  cs.sts.failWith = undefined;
  await until(() => /shards/.test(statusText(cons)), 15_000, "green status once STS answers again");
  const written = w.stop();
  await until(() => new Set(sink.seqs()).size >= written, 15_000, `all ${written} logs`);
  assertAll(written);
});

test("no secret of any source reaches the flow, the admin API, a status or a log line", async () => {
  const cs = emu.credentialServices!;
  const logstore = freshLogstore();
  emu.putLogs(logstore, seqGroup(0, 10), { shard: 0 });
  const oidcToken = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 3600 })).toString("base64url")}.c2VjcmV0LXNpZ25hdHVyZQ`;
  const tokenFile = path.join(dir, "oidc-token");
  writeFileSync(tokenFile, oidcToken);
  const credFile = path.join(dir, "credentials");
  writeFileSync(
    credFile,
    `[default]\ntype = ram_role_arn\naccess_key_id = ${BASE.accessKeyId}\naccess_key_secret = ${BASE.accessKeySecret}\nrole_arn = ${ROLE}\nsts_endpoint = ${cs.sts.url}\n`,
  );
  const secrets = {
    ak: { accessKeyId: "file-ak", accessKeySecret: "static-secret-aa11" },
    sts: { accessKeyId: "sts-ak", accessKeySecret: "static-secret-bb22", securityToken: "static-token-cc33" },
    role: { ...BASE, externalId: "external-id-dd44" },
    badRole: { accessKeyId: BASE.accessKeyId, accessKeySecret: "wrong-secret-ee55", externalId: "external-id-ff66" },
  };
  const base = { type: "sls-connection", endpoint: emu.url, cname: "auto", version: 1 };
  const sts = cs.sts.url;
  const conns = [
    { id: "c-ak", ...base, auth: "access_key" },
    { id: "c-sts", ...base, auth: "sts" },
    { id: "c-role", ...base, auth: "ram_role_arn", roleArn: ROLE, stsEndpoint: sts },
    { id: "c-bad", ...base, auth: "ram_role_arn", roleArn: ROLE, stsEndpoint: sts },
    { id: "c-ecs", ...base, auth: "ecs_ram_role", metadataEndpoint: cs.metadata.url },
    {
      id: "c-oidc",
      ...base,
      auth: "oidc_role_arn",
      roleArn: ROLE,
      oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/ack",
      oidcTokenFile: tokenFile,
      stsEndpoint: sts,
    },
    { id: "c-file", ...base, auth: "credentials_file", credentialsFile: credFile },
  ];
  const consumer = (id: string, conn: string) => ({
    id,
    z: "tab",
    type: "sls-consumer",
    connection: conn,
    project: emu.project,
    logstore,
    consumerGroup: `g-${id}`,
    start: "begin",
    heartbeat: 0.2,
    timeout: 2,
    commitInterval: 0.2,
    version: 1,
    wires: [["sink"]],
  });
  const flow = [
    { id: "tab", type: "tab", label: "secrets" },
    ...conns,
    ...conns.map((c) => consumer(`k-${c.id}`, c.id)),
    { id: "sink", z: "tab", type: "test-settling-sink" },
  ];
  await helper.load(NODES, flow, { "c-ak": secrets.ak, "c-sts": secrets.sts, "c-role": secrets.role, "c-bad": secrets.badRole });
  const ok = ["k-c-role", "k-c-ecs", "k-c-oidc", "k-c-file"];
  await until(() => ok.every((id) => sink.received.some((m) => m.sls.consumerGroup === `g-${id}`)), 15_000, "the role-based consumers read");
  await until(() => statusOf("k-c-bad") === "SignatureDoesNotMatch", 10_000, "STS's code for a wrong base secret");
  await until(() => statusOf("k-c-ak") === "Unauthorized", 10_000, "SLS's code for an unknown key");
  const all = [
    ...Object.values(secrets).flatMap((s) => [s.accessKeySecret, (s as { securityToken?: string }).securityToken, (s as { externalId?: string }).externalId]),
    oidcToken,
    ...cs.issuer.history.flatMap((c) => [c.AccessKeySecret, c.SecurityToken]),
  ].filter((s): s is string => typeof s === "string" && s.length > 0);
  assert.ok(all.length > 12);
  // What the runtime holds as the flow: what it writes to flows.json and what an export copies.
  const runtimeFlow = (helper as unknown as { _redNodes: { getFlows(): { flows: object[] } } })._redNodes.getFlows().flows;
  assert.ok(runtimeFlow.some((n) => (n as { id?: string }).id === "c-role"));
  const statuses = (helper.getNode("k-c-ak") as unknown as TestNode).status.args;
  const logged = (helper.log() as unknown as { args: unknown[][] }).args.map((a) => JSON.stringify(a[0]) ?? "").join("\n");
  const places: Array<[string, string]> = [
    ["the flow as written", JSON.stringify(flow)],
    ["the runtime's flow (flows.json, export)", JSON.stringify(runtimeFlow)],
    ["statuses", JSON.stringify(statuses)],
    ["the runtime log", logged],
  ];
  for (const [where, text] of places) for (const s of all) assert.ok(!text.includes(s), `a secret (${s.slice(0, 6)}…) appears in ${where}`);
  assert.match(logged, /SignatureDoesNotMatch/, "the log does name the failure");
});

test("test connection with a role source uses the deployed connection, and only with the settings shown", async () => {
  const logstore = freshLogstore();
  const sts = emu.credentialServices!.sts.url;
  const conn = { id: "c1", type: "sls-connection", endpoint: emu.url, cname: "auto", version: 1, auth: "ram_role_arn", roleArn: ROLE, stsEndpoint: sts };
  await helper.load(NODES, [conn], { c1: BASE });
  const post = (body: object) =>
    (helper.request() as unknown as { post(p: string): { send(b: object): Promise<{ body: Record<string, unknown> }> } })
      .post("/sls-connection/test")
      .send(body);
  const same = { id: "c1", endpoint: emu.url, cname: "auto", auth: "ram_role_arn", roleArn: ROLE, stsEndpoint: sts, project: emu.project, logstore };
  const ok = await post(same);
  assert.equal(ok.body.ok, true, JSON.stringify(ok.body));
  assert.equal((ok.body.shards as unknown[]).length, 2);
  for (const changed of [
    { roleArn: "acs:ram::1234567890123456:role/other" },
    { stsEndpoint: "http://127.0.0.1:1" },
    { endpoint: "http://127.0.0.1:2" },
    { id: "nope" },
  ]) {
    const r = await post({ ...same, ...changed });
    assert.equal(r.body.ok, false);
    assert.equal(r.body.code, "DeployFirst", JSON.stringify(changed));
  }
});

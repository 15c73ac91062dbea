// sls-connection: the dialog's "test connection" endpoint lists shards with the edited values,
// falls back to the deployed credentials for untouched password fields, and reports SLS codes.
// It is an admin API: a local listener stands in for an attacker's endpoint and proves that no
// stored key id, secret, STS token or environment value is ever sent anywhere but the saved endpoint.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { start, type Emulator } from "../../emulator/index";
import { verifyRequest } from "../../emulator/signature";
import { helper } from "../support/red-helper";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import serverNode = require("../../nodes/sls-syslog-server");

// The deployed connection c1 keeps STS credentials; its key id and token come from the environment.
const STORED = { accessKeyId: "stored-ak-id-c1", accessKeySecret: "stored-secret-c1", securityToken: "stored-sts-token-c1" };
const ENV = { TRUST_AK_ID: STORED.accessKeyId, TRUST_STS: STORED.securityToken, TRUST_PRIVATE: "private-env-value-42" };
const C2 = { accessKeyId: "stored-ak-id-c2", accessKeySecret: "stored-secret-c2" };

let emu: Emulator;
let trap: { url: string; requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }>; close(): Promise<void> };

/** An "attacker" endpoint on loopback: records every request and answers like SLS would. */
async function listener(): Promise<typeof trap> {
  const requests: (typeof trap)["requests"] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": "application/json", "x-log-requestid": "trap" });
      res.end("[]");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

before(async () => {
  Object.assign(process.env, ENV);
  emu = await start({ port: 0, logstore: "store", shards: 3, accounts: [STORED, C2, { accessKeyId: "typed-ak", accessKeySecret: "typed-secret" }] });
  trap = await listener();
  await helper.startServer();
});
afterEach(() => helper.unload());
after(async () => {
  await helper.stopServer();
  await trap.close();
  await emu.close();
  for (const k of Object.keys(ENV)) delete process.env[k];
});

const FLOW = (): object[] => [
  { id: "c1", type: "sls-connection", endpoint: emu.url, cname: "auto", version: 1 },
  { id: "c2", type: "sls-connection", endpoint: emu.url, cname: "auto", version: 1 },
  { id: "srv", type: "sls-syslog-server", host: "127.0.0.1", port: "6514", protocol: "tls", framing: "octet", version: 1 },
];
const CREDS = (): Record<string, object> => ({
  c1: { accessKeyId: "${TRUST_AK_ID}", accessKeySecret: STORED.accessKeySecret, securityToken: "${TRUST_STS}" },
  c2: C2,
  srv: { key: "-----BEGIN PRIVATE KEY-----srv-key", passphrase: "srv-passphrase" },
});

const post = (body: object) => helper.request().post("/sls-connection/test").send(body);

/** Every secret the runtime holds: none may appear in (or sign) a request that reached the trap. */
const SECRETS = [
  STORED.accessKeyId,
  STORED.accessKeySecret,
  STORED.securityToken,
  C2.accessKeyId,
  C2.accessKeySecret,
  ENV.TRUST_PRIVATE,
  "srv-key",
  "srv-passphrase",
];

/** True when the request was signed with one of the stored secrets (whatever key id it names). */
function signedWithStoredSecret(r: (typeof trap)["requests"][number]): boolean {
  const auth = String(r.headers.authorization ?? "");
  const ak = /^LOG ([^:]*):/.exec(auth)?.[1] ?? /Credential=([^/,]*)\//.exec(auth)?.[1] ?? "";
  const [path, q = ""] = r.url.split("?");
  const query = q
    ? q.split("&").map((p): [string, string | null] => {
        const [k, v] = p.split("=");
        return [decodeURIComponent(k), v === undefined ? null : decodeURIComponent(v)];
      })
    : [];
  for (const secret of [STORED.accessKeySecret, C2.accessKeySecret]) {
    const token = r.headers["x-acs-security-token"];
    const acc = { accessKeyId: ak, accessKeySecret: secret, securityToken: typeof token === "string" ? token : undefined };
    try {
      verifyRequest({ method: r.method, path, query, headers: r.headers, body: r.body }, new Map([[ak, acc]]), Date.now());
      return true;
    } catch {
      // not signed with this secret
    }
  }
  return false;
}

function assertNothingLeaked(what: string): void {
  for (const r of trap.requests) {
    const text = `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body.toString("latin1")}`;
    for (const s of SECRETS) assert.ok(!text.includes(s), `${what}: "${s}" reached the trap endpoint`);
    assert.ok(!signedWithStoredSecret(r), `${what}: a request signed with a stored secret reached the trap endpoint`);
  }
}

test("test connection lists shards with stored credentials (expanded as the deployed node does), reports SLS codes", async () => {
  await helper.load([connNode, serverNode], FLOW(), CREDS());
  const ok = await post({
    id: "c1",
    endpoint: emu.url,
    cname: "auto",
    accessKeyId: "${TRUST_AK_ID}",
    accessKeySecret: "__PWRD__",
    securityToken: "__PWRD__",
    project: emu.project,
    logstore: "store",
  });
  assert.equal(ok.status, 200);
  const b = ok.body as { ok: boolean; host: string; shards: Array<{ shard: number; status: string }> };
  assert.equal(b.ok, true, JSON.stringify(b));
  assert.equal(b.host, emu.endpoint);
  assert.deepEqual(
    b.shards.map((s) => [s.shard, s.status]),
    [
      [0, "readwrite"],
      [1, "readwrite"],
      [2, "readwrite"],
    ],
  );
  // Typed values are used as typed, towards any endpoint.
  const typed = await post({
    id: "c1",
    endpoint: emu.url,
    accessKeyId: "typed-ak",
    accessKeySecret: "typed-secret",
    securityToken: "",
    project: emu.project,
    logstore: "store",
  });
  assert.equal((typed.body as { ok: boolean }).ok, true, JSON.stringify(typed.body));
  const bad = await post({
    id: "c1",
    endpoint: emu.url,
    accessKeyId: "typed-ak",
    accessKeySecret: "nope",
    securityToken: "",
    project: emu.project,
    logstore: "store",
  });
  const e = bad.body as { ok: boolean; code: string; message: string };
  assert.equal(e.ok, false);
  assert.equal(e.code, "SignatureNotMatch");
  assert.doesNotMatch(JSON.stringify(e), /nope|stored-secret/);
  const missing = await post({
    id: "c1",
    endpoint: emu.url,
    accessKeyId: "${TRUST_AK_ID}",
    accessKeySecret: "__PWRD__",
    securityToken: "__PWRD__",
    project: emu.project,
    logstore: "nothere",
  });
  assert.equal((missing.body as { code: string }).code, "LogStoreNotExist");
  const conn = helper.getNode("c1") as unknown as { getClient(): { hostFor(p: string): string } };
  assert.equal(conn.getClient(), conn.getClient(), "one shared client per connection");
});

test("no stored key id, secret, STS token or environment value ever reaches an endpoint other than the saved one", async () => {
  await helper.load([connNode, serverNode], FLOW(), CREDS());
  trap.requests.length = 0;
  const base = { project: emu.project, logstore: "store" };
  const attacks: Array<[string, object]> = [
    ["secret fields left out", { id: "c1", endpoint: trap.url, ...base }],
    ["__PWRD__ everywhere", { id: "c1", endpoint: trap.url, accessKeyId: "${TRUST_AK_ID}", accessKeySecret: "__PWRD__", securityToken: "__PWRD__", ...base }],
    ["own key id, stored secret", { id: "c1", endpoint: trap.url, accessKeyId: "attacker", accessKeySecret: "__PWRD__", securityToken: "", ...base }],
    [
      "typed secret, stored STS token",
      { id: "c1", endpoint: trap.url, accessKeyId: "attacker", accessKeySecret: "attacker-secret", securityToken: "__PWRD__", ...base },
    ],
    ["saved endpoint, other addressing", { id: "c1", endpoint: emu.url, cname: "off", accessKeySecret: "__PWRD__", ...base }],
    ["another connection's id", { id: "c2", endpoint: trap.url, accessKeyId: C2.accessKeyId, accessKeySecret: "__PWRD__", ...base }],
    ["another connection's id, fields left out", { id: "c2", endpoint: trap.url, ...base }],
    ["a syslog server's id", { id: "srv", endpoint: trap.url, accessKeyId: "x", accessKeySecret: "__PWRD__", securityToken: "__PWRD__", ...base }],
    ["an unknown id", { id: "nope", endpoint: trap.url, accessKeyId: "x", accessKeySecret: "__PWRD__", ...base }],
    ["${VAR} in the key id", { endpoint: trap.url, accessKeyId: "${TRUST_PRIVATE}", accessKeySecret: "s", ...base }],
    ["${VAR} in the secret", { id: "c1", endpoint: trap.url, accessKeyId: "a", accessKeySecret: "${TRUST_PRIVATE}", ...base }],
    ["${VAR} in the token", { endpoint: trap.url, accessKeyId: "a", accessKeySecret: "s", securityToken: "${TRUST_STS}", ...base }],
    ["${VAR} in the endpoint", { endpoint: "http://${TRUST_PRIVATE}.127.0.0.1.nip.io", accessKeyId: "a", accessKeySecret: "s", ...base }],
    [
      "a project that rewrites the host",
      { id: "c1", endpoint: emu.url, cname: "off", accessKeySecret: "__PWRD__", project: "x@127.0.0.1:1#", logstore: "store" },
    ],
  ];
  for (const [what, body] of attacks) {
    const r = await post(body);
    const b = r.body as { ok: boolean; code?: string; message?: string };
    assert.equal(b.ok, false, `${what}: ${JSON.stringify(b)}`);
    assert.doesNotMatch(JSON.stringify(b), /stored-secret|stored-sts|private-env/, what);
    assertNothingLeaked(what);
  }
  assert.equal(trap.requests.length, 0, `the trap endpoint received ${trap.requests.length} request(s)`);
  // A request that only carries typed values may go anywhere: it reaches the trap, with nothing stored in it.
  const typed = await post({ id: "c1", endpoint: trap.url, accessKeyId: "typed-ak", accessKeySecret: "typed-secret", securityToken: "", ...base });
  assert.equal((typed.body as { ok: boolean }).ok, true, JSON.stringify(typed.body));
  assert.ok(trap.requests.length > 0, "the typed request reached the trap");
  assertNothingLeaked("typed values");
});

test("test connection accepts JSON only: a cross-site form (urlencoded, text/plain, multipart) gets 415", async () => {
  await helper.load([connNode, serverNode], FLOW(), CREDS());
  trap.requests.length = 0;
  const app = helper.request() as unknown as {
    post(p: string): {
      type(t: string): { send(b: string): Promise<{ status: number }> };
      set(h: string, v: string): { send(b: string): Promise<{ status: number }> };
    };
  };
  const form = `id=c1&endpoint=${encodeURIComponent(trap.url)}&accessKeySecret=__PWRD__&securityToken=__PWRD__&project=${emu.project}&logstore=store`;
  assert.equal((await app.post("/sls-connection/test").type("form").send(form)).status, 415);
  const json = JSON.stringify({ id: "c1", endpoint: trap.url, project: emu.project, logstore: "store" });
  assert.equal((await app.post("/sls-connection/test").set("content-type", "text/plain").send(json)).status, 415);
  assert.equal(
    (
      await app
        .post("/sls-connection/test")
        .set("content-type", "multipart/form-data; boundary=x")
        .send(`--x\r\nContent-Disposition: form-data; name="id"\r\n\r\nc1\r\n--x--\r\n`)
    ).status,
    415,
  );
  assert.equal(trap.requests.length, 0);
});

test("a plain-http endpoint on another machine warns once at start and shows in the consumer's status; loopback http does not", async () => {
  const consumer = (id: string, conn: string): object => ({
    id,
    z: "tab",
    x: 1,
    y: 1,
    type: "sls-consumer",
    connection: conn,
    project: "proj-one",
    logstore: "store",
    consumerGroup: "grp",
    start: "begin",
    output: "log",
    ackMode: "delivery",
    maxInFlight: 100,
    heartbeat: 5,
    timeout: 15,
    commitInterval: 1,
    claimTimeout: 30,
    version: 1,
    wires: [],
  });
  await helper.load(
    [connNode, consumerNode],
    [
      { id: "tab", type: "tab" },
      { id: "remote", type: "sls-connection", endpoint: "http://sls.invalid:80", cname: "off", version: 1 },
      { id: "local", type: "sls-connection", endpoint: emu.url, cname: "auto", version: 1 },
      consumer("c-remote", "remote"),
      consumer("c-local", "local"),
    ],
    {
      remote: { accessKeyId: "a", accessKeySecret: "s" },
      local: { accessKeyId: STORED.accessKeyId, accessKeySecret: STORED.accessKeySecret, securityToken: STORED.securityToken },
    },
  );
  const log = helper.log() as unknown as { args: Array<[{ level: number; id?: string; msg: unknown }]> };
  const warnings = (): string[] => log.args.filter(([e]) => e.level === 30 && /not encrypted/.test(String(e.msg))).map(([e]) => `${e.id}: ${String(e.msg)}`);
  const statusOf = (id: string): string => {
    const node = helper.getNode(id);
    const calls = (node.status as unknown as { getCalls(): Array<{ thisValue: unknown; args: Array<{ text?: string }> }> }).getCalls();
    for (let i = calls.length - 1; i >= 0; i--) if (calls[i].thisValue === node) return String(calls[i].args[0]?.text ?? "");
    return "";
  };
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(warnings(), [
    "remote: the SLS endpoint http://sls.invalid:80 is not encrypted: AccessKey signatures, STS tokens and every log cross the network in clear; use https://",
  ]);
  assert.match(statusOf("c-remote"), / · http: not encrypted$/);
  assert.doesNotMatch(statusOf("c-local"), /not encrypted/);
});

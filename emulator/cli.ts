// `npm run emulator -- --port N [--project P] [--logstore L --shards N] [--data DIR]
//   [--generate rds-audit|actiontrail|waf|slb --rate R | --count N] [--fault JSON]...`
// starts a local SLS and prints its endpoint and keys;
// `npm run emulator -- faults list|clear|add JSON --url http://127.0.0.1:N` talks to a running one.

import { parseArgs } from "node:util";
import * as http from "node:http";
import { DEFAULT_ACCOUNT, GENERATOR_KINDS, GeneratorKind, start } from "./index";
import type { FaultRule } from "./faults";

const USAGE = `usage:
  emulator [--port N] [--host H] [--project P] [--logstore L] [--shards N] [--data DIR]
           [--generate ${GENERATOR_KINDS.join("|")}] [--rate LOGS_PER_S] [--count N] [--group-size N]
           [--access-key-id ID --access-key-secret SECRET [--sts-token T]] [--sts [--sts-lifetime S]]
           [--fault JSON]... [--json]
           [--admin-token T]   (required to serve /_emulator/* on a non-loopback --host; or $SLS_EMULATOR_ADMIN_TOKEN)
  emulator faults list|clear|add JSON --url http://127.0.0.1:N [--token T]`;

function admin(url: string, method: string, path: string, body?: string, token?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request(new URL(path, url), { method, headers }, (res) => {
      let out = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (out += c));
      res.on("end", () => ((res.statusCode ?? 500) < 300 ? resolve(out) : reject(new Error(`${res.statusCode}: ${out}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function faultsCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: "string" }, token: { type: "string" } } });
  if (!values.url) throw new Error("--url of the running emulator is required");
  const token = values.token ?? process.env.SLS_EMULATOR_ADMIN_TOKEN;
  const [verb, json] = positionals;
  if (verb === "list") console.log(await admin(values.url, "GET", "/_emulator/faults", undefined, token));
  else if (verb === "clear") console.log(await admin(values.url, "DELETE", "/_emulator/faults", undefined, token));
  else if (verb === "add" && json) console.log(await admin(values.url, "POST", "/_emulator/faults", json, token));
  else throw new Error(USAGE);
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "faults") return faultsCommand(argv.slice(1));
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      project: { type: "string" },
      logstore: { type: "string" },
      shards: { type: "string", default: "2" },
      data: { type: "string" },
      generate: { type: "string" },
      rate: { type: "string" },
      count: { type: "string" },
      "group-size": { type: "string" },
      "access-key-id": { type: "string" },
      "access-key-secret": { type: "string" },
      "sts-token": { type: "string" },
      sts: { type: "boolean", default: false },
      "sts-lifetime": { type: "string" },
      fault: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
      "admin-token": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const num = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const kind = values.generate as GeneratorKind | undefined;
  if (kind && !GENERATOR_KINDS.includes(kind)) throw new Error(`--generate must be one of ${GENERATOR_KINDS.join(", ")}`);
  const logstore = values.logstore ?? (kind ? kind : undefined);
  const account =
    values["access-key-id"] && values["access-key-secret"]
      ? { accessKeyId: values["access-key-id"], accessKeySecret: values["access-key-secret"], securityToken: values["sts-token"] }
      : DEFAULT_ACCOUNT;
  const emu = await start({
    port: num(values.port, "port"),
    host: values.host,
    project: values.project,
    logstore,
    shards: num(values.shards, "shards"),
    data: values.data,
    accounts: [account],
    adminToken: values["admin-token"] ?? process.env.SLS_EMULATOR_ADMIN_TOKEN,
    credentialServices: values.sts ? { lifetimeSec: num(values["sts-lifetime"], "sts-lifetime") } : undefined,
  });
  for (const f of values.fault ?? []) emu.faults.add(JSON.parse(f) as FaultRule);
  const info = {
    endpoint: emu.endpoint,
    url: emu.url,
    project: emu.project,
    logstore: logstore ?? null,
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    data: values.data ?? null,
    stsEndpoint: emu.credentialServices?.sts.url ?? null,
    metadataEndpoint: emu.credentialServices?.metadata.url ?? null,
  };
  if (values.json) console.log(JSON.stringify(info));
  else {
    console.log(`SLS emulator listening on ${emu.url}`);
    console.log(`  endpoint         ${emu.endpoint}   (protocol http; a Host without project uses project "${emu.project}")`);
    console.log(`  project          ${emu.project}`);
    if (logstore) console.log(`  logstore         ${logstore}`);
    console.log(`  accessKeyId      ${emu.accessKeyId}`);
    console.log(`  accessKeySecret  ${emu.accessKeySecret}`);
    console.log(`  data             ${values.data ?? "(memory only)"}`);
    if (emu.credentialServices) {
      console.log(`  STS              ${emu.credentialServices.sts.url}   (AssumeRole signed with the key above; role acs:ram::1234567890123456:role/<any>)`);
      console.log(`  ECS metadata     ${emu.credentialServices.metadata.url}   (instance role EcsRamRoleSls)`);
    }
    // The variable names of the original recipe, ready for the example flows.
    const env = { SLS_ENDPOINT: emu.url, SLS_AK_ID: emu.accessKeyId, SLS_AK_KEY: emu.accessKeySecret, SLS_PROJECT: emu.project, SLS_LOGSTORE: logstore };
    console.log(
      `  env              ${Object.entries(env)
        .filter(([, v]) => v)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
  }
  if (kind && logstore) {
    const rate = num(values.rate, "rate");
    const count = num(values.count, "count");
    const run = emu.generate(logstore, kind, {
      rate: rate ?? (count === undefined ? 10 : undefined),
      count,
      groupSize: num(values["group-size"], "group-size"),
    });
    void run.done.then((n) => console.error(`generator ${kind}: wrote ${n} logs`));
  }
  const shutdown = () => {
    void emu.close().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});

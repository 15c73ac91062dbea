// PullLogs throughput of the emulator: one emulator process (forked child) holds pre-written
// realistic log groups; this process pulls every shard concurrently over loopback with keep-alive
// and counts raw (uncompressed) LogGroupList bytes per second, i.e. what a consumer receives.
//
//   npm run bench:emulator [-- --json] [-- --mb 400 --shards 4 --encoding lz4 --passes 3]
//
// Each pass reads everything once; the headline is the median pass (the best is reported too),
// because a shared 2-core machine makes single runs noisy.

import { fork } from "node:child_process";
import * as http from "node:http";
import { benchArgs } from "./support/args";
import { encodeLogGroup } from "../lib/sls/log-group-codec";
import { lz4DecompressBlock } from "../lib/sls/lz4";
import { LogGenerator, start } from "../emulator/index";
import { signV1 } from "../support/raw-sls";

interface Ready {
  url: string;
  project: string;
  accessKeyId: string;
  accessKeySecret: string;
  groups: number;
  rawBytes: number;
  logs: number;
}

/** Child: start an emulator and fill `shards` shards with about `mb` MB of RDS audit logs. */
async function serve(mb: number, shards: number): Promise<void> {
  const emu = await start({ port: 0, logstore: "bench", shards, maxShardBytes: 4 * 1024 * 1024 * 1024 });
  const gen = new LogGenerator("rds-audit", { groupSize: 50 });
  // 64 distinct groups, written round-robin until the volume is reached (realistic bytes, fast fill).
  const samples = Array.from({ length: 64 }, () => encodeLogGroup(gen.group(Date.now())));
  let rawBytes = 0;
  let groups = 0;
  for (let i = 0; rawBytes < mb * 1e6; i++) {
    const r = emu.putEncoded("bench", samples[i % samples.length], { shard: i % shards });
    rawBytes += emu.getLogstore("bench").shard(r.shard).at(r.seq).bytes.length;
    groups++;
  }
  const ready: Ready = {
    url: emu.url,
    project: emu.project,
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    groups,
    rawBytes,
    logs: groups * 50,
  };
  process.send!(ready);
  process.on("disconnect", () => void emu.close().then(() => process.exit(0)));
}

function get(
  agent: http.Agent,
  r: Ready,
  path: string,
  query: Record<string, string>,
  encoding: string,
): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  const qs = Object.entries(query)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
  const headers = { ...signV1(r, "GET", path, query, undefined), "accept-encoding": encoding, accept: "application/x-protobuf" };
  return new Promise((resolve, reject) => {
    const req = http.request(`${r.url}${path}?${qs}`, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`${res.statusCode} ${Buffer.concat(chunks).toString()}`));
        else resolve({ headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const { values } = benchArgs("npm run bench:emulator -- [options]", {
    options: {
      json: { type: "boolean", default: false },
      mb: { type: "string", default: "400" },
      shards: { type: "string", default: "4" },
      encoding: { type: "string", default: "lz4" },
      verify: { type: "boolean", default: false },
      passes: { type: "string", default: "3" },
      serve: { type: "boolean", default: false },
    },
  });
  const mb = Number(values.mb);
  const shards = Number(values.shards);
  if (values.serve) return serve(mb, shards);

  const child = fork(__filename, ["--serve", "--mb", String(mb), "--shards", String(shards)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("message", (m) => resolve(m as Ready));
    child.once("exit", (code) => reject(new Error(`emulator child exited with ${code}`)));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: shards });
  const pass = async () => {
    let rawBytes = 0;
    let wireBytes = 0;
    let groups = 0;
    let requests = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: shards }, async (_, shard) => {
        const path = `/logstores/bench/shards/${shard}`;
        let cursor = JSON.parse((await get(agent, ready, path, { type: "cursor", from: "begin" }, "")).body.toString()).cursor as string;
        for (;;) {
          const r = await get(agent, ready, path, { type: "log", cursor, count: "1000" }, values.encoding!);
          requests++;
          const n = Number(r.headers["x-log-count"]);
          const raw = Number(r.headers["x-log-bodyrawsize"]);
          if (values.verify && raw > 0 && r.headers["x-log-compresstype"] === "lz4") lz4DecompressBlock(r.body, raw);
          rawBytes += raw;
          wireBytes += r.body.length;
          groups += n;
          const next = String(r.headers["x-log-cursor"]);
          if (n === 0 || next === cursor) break;
          cursor = next;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (groups !== ready.groups) throw new Error(`pulled ${groups} groups, stored ${ready.groups}`);
    return { rawBytes, wireBytes, requests, seconds };
  };
  const runs: Array<Awaited<ReturnType<typeof pass>>> = [];
  for (let i = 0; i < Number(values.passes); i++) runs.push(await pass());
  agent.destroy();
  child.disconnect();
  const bySpeed = [...runs].sort((a, b) => a.seconds - b.seconds);
  const median = bySpeed[Math.floor((bySpeed.length - 1) / 2)];
  const mbps = (r: (typeof runs)[number]): number => +(r.rawBytes / 1e6 / r.seconds).toFixed(1);
  const result = {
    bench: "emulator-pulllogs",
    encoding: values.encoding,
    shards,
    passes: runs.length,
    groups: ready.groups,
    logs: ready.logs,
    requestsPerPass: median.requests,
    rawMB: +(median.rawBytes / 1e6).toFixed(1),
    wireMB: +(median.wireBytes / 1e6).toFixed(1),
    seconds: +median.seconds.toFixed(3),
    rawMBps: mbps(median),
    bestRawMBps: mbps(bySpeed[0]),
    passMBps: runs.map(mbps),
    logsPerSecond: Math.round(ready.logs / median.seconds),
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`PullLogs from one emulator process, ${shards} shards in parallel, Accept-Encoding ${values.encoding}:`);
    console.log(`  ${result.rawMB} MB raw (${result.wireMB} MB on the wire), ${result.groups} log groups, ${result.logs} logs per pass`);
    console.log(
      `  median ${result.rawMBps} MB/s raw log data (best ${result.bestRawMBps}; passes ${result.passMBps.join(", ")}), ${result.logsPerSecond} logs/s`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

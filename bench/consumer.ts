// npm run bench:consumer [-- --json] [--mb N]
// Emulator preloaded with >= 200 MB (raw protobuf) of realistic logs in 4 shards, drained by one
// embedded Node-RED runtime (child process) through sls-consumer into a settling null sink, once
// per output mode. Prints MB/s, logs/s and CPU-seconds of the Node-RED process.
import { fork } from "node:child_process";
import path from "node:path";
import { start, type Emulator } from "../emulator/index";
import { GENERATOR_KINDS, LogGenerator } from "../emulator/generator";
import { encodeLogGroup } from "../lib/sls/log-group";

interface Result {
  mb: number;
  logs: number;
  wallSec: number;
  cpuSec: number;
  mbPerSec: number;
  logsPerSec: number;
  mbPerCpuSec: number;
  rssMb: number;
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const mbArg = args.indexOf("--mb");
const targetMb = mbArg >= 0 ? Number(args[mbArg + 1]) : 200;
const LOGSTORE = "bench";
const SHARDS = 4;

function log(s: string): void {
  if (!json) console.log(s);
  else console.error(s);
}

/** Fills the logstore with >= targetMb of raw log groups built from a pool of generated groups. */
function preload(emu: Emulator): { bytes: number; logs: number } {
  const pool: Array<{ buf: Buffer; logs: number }> = [];
  const now = Date.now();
  for (const kind of GENERATOR_KINDS) {
    const gen = new LogGenerator(kind, { seed: 7, groupSize: 100 });
    for (let i = 0; i < 100; i++) {
      const g = gen.group(now);
      pool.push({ buf: encodeLogGroup(g), logs: g.logs.length });
    }
  }
  let bytes = 0;
  let logs = 0;
  for (let i = 0; bytes < targetMb * 1e6; i++) {
    const p = pool[i % pool.length];
    emu.putEncoded(LOGSTORE, p.buf, { shard: i % SHARDS });
    bytes += p.buf.length;
    logs += p.logs;
  }
  return { bytes, logs };
}

function run(emu: Emulator, output: "log" | "batch", expect: number, bytes: number): Promise<Result> {
  const child = fork(path.join(__dirname, "consumer-runtime.js"), [
    JSON.stringify({ url: emu.url, project: emu.project, accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, logstore: LOGSTORE, group: `bench-${output}`, output, expect, maxInFlight: 10000 }),
  ], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: process.env.BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : process.env.BENCH_EXEC_ARGV ? process.env.BENCH_EXEC_ARGV.split(" ") : [] });
  return new Promise((resolve, reject) => {
    let started: { at: number; cpu: NodeJS.CpuUsage } | undefined;
    child.on("message", (m: { first?: boolean; done?: boolean; at: number; cpu: NodeJS.CpuUsage; rss?: number; records?: number }) => {
      if (m.first) started = m;
      if (m.done && started) {
        const wallSec = (m.at - started.at) / 1000;
        const cpuSec = (m.cpu.user + m.cpu.system - started.cpu.user - started.cpu.system) / 1e6;
        const mb = bytes / 1e6;
        child.send("stop");
        resolve({
          mb: round(mb),
          logs: m.records!,
          wallSec: round(wallSec),
          cpuSec: round(cpuSec),
          mbPerSec: round(mb / wallSec),
          logsPerSec: Math.round(m.records! / wallSec),
          mbPerCpuSec: round(mb / cpuSec),
          rssMb: Math.round((m.rss ?? 0) / 1e6),
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`Node-RED runtime exited with ${code}`)));
  });
}

const round = (n: number): number => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const emu = await start({ port: 0, maxShardBytes: 2 ** 31 });
  emu.createLogstore(LOGSTORE, { shards: SHARDS });
  const t0 = Date.now();
  const { bytes, logs } = preload(emu);
  log(`preloaded ${(bytes / 1e6).toFixed(1)} MB raw, ${logs} logs in ${SHARDS} shards (${Date.now() - t0} ms)`);
  const results: Record<string, Result> = {};
  for (const [name, output] of [["batch", "batch"], ["perLog", "log"]] as const) {
    const r = await run(emu, output, logs, bytes);
    results[name] = r;
    log(`${name.padEnd(6)}: ${r.mbPerSec} MB/s, ${r.logsPerSec} logs/s, ${r.cpuSec} CPU-s over ${r.wallSec} s → ${r.mbPerCpuSec} MB/CPU-s (RSS ${r.rssMb} MB)`);
  }
  await emu.close();
  if (json) console.log(JSON.stringify(results));
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});

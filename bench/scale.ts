// Scale-out benchmark (npm run bench -- --scale [--size MB] [--processes 1,2,3] [--json]):
// 1, 2 and 3 Node-RED processes in one consumer group over 16 preloaded shards; total throughput,
// each process's share and granted shards. Then a takeover run: the largest number of processes
// on a second logstore, one SIGKILLed once it has delivered logs; the time until the survivors
// hold every shard is measured, and that nothing is lost.
import { chart } from "./support/chart";
import { startEmulatorProcess, type EmulatorInfo, type Preloaded } from "../support/processes/emulator-process";
import { drain, hostName } from "./support/pipeline";
import { startReceiverProcess, type ReceiverStats } from "../support/processes/receiver-process";
import { logger, machine, round1, throughput, type Throughput } from "./support/report";
import type { RpcChild } from "../support/processes/rpc";

const SHARDS = 16;
const HEARTBEAT = 1;
const TIMEOUT = 5;

interface ScaleRun extends Throughput {
  processes: number;
  perProcess: Array<{ host: string; logs: number; share: number; shards: number; cpuSec: number; peakRssMb: number }>;
  balanceMs: number;
}

interface Takeover {
  processes: number;
  /** SIGKILL → the survivors hold every shard. */
  takeoverMs: number;
  /** Logs the killed process had delivered before it died. */
  killedHadDelivered: number;
  /** Frames beyond the logs stored: re-delivered from the last checkpoints of the killed process. */
  duplicates: number;
  mbPerSec: number;
}

/**
 * n processes drain a separate --takeover-size MB logstore; once the last one has delivered some
 * logs it is SIGKILLed, and the time until the survivors hold all shards is measured.
 */
async function takeoverRun(
  emu: RpcChild,
  info: EmulatorInfo,
  receiver: RpcChild,
  port: number,
  n: number,
  mb: number,
  log: (s: string) => void,
): Promise<Takeover> {
  const pre = await emu.call<Preloaded>("preload", { logstore: "takeover", shards: SHARDS, mb });
  const names = Array.from({ length: n }, (_, i) => hostName(i));
  let takeoverMs = 0;
  let killedHadDelivered = 0;
  const d = await drain({
    emu: info,
    receiver,
    receiverPort: port,
    logstore: "takeover",
    group: "takeover",
    output: "batch",
    format: "kv",
    logs: pre.logs,
    processes: n,
    heartbeat: HEARTBEAT,
    timeout: TIMEOUT,
    during: async (procs) => {
      await waitBalanced(emu, "takeover", "takeover", names, 60_000);
      const victim = names[n - 1];
      for (const t0 = Date.now(); Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 20))) {
        if (((await receiver.call<ReceiverStats>("stats")).hosts[victim] ?? 0) >= 2000) break;
      }
      const killedAt = Date.now();
      await procs[n - 1].kill("SIGKILL");
      killedHadDelivered = (await receiver.call<ReceiverStats>("stats")).hosts[victim] ?? 0;
      await waitBalanced(emu, "takeover", "takeover", names.slice(0, -1), 60_000);
      takeoverMs = Date.now() - killedAt;
    },
  });
  // Let late re-deliveries arrive before counting them.
  await new Promise((r) => setTimeout(r, 2000));
  const frames = (await receiver.call<ReceiverStats>("stats")).frames;
  const r: Takeover = { processes: n, takeoverMs, killedHadDelivered, duplicates: frames - pre.logs, mbPerSec: round1(pre.bytes / 1e6 / d.wallSec) };
  log(
    `takeover (${n} processes, ${(pre.bytes / 1e6).toFixed(0)} MB): ${names[n - 1]} SIGKILLed after delivering ${killedHadDelivered} logs; the survivors held all ${SHARDS} shards after ${takeoverMs} ms (heartbeat ${HEARTBEAT} s, timeout ${TIMEOUT} s); ${r.duplicates} frames beyond the stored logs (re-deliveries)`,
  );
  return r;
}

type Snapshot = Array<{ name: string; granted: number[] }>;

async function waitBalanced(emu: RpcChild, logstore: string, group: string, names: string[], ms: number): Promise<Snapshot> {
  const t0 = Date.now();
  for (;;) {
    const c = await emu.call<Snapshot>("consumers", { logstore, group });
    const live = c.filter((x) => names.includes(x.name));
    const sizes = live.map((x) => x.granted.length);
    const all = new Set(live.flatMap((x) => x.granted));
    if (live.length === names.length && all.size === SHARDS && Math.max(...sizes) - Math.min(...sizes) <= 1) return live;
    if (Date.now() - t0 > ms) throw new Error(`group ${group} not balanced over ${names.join(", ")} after ${ms} ms: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runScale(o: { json: boolean; size: number; takeoverMb: number; processes: number[]; charts?: string }): Promise<void> {
  const log = logger(o.json);
  const emuProc = await startEmulatorProcess();
  const { proc: receiver, port } = await startReceiverProcess({ hosts: true });
  const runs: ScaleRun[] = [];
  try {
    const pre = await emuProc.proc.call<Preloaded>("preload", { logstore: "scale", shards: SHARDS, mb: o.size });
    log(`preloaded ${(pre.bytes / 1e6).toFixed(1)} MB raw, ${pre.logs} logs in ${SHARDS} shards (${pre.ms} ms)`);
    for (const n of o.processes) {
      const group = `scale-${n}`;
      const names = Array.from({ length: n }, (_, i) => hostName(i));
      let balance: Snapshot = [];
      let balanceMs = 0;
      const d = await drain({
        emu: emuProc.info,
        receiver,
        receiverPort: port,
        logstore: "scale",
        group,
        output: "batch",
        format: "kv",
        logs: pre.logs,
        processes: n,
        heartbeat: HEARTBEAT,
        timeout: TIMEOUT,
        during: async () => {
          const t0 = Date.now();
          balance = await waitBalanced(emuProc.proc, "scale", group, names, 60_000);
          balanceMs = Date.now() - t0;
        },
      });
      const t = throughput(pre.bytes, pre.logs, d.wallSec, d.cpuSec, d.peakRssMb);
      const perProcess = names.map((host) => {
        const logs = d.frames.hosts[host] ?? 0;
        const p = d.perProcess.find((x) => x.host === host);
        return {
          host,
          logs,
          share: round1((100 * logs) / d.frames.frames),
          shards: balance.find((b) => b.name === host)?.granted.length ?? 0,
          cpuSec: round1(p?.cpuSec ?? NaN),
          peakRssMb: Math.round(p?.peakRssMb ?? NaN),
        };
      });
      const run: ScaleRun = { ...t, processes: n, perProcess, balanceMs };
      runs.push(run);
      log(
        `${n} process(es): ${t.mbPerSec} MB/s, ${t.logsPerSec} logs/s over ${t.wallSec} s, ${t.cpuSec} CPU-s (${t.mbPerCpuSec} MB/CPU-s); balanced after ${balanceMs} ms`,
      );
      for (const p of perProcess) log(`   ${p.host}: ${p.shards} shards, ${p.logs} logs (${p.share} %), ${p.cpuSec} CPU-s, peak RSS ${p.peakRssMb} MB`);
    }
    const takeover = await takeoverRun(emuProc.proc, emuProc.info, receiver, port, Math.max(...o.processes), o.takeoverMb, log);
    if (o.charts) {
      const file = await chart(`${o.charts}/throughput-vs-consumers.png`, {
        title: `Throughput vs Node-RED processes (${SHARDS} shards, batch, key=value, ${Math.round(pre.bytes / 1e6)} MB)`,
        kind: "bar",
        xLabel: "Node-RED processes",
        yLabel: "raw MB/s",
        series: [{ name: "raw MB/s", points: runs.map((r) => [r.processes, r.mbPerSec] as [number, number]) }],
      });
      log(`chart: ${file}`);
    }
    if (o.json)
      console.log(
        JSON.stringify({ bench: "scale", machine: machine(), shards: SHARDS, size: { mb: round1(pre.bytes / 1e6), logs: pre.logs }, runs, takeover }),
      );
  } finally {
    await receiver.close();
    await emuProc.proc.close();
  }
}

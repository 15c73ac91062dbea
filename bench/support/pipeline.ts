// Runs the full pipeline against a preloaded logstore until the receiver holds every log, and
// measures the Node-RED processes (CPU-seconds, peak RSS) over that drain.
import type { EmulatorInfo } from "../../support/processes/emulator-process";
import path from "node:path";
import { pipelineFlow, type FlowShape, type MapFormat } from "../../support/processes/flows";
import { benchExecArgv, startNodeRedProcess, type NodeRedStats } from "../../support/processes/node-red-process";
import { procUsage, type RpcChild } from "../../support/processes/rpc";
import type { ReceiverStats } from "../../support/processes/receiver-process";

export interface DrainOptions {
  emu: EmulatorInfo;
  receiver: RpcChild;
  receiverPort: number;
  logstore: string;
  group: string;
  output: "log" | "batch";
  format: MapFormat;
  logs: number;
  /** Node-RED processes (HOSTNAME nr-1, nr-2, ...). Default 1. */
  processes?: number;
  heartbeat?: number;
  timeout?: number;
  maxInFlight?: number;
  /** Other processes whose CPU-seconds over the drain are reported too (name → pid). */
  watch?: Record<string, number>;
  /** Wiring after the map node (default linear). */
  flow?: FlowShape;
  /** An sls-stats node in the flow, sending every this many seconds (flows.ts). */
  statsEvery?: number;
  /** Package root to load the nodes from (default this build; see NodeRedArgs.root). */
  root?: string;
  /** Node flags for the Node-RED processes, after $BENCH_EXEC_ARGV's. */
  execArgv?: string[];
  /** Called once every process runs, with them (e.g. to kill one). */
  during?: (procs: RpcChild[]) => Promise<void>;
}

export interface DrainResult {
  wallSec: number;
  cpuSec: number;
  peakRssMb: number;
  frames: ReceiverStats;
  perProcess: Array<{ host: string; cpuSec: number; peakRssMb: number; atPeak: NodeRedStats["atPeak"] }>;
  /** RSS of the first process once its flows had started, before it had pulled anything. */
  startRssMb: number;
  /** Memory at the sampled RSS peak of the process with the highest peak. */
  atPeak: NodeRedStats["atPeak"];
  /** CPU-seconds of the watched processes (emulator, receiver) over the same time. */
  otherCpuSec: Record<string, number>;
}

export function hostName(i: number): string {
  return `nr-${i + 1}`;
}

/**
 * With $BENCH_PROF=DIR each Node-RED process writes a CPU profile of the drain alone (start-up left
 * out), DIR/<group>-<host>.cpuprofile, for Chrome DevTools or any .cpuprofile reader.
 */
export async function drain(o: DrainOptions): Promise<DrainResult> {
  const profileDir = process.env.BENCH_PROF;
  await o.receiver.call("reset");
  const n = o.processes ?? 1;
  const procs: RpcChild[] = [];
  const before: NodeRedStats[] = [];
  let t0 = 0;
  const otherBefore: Record<string, number> = {};
  try {
    for (let i = 0; i < n; i++) {
      const args = pipelineFlow({
        emu: o.emu,
        logstore: o.logstore,
        group: o.group,
        output: o.output,
        format: o.format,
        hostname: hostName(i),
        syslogPort: o.receiverPort,
        consumerName: hostName(i),
        heartbeat: o.heartbeat,
        timeout: o.timeout,
        maxInFlight: o.maxInFlight,
        flow: o.flow,
        statsEvery: o.statsEvery,
      });
      const p = await startNodeRedProcess({ ...args, root: o.root }, { execArgv: [...benchExecArgv(false), ...(o.execArgv ?? [])] });
      if (profileDir) await p.call("profileStart", {});
      if (i === 0) {
        t0 = Date.now(); // consumption starts with the first process's flows
        for (const [name, pid] of Object.entries(o.watch ?? {})) otherBefore[name] = procUsage(pid).cpuSec;
      }
      procs.push(p);
      before.push(await p.call<NodeRedStats>("stats"));
    }
    if (o.during) await o.during(procs);
    await o.receiver.call("waitFrames", { n: o.logs });
    const wallSec = (Date.now() - t0) / 1000;
    const otherCpuSec: Record<string, number> = {};
    for (const [name, pid] of Object.entries(o.watch ?? {})) otherCpuSec[name] = Math.round((procUsage(pid).cpuSec - otherBefore[name]) * 10) / 10;
    const frames = await o.receiver.call<ReceiverStats>("stats");
    const perProcess = [];
    for (let i = 0; i < n; i++) {
      if (!procs[i].alive) continue;
      const s = await procs[i].call<NodeRedStats>("stats");
      if (profileDir) await procs[i].call("profileStop", { file: path.join(profileDir, `${o.group}-${hostName(i)}.cpuprofile`) });
      perProcess.push({ host: hostName(i), cpuSec: s.cpuSec - before[i].cpuSec, peakRssMb: s.peakRssMb, atPeak: s.atPeak });
    }
    return {
      wallSec,
      cpuSec: perProcess.reduce((a, p) => a + p.cpuSec, 0),
      peakRssMb: Math.max(...perProcess.map((p) => p.peakRssMb)),
      atPeak: perProcess.reduce((a, p) => (p.peakRssMb > a.peakRssMb ? p : a)).atPeak,
      startRssMb: Math.round(before[0].rssMb),
      frames,
      perProcess,
      otherCpuSec,
    };
  } finally {
    await Promise.all(
      procs.map(async (p) => {
        await p.call("stop").catch(() => undefined);
        await p.close();
      }),
    );
  }
}

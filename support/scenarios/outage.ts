// SIEM outage with a backlog: the syslog receiver is down while SLS holds `backlog` logs. The
// consumer must stop pulling once its sinks hold max-in-flight logs unwritten, in either ack mode,
// so the Node-RED process's RSS stays flat however long the outage lasts; when the receiver is
// back every log arrives. RSS is sampled through the outage.
//
// npm run chaos runs it for 10 minutes in each ack mode after the fault phases (--long-outage-seconds);
// test/interop/outage-memory.test.ts runs a short one in CI.
import { startEmulatorProcess } from "../processes/emulator-process";
import { pipelineFlow } from "../processes/flows";
import { benchExecArgv, startNodeRedProcess } from "../processes/node-red-process";
import { startReceiverProcess } from "../processes/receiver-process";
import { procUsage } from "../processes/rpc";

export interface OutageOptions {
  ackMode: "delivery" | "emit";
  /** Logs in SLS before the outage starts (generated as fast as the emulator can). */
  backlog: number;
  outageSec: number;
  maxInFlight?: number;
  /** RSS sample interval. Default 500 ms. */
  sampleMs?: number;
  /** Most time for the backlog to arrive after the receiver is back. Default 120 s. */
  drainSec?: number;
  log?: (s: string) => void;
}

export interface OutageResult {
  ackMode: "delivery" | "emit";
  backlog: number;
  outageSec: number;
  /** [seconds since the receiver went down, RSS MB]. */
  points: Array<[number, number]>;
  /** RSS when Node-RED's flows had started, before the consumer joined its group (MB). */
  rssStartMb: number;
  /** Median RSS of the second quarter of the outage, and the highest of the second half (MB). */
  rssEarlyMb: number;
  rssLateMaxMb: number;
  /** rssLateMaxMb - rssEarlyMb: what a longer outage would keep adding. */
  growthMb: number;
  /** PullLogs requests in the second half of the outage. */
  pullsLate: number;
  /** Logs that had not arrived when the drain time was up (must be 0). */
  lost: number;
  drainSec: number;
}

const LOGSTORE = "outage";
const SHARDS = 4;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runOutage(o: OutageOptions): Promise<OutageResult> {
  const log = o.log ?? (() => undefined);
  const sampleMs = o.sampleMs ?? 500;
  const emu = await startEmulatorProcess();
  const { proc: receiver, port } = await startReceiverProcess({ seqs: true });
  let nr: Awaited<ReturnType<typeof startNodeRedProcess>> | undefined;
  try {
    await emu.proc.call("createLogstore", { logstore: LOGSTORE, shards: SHARDS });
    await emu.proc.call("generate", { logstore: LOGSTORE, kind: "slb", count: o.backlog });
    while ((await emu.proc.call<number>("generated", { logstore: LOGSTORE })) < o.backlog) await sleep(100);
    await receiver.call("close");
    const pulls = (await emu.proc.call<number>("addFault", { actions: ["PullLogs"] })) as number;
    const pullCount = async (): Promise<number> =>
      (await emu.proc.call<Array<{ id: number; hits: number }>>("faultHits")).find((f) => f.id === pulls)?.hits ?? 0;
    const args = pipelineFlow({
      emu: emu.info,
      logstore: LOGSTORE,
      group: `outage-${o.ackMode}`,
      output: "log",
      format: "kv",
      syslogPort: port,
      ackMode: o.ackMode,
      maxInFlight: o.maxInFlight ?? 1000,
      heartbeat: 1,
      timeout: 5,
      commitInterval: 1,
      logLevel: "fatal",
    });
    nr = await startNodeRedProcess(args, { execArgv: benchExecArgv() });
    log(`${o.ackMode}: ${o.backlog} logs in SLS, receiver down, Node-RED started`);
    // The outage is timed from the first pull, not from the process start: on a loaded machine
    // Node-RED's start and the group's first heartbeat can take half a short outage, and the
    // pulls that fill the window would then count as pulls that should have stopped.
    for (const give = Date.now() + 60_000; (await pullCount()) === 0; await sleep(50)) {
      if (Date.now() > give) throw new Error("the consumer made no PullLogs request within 60 s of Node-RED's start");
    }
    const t0 = Date.now();
    const points: Array<[number, number]> = [];
    let pullsHalf = 0;
    const end = t0 + o.outageSec * 1000;
    for (let next = t0; Date.now() < end; next += sampleMs) {
      await sleep(Math.max(0, next - Date.now()));
      const t = (Date.now() - t0) / 1000;
      points.push([Math.round(t * 10) / 10, Math.round(procUsage(nr.pid).rssMb)]);
      if (pullsHalf === 0 && t >= o.outageSec / 2) pullsHalf = await pullCount();
    }
    const pullsLate = (await pullCount()) - pullsHalf;
    await receiver.call("listen");
    const drainStart = Date.now();
    const deadline = drainStart + (o.drainSec ?? 120) * 1000;
    const missing = (): Promise<{ count: number }> => receiver.call<{ count: number }>("missing", { from: 0, to: o.backlog });
    while ((await missing()).count > 0 && Date.now() < deadline) await sleep(250);
    const lost = (await missing()).count;
    const drainSec = Math.round((Date.now() - drainStart) / 100) / 10;
    const q = (from: number, to: number): number[] => points.filter(([t]) => t >= from * o.outageSec && t < to * o.outageSec).map(([, mb]) => mb);
    const early = q(0.25, 0.5).sort((a, b) => a - b);
    const rssEarlyMb = early[Math.floor(early.length / 2)] ?? 0;
    const rssLateMaxMb = Math.max(0, ...q(0.5, 1.01));
    const r: OutageResult = {
      ackMode: o.ackMode,
      backlog: o.backlog,
      outageSec: o.outageSec,
      points,
      rssStartMb: points[0]?.[1] ?? 0,
      rssEarlyMb,
      rssLateMaxMb,
      growthMb: rssLateMaxMb - rssEarlyMb,
      pullsLate,
      lost,
      drainSec,
    };
    log(
      `${o.ackMode}: outage ${o.outageSec} s: RSS ${r.rssStartMb} MB at start, ${rssEarlyMb} MB early, ${rssLateMaxMb} MB at most later (${r.growthMb >= 0 ? "+" : ""}${r.growthMb} MB); ${pullsLate} pulls in the second half; after the receiver returned: ${lost} lost, drained in ${drainSec} s`,
    );
    return r;
  } finally {
    if (nr) {
      await nr.call("stop").catch(() => undefined);
      await nr.close();
    }
    await receiver.close();
    await emu.proc.close();
  }
}

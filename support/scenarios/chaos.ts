// The chaos scenario (npm run chaos, bench/chaos.ts; test/interop/chaos.test.ts runs a shortened
// form): sequence-numbered logs flow through the full pipeline (emulator process → two Node-RED
// processes running sls-consumer → sls-syslog-map → syslog out → receiver process, which counts
// every seq) while, in turn: a consumer process is SIGKILLed, the syslog receiver is down, a shard
// is split and two merged, and the emulator injects 5xx, throttling and dropped connections. After
// each fault the pipeline must catch up; lost (must be 0) and duplicated logs are reported per
// fault, plus the RSS of the Node-RED processes during the outage.
import { startEmulatorProcess } from "../processes/emulator-process";
import { pipelineFlow } from "../processes/flows";
import { benchExecArgv, startNodeRedProcess } from "../processes/node-red-process";
import { startReceiverProcess, type ReceiverStats } from "../processes/receiver-process";
import { procUsage, type RpcChild } from "../processes/rpc";

export interface ChaosOptions {
  /** Logs per second written while the faults run. */
  rate: number;
  /** How long each fault (but the outage) lasts. */
  phaseSec: number;
  /** How long the receiver is down. */
  outageSec: number;
  /** Most time to catch up after a fault. */
  drainSec: number;
  log?: (s: string) => void;
  /** Node-RED processes log only fatal errors (the injected faults are logged otherwise). */
  quiet?: boolean;
}

export interface PhaseResult {
  fault: string;
  /** Seqs written since the previous fault ended, up to the end of this one: [from, to). */
  written: [number, number];
  lost: number;
  duplicates: number;
  /** Seconds from the start of the fault until every seq written so far had arrived. */
  recoverSec: number;
  peakRssMb: number;
  detail?: string;
}

export interface ChaosResult {
  phases: PhaseResult[];
  total: { written: number; lost: number; duplicates: number; missingFirst: number[] };
  outageRss: Array<{ host: string; points: Array<[number, number]> }>;
}

const LOGSTORE = "chaos";
const GROUP = "chaos";
const SHARDS = 4;
const OUTAGE = "syslog receiver down";
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => undefined);
  const emu = await startEmulatorProcess();
  const { proc: receiver, port } = await startReceiverProcess({ seqs: true });
  const procs = new Map<string, RpcChild>();
  const spawn = async (host: string): Promise<void> => {
    const args = pipelineFlow({
      emu: emu.info,
      logstore: LOGSTORE,
      group: GROUP,
      output: "log",
      format: "kv",
      hostname: host,
      consumerName: host,
      syslogPort: port,
      heartbeat: 0.5,
      timeout: 3,
      commitInterval: 0.5,
      logLevel: o.quiet ? "fatal" : "warn",
    });
    procs.set(host, await startNodeRedProcess(args, { execArgv: benchExecArgv() }));
  };
  const phases: PhaseResult[] = [];
  const outageRss: ChaosResult["outageRss"] = [];
  try {
    await emu.proc.call("createLogstore", { logstore: LOGSTORE, shards: SHARDS });
    await emu.proc.call("generate", { logstore: LOGSTORE, kind: "slb", rate: o.rate });
    await spawn("nr-1");
    const written = (): Promise<number> => emu.proc.call<number>("generated", { logstore: LOGSTORE });
    const missing = (from: number, to: number) => receiver.call<{ count: number; first: number[] }>("missing", { from, to });

    /** Runs `act` (the fault), then waits until every seq written up to its end has arrived. */
    let from = 0;
    const phase = async (fault: string, act: () => Promise<string | void>): Promise<void> => {
      const dup0 = (await receiver.call<ReceiverStats>("stats")).duplicates;
      const t0 = Date.now();
      let peak = 0;
      const samples = new Map<string, Array<[number, number]>>();
      const sampler = setInterval(() => {
        for (const [host, p] of procs) {
          if (!p.alive) continue;
          try {
            const mb = procUsage(p.pid).rssMb;
            peak = Math.max(peak, mb);
            if (!samples.has(host)) samples.set(host, []);
            samples.get(host)!.push([(Date.now() - t0) / 1000, Math.round(mb)]);
          } catch {
            // the process just exited
          }
        }
      }, 250);
      const detail = await act();
      const to = await written();
      const deadline = Date.now() + o.drainSec * 1000;
      while ((await missing(0, to)).count > 0 && Date.now() < deadline) await sleep(200);
      const recoverSec = (Date.now() - t0) / 1000;
      await sleep(1000); // late duplicates belong to this fault
      clearInterval(sampler);
      if (fault === OUTAGE) for (const [host, points] of samples) outageRss.push({ host, points });
      const lost = (await missing(from, to)).count;
      const duplicates = (await receiver.call<ReceiverStats>("stats")).duplicates - dup0;
      const r: PhaseResult = {
        fault,
        written: [from, to],
        lost,
        duplicates,
        recoverSec: Math.round(recoverSec * 10) / 10,
        peakRssMb: Math.round(peak),
        ...(detail ? { detail } : {}),
      };
      phases.push(r);
      log(
        `${fault.padEnd(26)} seqs ${from}..${to - 1}: lost ${lost}, duplicates ${duplicates}, caught up after ${r.recoverSec} s, peak RSS ${r.peakRssMb} MB${detail ? ` (${detail})` : ""}`,
      );
      from = to;
    };

    await phase("second consumer joins", async () => {
      await spawn("nr-2");
      for (const t0 = Date.now(); ; await sleep(100)) {
        const c = await emu.proc.call<Array<{ granted: number[] }>>("consumers", { logstore: LOGSTORE, group: GROUP });
        if (c.length === 2 && c.every((x) => x.granted.length === SHARDS / 2)) return `balanced 2/2 after ${Date.now() - t0} ms`;
        if (Date.now() - t0 > o.drainSec * 1000) throw new Error(`consumer group not balanced: ${JSON.stringify(c)}`);
      }
    });
    await phase("none (baseline)", () => sleep(o.phaseSec * 1000));
    await phase("consumer SIGKILL", async () => {
      await procs.get("nr-2")!.kill("SIGKILL");
      procs.delete("nr-2");
      await sleep(o.phaseSec * 1000);
      await spawn("nr-3");
      return "nr-2 killed; nr-3 started after the fault";
    });
    await phase(OUTAGE, async () => {
      await receiver.call("close");
      await sleep(o.outageSec * 1000);
      await receiver.call("listen");
      return `receiver down for ${o.outageSec} s`;
    });
    await phase("shard split + merge", async () => {
      const split = await emu.proc.call<number[]>("split", { logstore: LOGSTORE, shard: 0 });
      await sleep((o.phaseSec * 1000) / 2);
      const merged = await emu.proc.call<number>("merge", { logstore: LOGSTORE, shard: 2 });
      await sleep((o.phaseSec * 1000) / 2);
      return `shard 0 split into ${split.join(", ")}; 2 and 3 merged into ${merged}`;
    });
    await phase("SLS 5xx, throttling, resets", async () => {
      const rules = [
        { actions: ["PullLogs"], rate: 0.2, error: { status: 500, code: "InternalServerError" } },
        { actions: ["PullLogs"], rate: 0.1, error: { status: 403, code: "ReadQuotaExceed" } },
        { actions: ["PullLogs"], rate: 0.05, drop: "after" },
        { actions: ["ConsumerGroupHeartBeat"], rate: 0.2, error: { status: 503, code: "ServerBusy" } },
        { actions: ["ConsumerGroupUpdateCheckPoint"], rate: 0.2, error: { status: 500, code: "InternalServerError" } },
        { actions: ["ConsumerGroupUpdateCheckPoint", "GetCheckPoint"], rate: 0.05, drop: "before" },
      ];
      for (const r of rules) await emu.proc.call("addFault", r);
      await sleep(o.phaseSec * 1000);
      const hits = await emu.proc.call<Array<{ hits: number }>>("faultHits");
      await emu.proc.call("clearFaults");
      return `${hits.reduce((a, h) => a + h.hits, 0)} requests hit`;
    });
    const total = await emu.proc.call<number>("stopGenerate", { logstore: LOGSTORE });
    const deadline = Date.now() + o.drainSec * 1000;
    while ((await missing(0, total)).count > 0 && Date.now() < deadline) await sleep(200);
    await sleep(500);
    const m = await missing(0, total);
    const st = await receiver.call<ReceiverStats>("stats");
    const result: ChaosResult = { phases, total: { written: total, lost: m.count, duplicates: st.duplicates, missingFirst: m.first }, outageRss };
    log(`total: ${total} logs written, lost ${m.count}, duplicates ${st.duplicates}`);
    return result;
  } finally {
    await Promise.all(
      [...procs.values()].map(async (p) => {
        await p.call("stop").catch(() => undefined);
        await p.close();
      }),
    );
    await receiver.close();
    await emu.proc.close();
  }
}

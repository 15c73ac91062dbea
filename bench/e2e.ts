// End-to-end benchmark: npm run bench [-- --json] [--size MB] [--scale]
//
// An emulator process preloaded with --size MB (default 500) of realistic raw log groups in 8
// shards; one Node-RED process running sls-consumer → sls-syslog-map → syslog out over TCP
// (octet-counted) into a counting receiver process, per output mode (batch, per-log) and body
// format (key=value, CEF). Measures raw MB/s, logs/s, CPU-seconds and peak RSS of the Node-RED
// process, put→receive latency at a fixed 1 k logs/s, and the limit: the receiver fed pre-formatted
// frames over a raw socket. --scale runs the scale-out benchmark instead (bench/scale.ts), --matrix
// the workload matrix (bench/matrix.ts).
import net from "node:net";
import { benchArgs } from "./support/args";
import { compileMapper } from "../lib/mapping";
import { toRecordGroup } from "../lib/sls/pull-decoder";
import { formatRfc5424 } from "../lib/syslog/rfc5424";
import { octetFrame } from "../lib/syslog/framing";
import { GENERATOR_KINDS, LogGenerator } from "../emulator/generator";
import { startEmulatorProcess, type Preloaded } from "../support/processes/emulator-process";
import { pipelineFlow, type MapFormat } from "../support/processes/flows";
import { benchExecArgv, startNodeRedProcess } from "../support/processes/node-red-process";
import { drain } from "./support/pipeline";
import { startReceiverProcess, type ReceiverStats } from "../support/processes/receiver-process";
import { logger, machine, main, round1, throughput, type Throughput } from "./support/report";
import { runMatrix } from "./matrix";
import { runScale } from "./scale";

const { values } = benchArgs("npm run bench -- [options]", {
  options: {
    json: { type: "boolean", default: false },
    /** Default 500 MB; 1000 with --matrix. */
    size: { type: "string", default: "" },
    shards: { type: "string", default: "8" },
    formats: { type: "string", default: "kv,cef" },
    modes: { type: "string", default: "batch,perLog" },
    "latency-seconds": { type: "string", default: "30" },
    rate: { type: "string", default: "1000" },
    scale: { type: "boolean", default: false },
    processes: { type: "string", default: "1,2,3" },
    "takeover-size": { type: "string", default: "100" },
    charts: { type: "string", default: "" },
    "max-in-flight": { type: "string", default: "1000" },
    matrix: { type: "boolean", default: false },
    cells: { type: "string", default: "" },
    runs: { type: "string", default: "1" },
    ab: { type: "string", default: "" },
    "ab-flags": { type: "string", default: "" },
    "stats-ab": { type: "string", default: "" },
  },
});
const sizeMb = Number(values.size || (values.matrix ? 1000 : 500));
const json = values.json!;
const log = logger(json);

type Mode = "batch" | "perLog";
interface ModeResult extends Throughput {
  format: MapFormat;
  frameMb: number;
  /** CPU-seconds of the emulator and receiver processes over the same drain. */
  otherCpuSec: Record<string, number>;
}

/** put→receive latency at a fixed rate: generated logs carry their put time as __time__ + ns. */
async function latency(
  emuProc: Awaited<ReturnType<typeof startEmulatorProcess>>,
  rate: number,
  seconds: number,
): Promise<{ p50: number; p99: number; max: number; count: number }> {
  const { proc: receiver, port } = await startReceiverProcess({ latency: true });
  const logstore = "latency";
  await emuProc.proc.call("createLogstore", { logstore, shards: 8 });
  await emuProc.proc.call("generate", { logstore, kind: "waf", rate });
  const nr = await startNodeRedProcess(pipelineFlow({ emu: emuProc.info, logstore, group: "latency", output: "log", format: "kv", syslogPort: port }), {
    execArgv: benchExecArgv(),
  });
  try {
    await new Promise((r) => setTimeout(r, 5000)); // warm-up: group join, backlog of the first seconds
    await receiver.call("latency", { percentiles: [] });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const l = await receiver.call<{ count: number; values: number[] }>("latency", { percentiles: [50, 99, 100] });
    return { p50: l.values[0], p99: l.values[1], max: l.values[2], count: l.count };
  } finally {
    await emuProc.proc.call("stopGenerate", { logstore });
    await nr.call("stop").catch(() => undefined);
    await nr.close();
    await receiver.close();
  }
}

/** Frames as the pipeline writes them (kv), pre-formatted, written over one raw socket. */
async function limit(logs: number, rawPerLog: number): Promise<Throughput & { frameMbPerSec: number }> {
  const { proc: receiver, port } = await startReceiverProcess();
  const mapper = compileMapper({ format: "kv", hostname: "nr-1", hostnameType: "str" });
  const frames: Buffer[] = [];
  for (const kind of GENERATOR_KINDS) {
    const gen = new LogGenerator(kind, { seed: 7, groupSize: 100 });
    for (let i = 0; i < 10; i++) {
      const g = gen.group(Date.now());
      const records = toRecordGroup(g).records;
      for (const [i, l] of g.logs.entries()) {
        const meta = {
          project: "sls-emulator",
          logstore: "bench",
          shard: 0,
          cursor: "MTcxNDk3OTI4OTEyMzQ1Njc4",
          time: l.time,
          timeNs: l.timeNs,
          topic: g.topic,
          source: g.source,
          tags: {},
        };
        frames.push(octetFrame(formatRfc5424(mapper.mapRecord(records[i], meta) as Parameters<typeof formatRfc5424>[0])));
      }
    }
  }
  const chunk = Buffer.concat(frames);
  const sock = net.connect(port, "127.0.0.1");
  await new Promise((r) => sock.once("connect", r));
  const t0 = Date.now();
  let sent = 0;
  while (sent < logs) {
    const n = Math.min(frames.length, logs - sent);
    const buf = n === frames.length ? chunk : Buffer.concat(frames.slice(0, n));
    sent += n;
    if (!sock.write(buf)) await new Promise((r) => sock.once("drain", r));
  }
  await receiver.call("waitFrames", { n: logs });
  const wall = (Date.now() - t0) / 1000;
  const st = await receiver.call<ReceiverStats>("stats");
  sock.destroy();
  await receiver.close();
  return { ...throughput(rawPerLog * logs, logs, wall, NaN, NaN), frameMbPerSec: round1(st.bytes / 1e6 / wall) };
}

async function e2e(): Promise<void> {
  const shards = Number(values.shards);
  const m = machine();
  log(`machine: ${m.nproc} CPUs (${m.cpu}), ${m.memGb} GB, Node.js ${m.node}, load average ${m.loadAvg1}`);
  const emuProc = await startEmulatorProcess();
  const { proc: receiver, port } = await startReceiverProcess();
  try {
    const pre = await emuProc.proc.call<Preloaded>("preload", { logstore: "bench", shards, mb: sizeMb });
    log(`preloaded ${(pre.bytes / 1e6).toFixed(1)} MB raw, ${pre.logs} logs in ${shards} shards (${pre.ms} ms)`);
    const results: Partial<Record<string, ModeResult>> = {};
    for (const format of values.formats!.split(",") as MapFormat[]) {
      for (const mode of values.modes!.split(",") as Mode[]) {
        const d = await drain({
          emu: emuProc.info,
          receiver,
          receiverPort: port,
          logstore: "bench",
          group: `bench-${mode}-${format}`,
          output: mode === "batch" ? "batch" : "log",
          format,
          logs: pre.logs,
          maxInFlight: Number(values["max-in-flight"]),
          watch: { emulator: emuProc.proc.pid, receiver: receiver.pid },
        });
        const r: ModeResult = {
          ...throughput(pre.bytes, pre.logs, d.wallSec, d.cpuSec, d.peakRssMb),
          format,
          frameMb: round1(d.frames.bytes / 1e6),
          otherCpuSec: d.otherCpuSec,
        };
        const key = format === "kv" ? mode : `${mode}Cef`;
        results[key] = r;
        log(
          `${key.padEnd(10)} ${String(r.mbPerSec).padStart(6)} MB/s ${String(r.logsPerSec).padStart(7)} logs/s ${String(r.cpuSec).padStart(6)} CPU-s ${String(r.mbPerCpuSec).padStart(6)} MB/CPU-s  peak RSS ${r.peakRssMb} MB  (${r.wallSec} s, ${r.frameMb} MB of frames; emulator ${r.otherCpuSec.emulator} CPU-s, receiver ${r.otherCpuSec.receiver} CPU-s)`,
        );
      }
    }
    const lim = await limit(pre.logs, pre.bytes / pre.logs);
    log(
      `limit      ${String(lim.mbPerSec).padStart(6)} MB/s ${String(lim.logsPerSec).padStart(7)} logs/s  (raw socket of pre-formatted frames: ${lim.frameMbPerSec} MB/s of frames)`,
    );
    const lat = await latency(emuProc, Number(values.rate), Number(values["latency-seconds"]));
    log(`latency    p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms over ${lat.count} logs at ${values.rate} logs/s`);
    const out = {
      bench: "e2e",
      machine: m,
      size: { mb: round1(pre.bytes / 1e6), logs: pre.logs, shards },
      ...results,
      latencyMs: { p50: lat.p50, p99: lat.p99, max: lat.max, count: lat.count, rate: Number(values.rate) },
      limit: { mbPerSec: lim.mbPerSec, logsPerSec: lim.logsPerSec, frameMbPerSec: lim.frameMbPerSec, wallSec: lim.wallSec },
    };
    if (json) console.log(JSON.stringify(out));
  } finally {
    await receiver.close();
    await emuProc.proc.close();
  }
}

main(async () =>
  values.matrix
    ? runMatrix({
        json,
        cells: values.cells!,
        sizeMb,
        runs: Math.max(1, Number(values.runs)),
        maxInFlight: Number(values["max-in-flight"]),
        ab: values.ab || undefined,
        abFlags: values["ab-flags"] || undefined,
        statsAb: Number(values["stats-ab"]) || undefined,
        charts: values.charts || undefined,
      })
    : values.scale
      ? runScale({
          json,
          size: sizeMb,
          takeoverMb: Number(values["takeover-size"]),
          processes: values.processes!.split(",").map(Number),
          charts: values.charts || undefined,
        })
      : e2e(),
);

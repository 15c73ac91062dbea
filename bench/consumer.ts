// npm run bench:consumer [-- --json] [--mb N] [--mode batch|perLog] [--runs N]
// Emulator (own process) preloaded with >= 200 MB (raw protobuf) of realistic logs in 4 shards,
// drained by one Node-RED process through sls-consumer into a settling null sink, --runs times
// (default 3, each a fresh process and consumer group) per output mode; each mode reports its
// median run by MB/CPU-s. Prints MB/s, logs/s and CPU-seconds of the Node-RED process.
import { benchArgs } from "./support/args";
import { startEmulatorProcess } from "../support/processes/emulator-process";
import { pipelineFlow } from "../support/processes/flows";
import { drainToSink } from "../support/processes/node-red-process";
import { logger, main, throughput, type Throughput } from "./support/report";

const { values } = benchArgs("npm run bench:consumer -- [options]", {
  options: {
    json: { type: "boolean", default: false },
    mb: { type: "string", default: "200" },
    mode: { type: "string" },
    runs: { type: "string", default: "3" },
  },
});
const json = values.json!;
const log = logger(json);
const LOGSTORE = "bench";
const SHARDS = 4;

main(async () => {
  const { proc: emuProc, info } = await startEmulatorProcess();
  const pre = await emuProc.call<{ bytes: number; logs: number; ms: number }>("preload", { logstore: LOGSTORE, shards: SHARDS, mb: Number(values.mb) });
  log(`preloaded ${(pre.bytes / 1e6).toFixed(1)} MB raw, ${pre.logs} logs in ${SHARDS} shards (${pre.ms} ms)`);
  const results: Record<string, Throughput> = {};
  const modes = (
    [
      ["batch", "batch"],
      ["perLog", "log"],
    ] as const
  ).filter(([name]) => !values.mode || values.mode === name);
  if (modes.length === 0) throw new Error(`--mode must be batch or perLog, not ${values.mode}`);
  // A 200 MB drain takes about a second: one moment of load elsewhere on the machine, or one run
  // whose records reach V8's old generation, would decide the figure. The median of a few does not.
  const runs = Math.max(1, Number(values.runs));
  for (const [name, output] of modes) {
    const all: Throughput[] = [];
    for (let i = 0; i < runs; i++) {
      const d = await drainToSink(pipelineFlow({ emu: info, logstore: LOGSTORE, group: `bench-${output}-${i}`, output, expect: pre.logs }));
      all.push(throughput(pre.bytes, d.records, d.wallSec, d.cpuSec, d.peakRssMb));
    }
    const r = [...all].sort((a, b) => a.mbPerCpuSec - b.mbPerCpuSec)[Math.floor(all.length / 2)];
    results[name] = r;
    const each = runs > 1 ? ` [runs: ${all.map((x) => `${x.mbPerCpuSec} MB/CPU-s ${x.peakRssMb} MB`).join(", ")}]` : "";
    log(
      `${name.padEnd(6)}: ${r.mbPerSec} MB/s, ${r.logsPerSec} logs/s, ${r.cpuSec} CPU-s over ${r.wallSec} s → ${r.mbPerCpuSec} MB/CPU-s (peak RSS ${r.peakRssMb} MB)${runs > 1 ? " median" : ""}${each}`,
    );
  }
  await emuProc.close();
  if (json) console.log(JSON.stringify(results));
});

// npm run bench:consumer [-- --json] [--mb N] [--mode batch|perLog]
// Emulator (own process) preloaded with >= 200 MB (raw protobuf) of realistic logs in 4 shards,
// drained by one Node-RED process through sls-consumer into a settling null sink, once per output
// mode. Prints MB/s, logs/s and CPU-seconds of the Node-RED process.
import { parseArgs } from "node:util";
import { startEmulatorProcess } from "./support/emulator-process";
import { pipelineFlow } from "./support/flows";
import { drainToSink } from "./support/node-red-process";
import { logger, main, throughput, type Throughput } from "./support/report";

const { values } = parseArgs({ options: { json: { type: "boolean", default: false }, mb: { type: "string", default: "200" }, mode: { type: "string" } } });
const json = values.json!;
const log = logger(json);
const LOGSTORE = "bench";
const SHARDS = 4;

main(async () => {
  const { proc: emuProc, info } = await startEmulatorProcess();
  const pre = await emuProc.call<{ bytes: number; logs: number; ms: number }>("preload", { logstore: LOGSTORE, shards: SHARDS, mb: Number(values.mb) });
  log(`preloaded ${(pre.bytes / 1e6).toFixed(1)} MB raw, ${pre.logs} logs in ${SHARDS} shards (${pre.ms} ms)`);
  const results: Record<string, Throughput> = {};
  const modes = ([["batch", "batch"], ["perLog", "log"]] as const).filter(([name]) => !values.mode || values.mode === name);
  if (modes.length === 0) throw new Error(`--mode must be batch or perLog, not ${values.mode}`);
  for (const [name, output] of modes) {
    const d = await drainToSink(pipelineFlow({ emu: info, logstore: LOGSTORE, group: `bench-${output}`, output, expect: pre.logs }));
    const r = throughput(pre.bytes, d.records, d.wallSec, d.cpuSec, d.peakRssMb);
    results[name] = r;
    log(`${name.padEnd(6)}: ${r.mbPerSec} MB/s, ${r.logsPerSec} logs/s, ${r.cpuSec} CPU-s over ${r.wallSec} s → ${r.mbPerCpuSec} MB/CPU-s (peak RSS ${r.peakRssMb} MB)`);
  }
  await emuProc.close();
  if (json) console.log(JSON.stringify(results));
});

// npm run bench:consumer [-- --json] [--mb N] [--mode batch|perLog]
// Emulator (own process) preloaded with >= 200 MB (raw protobuf) of realistic logs in 4 shards,
// drained by one Node-RED process through sls-consumer into a settling null sink, once per output
// mode. Prints MB/s, logs/s and CPU-seconds of the Node-RED process.
import { parseArgs } from "node:util";
import { startEmulatorProcess } from "./support/emulator-process";
import { pipelineFlow } from "./support/flows";
import { benchExecArgv, startNodeRedProcess } from "./support/node-red-process";
import { logger, main, throughput, type Throughput } from "./support/report";

interface Mark {
  first?: boolean;
  done?: boolean;
  at: number;
  cpu: NodeJS.CpuUsage;
  rss?: number;
  records?: number;
}

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
    const marks: Mark[] = [];
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    // The null sink times from its first record: runtime start-up and group join are one-off costs.
    const nr = await startNodeRedProcess(pipelineFlow({ emu: info, logstore: LOGSTORE, group: `bench-${output}`, output, expect: pre.logs }), {
      execArgv: benchExecArgv(),
      onMessage: (m) => {
        const k = m as Mark;
        if (k.first || k.done) marks.push(k);
        if (k.done) finished();
      },
    });
    await done;
    const [first, last] = marks;
    const r = throughput(pre.bytes, last.records!, (last.at - first.at) / 1000, (last.cpu.user + last.cpu.system - first.cpu.user - first.cpu.system) / 1e6, (await nr.call<{ peakRssMb: number }>("stats")).peakRssMb);
    results[name] = r;
    await nr.call("stop").catch(() => undefined);
    await nr.close();
    log(`${name.padEnd(6)}: ${r.mbPerSec} MB/s, ${r.logsPerSec} logs/s, ${r.cpuSec} CPU-s over ${r.wallSec} s → ${r.mbPerCpuSec} MB/CPU-s (peak RSS ${r.peakRssMb} MB)`);
  }
  await emuProc.close();
  if (json) console.log(JSON.stringify(results));
});

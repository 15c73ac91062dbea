// Small shared helpers of the bench scripts: rounding, logging beside --json, the machine.
import fs from "node:fs";
import os from "node:os";
export const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Progress lines: stdout normally, stderr with --json (stdout then carries only the JSON). */
export function logger(json: boolean): (s: string) => void {
  return (s) => (json ? console.error(s) : console.log(s));
}

export interface Throughput {
  mb: number;
  logs: number;
  wallSec: number;
  cpuSec: number;
  mbPerSec: number;
  logsPerSec: number;
  mbPerCpuSec: number;
  peakRssMb: number;
}

export function throughput(bytes: number, logs: number, wallSec: number, cpuSec: number, peakRssMb: number): Throughput {
  const mb = bytes / 1e6;
  return {
    mb: round1(mb),
    logs,
    wallSec: Math.round(wallSec * 100) / 100,
    cpuSec: Math.round(cpuSec * 100) / 100,
    mbPerSec: round1(mb / wallSec),
    logsPerSec: Math.round(logs / wallSec),
    mbPerCpuSec: round1(mb / cpuSec),
    peakRssMb: Math.round(peakRssMb),
  };
}

export const main = (f: () => Promise<void>): void =>
  void f().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );

/** What the figures were measured on (docs/performance.md quotes it). */
export function machine(): { nproc: number; cpu: string; memGb: number; node: string; loadAvg1: number } {
  const model = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  // loadAvg1: other work on the machine when the bench started (wall-clock figures depend on it).
  return {
    nproc: os.availableParallelism(),
    cpu: model.trim(),
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAvg1: Math.round(os.loadavg()[0] * 10) / 10,
  };
}

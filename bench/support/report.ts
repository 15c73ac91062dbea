// Small shared helpers of the bench scripts: rounding, logging beside --json.
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

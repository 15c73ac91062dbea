// One embedded Node-RED runtime (no editor, no test helper) in its own process, running the flow
// it is given: the bench's stand-in for a production Node-RED. argv[2] = JSON NodeRedArgs.
// Tells the parent {started, at, cpu} once the flows run; answers `stats` (CPU, RSS) and `stop`.
import fs from "node:fs";
import http from "node:http";
import inspector from "node:inspector";
import os from "node:os";
import path from "node:path";
import { nodeRedSettings } from "../node-red";
import { loadNodeRed } from "../node-red-runtime";
import { RpcChild, serveRpc } from "./rpc";

export interface NodeRedArgs {
  flow: object[];
  credentials: Record<string, object>;
  /** Extra node types for the bench: type → compiled module path (an editor stub is generated). */
  nodes?: Record<string, string>;
  /** Console log level (default warn). */
  logLevel?: string;
  /**
   * Package root to load this package's nodes from (default: this build). Another build of the
   * package (e.g. of an earlier commit) there makes an A/B comparison on the same backlog.
   */
  root?: string;
}

export interface NodeRedStats {
  cpuSec: number;
  rssMb: number;
  peakRssMb: number;
  /** What memory held when the sampled RSS was highest (every 50 ms), MB: where a peak comes from. */
  atPeak: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]) as NodeRedArgs;
  const root = a.root ?? path.resolve(__dirname, "..", "..", "..");
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-node-red-"));
  const extra = path.join(userDir, "extra-nodes");
  fs.mkdirSync(extra);
  for (const [type, module] of Object.entries(a.nodes ?? {})) {
    fs.writeFileSync(path.join(extra, `${type}.js`), `module.exports = require(${JSON.stringify(module)});\n`);
    fs.writeFileSync(
      path.join(extra, `${type}.html`),
      `<script type="text/javascript">RED.nodes.registerType(${JSON.stringify(type)},{category:"function",defaults:{},inputs:1,outputs:0});</script>\n`,
    );
  }
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(a.flow));
  fs.writeFileSync(path.join(userDir, "flows_cred.json"), JSON.stringify(a.credentials));
  const RED = loadNodeRed<{
    init(server: http.Server, settings: object): void;
    start(): Promise<void>;
    stop(): Promise<void>;
    events: { on(ev: string, fn: () => void): void };
  }>();
  RED.init(http.createServer(), nodeRedSettings({ userDir, credentialSecret: false, nodesDir: [root, extra], logLevel: a.logLevel ?? "warn" }));
  RED.events.on("flows:started", () => process.send?.({ started: true, at: Date.now(), cpu: process.cpuUsage() }));
  const mb = (n: number): number => Math.round(n / 1048576);
  let atPeak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  // process.memoryUsage() walks the heap's spaces: read the whole picture only when RSS (cheap) peaks.
  setInterval(() => {
    if (process.memoryUsage.rss() / 1048576 <= atPeak.rss) return;
    const m = process.memoryUsage();
    atPeak = { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
  }, 50).unref();
  let session: inspector.Session | undefined;
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session!.post(method, params ?? {}, (err, r) => (err ? reject(err) : resolve(r))));
  serveRpc({
    /** Starts V8's CPU profiler (see drain() and $BENCH_PROF): a profile of the drain alone, without start-up. */
    async profileStart(a: { intervalUs?: number }): Promise<void> {
      session = new inspector.Session();
      session.connect();
      await post("Profiler.enable");
      await post("Profiler.setSamplingInterval", { interval: a.intervalUs ?? 200 });
      await post("Profiler.start");
    },
    async profileStop(a: { file: string }): Promise<void> {
      const { profile } = (await post("Profiler.stop")) as { profile: object };
      session!.disconnect();
      session = undefined;
      fs.mkdirSync(path.dirname(a.file), { recursive: true });
      fs.writeFileSync(a.file, JSON.stringify(profile));
    },
    stats(): NodeRedStats {
      const c = process.cpuUsage();
      return { cpuSec: (c.user + c.system) / 1e6, rssMb: process.memoryUsage().rss / 1048576, peakRssMb: process.resourceUsage().maxRSS / 1024, atPeak };
    },
    async stop(): Promise<void> {
      await RED.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
      setImmediate(() => process.exit(0));
    },
  });
  await RED.start();
}

/** Forks a Node-RED process and resolves once its flows have started. */
export async function startNodeRedProcess(args: NodeRedArgs, opts: { execArgv?: string[]; onMessage?: (m: unknown) => void } = {}): Promise<RpcChild> {
  const proc = new RpcChild(__filename, args, opts);
  await proc.waitFor<{ started?: boolean }>((m) => m.started === true, "Node-RED flows to start", 60_000);
  return proc;
}

/**
 * execArgv for Node-RED processes: $BENCH_EXEC_ARGV; with $BENCH_HEAP_SAMPLE also the
 * promoted-allocation profiler (promoted-heap.ts); with $BENCH_PROF and `wholeProcess`, --cpu-prof
 * into $BENCH_PROF (drain() profiles the drain alone instead, through profileStart/profileStop).
 */
export function benchExecArgv(wholeProcess = true): string[] {
  const heap = process.env.BENCH_HEAP_SAMPLE ? ["--require", path.join(__dirname, "promoted-heap.js")] : [];
  const prof = process.env.BENCH_PROF && wholeProcess ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  return [...heap, ...prof, ...(process.env.BENCH_EXEC_ARGV ? process.env.BENCH_EXEC_ARGV.split(" ") : [])];
}

if (require.main === module)
  void main().catch((e) => {
    console.error(e);
    process.exit(1);
  });

/** What bench-null-sink reports: its first record, and the last one it expects. */
interface SinkMark {
  first?: boolean;
  done?: boolean;
  at: number;
  cpu: NodeJS.CpuUsage;
  records?: number;
}

export interface SinkDrain {
  records: number;
  /** From the sink's first record to its last (start-up and group join are one-off costs). */
  wallSec: number;
  cpuSec: number;
  peakRssMb: number;
}

/** Runs a flow ending in bench-null-sink in its own Node-RED process until the sink has every record, then stops it. */
export async function drainToSink(args: NodeRedArgs): Promise<SinkDrain> {
  const marks: SinkMark[] = [];
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const nr = await startNodeRedProcess(args, {
    execArgv: benchExecArgv(),
    onMessage: (m) => {
      const k = m as SinkMark;
      if (k.first || k.done) marks.push(k);
      if (k.done) finished();
    },
  });
  await done;
  const [first, last] = marks;
  const { peakRssMb } = await nr.call<{ peakRssMb: number }>("stats");
  await nr.call("stop").catch(() => undefined);
  await nr.close();
  return {
    records: last.records!,
    wallSec: (last.at - first.at) / 1000,
    cpuSec: (last.cpu.user + last.cpu.system - first.cpu.user - first.cpu.system) / 1e6,
    peakRssMb,
  };
}

// Request/response over a forked child's IPC channel, so bench helpers (emulator, receiver,
// Node-RED) can run in their own processes and still be driven step by step by the bench script.
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";

interface Request {
  rpc: number;
  cmd: string;
  args: unknown;
}
interface Response {
  rpc: number;
  result?: unknown;
  error?: string;
}

type Handler = (args: never) => unknown;

/** Child side: answers `call(cmd, args)` from the parent with `handlers[cmd](args)`. */
export function serveRpc(handlers: Record<string, Handler>): void {
  process.on("message", (m: Request) => {
    if (!m || typeof m.rpc !== "number") return;
    const h = handlers[m.cmd];
    void (async () => {
      try {
        if (!h) throw new Error(`unknown command ${m.cmd}`);
        const result = await h(m.args as never);
        process.send?.({ rpc: m.rpc, result } satisfies Response);
      } catch (e) {
        process.send?.({ rpc: m.rpc, error: (e as Error).stack ?? String(e) } satisfies Response);
      }
    })();
  });
  process.on("disconnect", () => process.exit(0));
}

/** Parent side: a forked helper process answering calls; other messages go to `onMessage`. */
export class RpcChild {
  readonly child: ChildProcess;
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;

  constructor(module: string, args: unknown, opts: { execArgv?: string[]; onMessage?: (m: unknown) => void; silent?: boolean } = {}) {
    this.child = fork(module, [JSON.stringify(args)], { stdio: ["ignore", opts.silent ? "ignore" : 2, "inherit", "ipc"], execArgv: opts.execArgv ?? [] });
    this.child.on("message", (m: Response) => {
      if (m && typeof m.rpc === "number") {
        const p = this.pending.get(m.rpc);
        this.pending.delete(m.rpc);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result);
      } else opts.onMessage?.(m);
    });
    this.child.once("exit", (code, signal) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`${module} exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return !this.exited;
  }

  call<T = unknown>(cmd: string, args?: unknown): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`process ${this.pid} has exited`));
    const rpc = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(rpc, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ rpc, cmd, args } satisfies Request);
    });
  }

  /** Resolves on the first non-RPC message `pred` accepts. */
  waitFor<T>(pred: (m: T) => boolean, what: string, ms = 120_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      const onMsg = (m: T): void => {
        if (m && typeof m === "object" && "rpc" in m) return;
        if (pred(m)) done(undefined, m);
      };
      const onExit = (code: number | null, sig: string | null): void => done(new Error(`process exited (${sig ?? code}) waiting for ${what}`));
      const done = (e?: Error, m?: T): void => {
        clearTimeout(timer);
        this.child.off("message", onMsg);
        this.child.off("exit", onExit);
        if (e) reject(e);
        else resolve(m as T);
      };
      this.child.on("message", onMsg);
      this.child.once("exit", onExit);
    });
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill(signal);
    });
  }

  /** Disconnects IPC (helpers exit on disconnect) and waits for the exit; SIGKILL after `ms`. */
  close(ms = 15_000): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill("SIGKILL"), ms);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.child.connected) this.child.disconnect();
      else this.child.kill("SIGTERM");
    });
  }
}

/** CPU-seconds (user + system) and peak RSS (VmHWM) of a process, from /proc. */
export function procUsage(pid: number): { cpuSec: number; rssMb: number; peakRssMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
  const status = fs.readFileSync(`/proc/${pid}/status`, "latin1");
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  return { cpuSec: ticks / 100, rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}

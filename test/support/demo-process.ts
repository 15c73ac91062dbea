// Runs the compiled `npm start` launcher (dist/demo/main.js) as a child process for e2e tests:
// free ports, a temporary data dir, the ready line parsed, stop() by SIGINT like a user's Ctrl-C.

import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const packageRoot = path.resolve(__dirname, "..", "..", "..");
export const demoMain = path.join(packageRoot, "dist", "demo", "main.js");

export interface DemoReady {
  ready: true;
  editor: string;
  slsEndpoint: string;
  syslog: { host: string; port: number; protocol: string };
  receivedLog: string | null;
}

export interface DemoProcess {
  readonly ready: DemoReady;
  readonly child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Stdout lines so far. */
  lines(): string[];
  /** Resolves with the first stdout line matching re (waits for it). */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with check's result as soon as it returns one (checked on every new stdout line). */
  waitFor<T>(what: string, check: (lines: string[]) => T | undefined, timeoutMs: number): Promise<T>;
  /** Resolves with the first n stdout lines matching re, once there are n. */
  waitForLines(re: RegExp, n: number, timeoutMs: number): Promise<string[]>;
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Env vars of the recipe: removed so that a test decides which parts are local. */
const RECIPE_VARS = ["SLS_ENDPOINT", "SLS_AK_ID", "SLS_AK_KEY", "SLS_PROJECT", "SLS_LOGSTORE", "SLS_CG", "SYSLOG_HOST", "SYSLOG_PORT", "SYSLOG_PROTOCOL"];

export async function startDemo(args: string[], env: Record<string, string> = {}, readyTimeoutMs = 30_000): Promise<DemoProcess> {
  const cleanEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const v of [...RECIPE_VARS, "PORT"]) delete cleanEnv[v];
  const child = spawn(process.execPath, [demoMain, "--port", "0", "--ready-json", ...args], {
    env: { ...cleanEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let partial = "";
  // A waiter is a check over all lines so far; it resolves once check returns a value.
  type Waiter = { check: (all: string[]) => unknown; resolve: (v: unknown) => void };
  const waiters: Waiter[] = [];
  const lines: string[] = [];
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => (out += d));
  child.stdout!.on("data", (d: string) => {
    out += d;
    partial += d;
    const parts = partial.split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of [...waiters]) {
      const v = w.check(lines);
      if (v !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(v);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  function waitFor<T>(what: string, check: (all: string[]) => T | undefined, timeoutMs: number): Promise<T> {
    const now = check(lines);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const w: Waiter = { check, resolve: (v) => (clearTimeout(t), resolve(v as T)) };
      const drop = (): boolean => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        return i >= 0;
      };
      const t = setTimeout(() => drop() && reject(new Error(`no ${what} within ${timeoutMs} ms; output:\n${out}`)), timeoutMs);
      waiters.push(w);
      void exited.then((code) => {
        if (drop()) {
          clearTimeout(t);
          reject(new Error(`demo exited (code ${code}) before printing ${what}; output:\n${out}`));
        }
      });
    });
  }
  const waitForLines = (re: RegExp, n: number, timeoutMs: number): Promise<string[]> =>
    waitFor(
      `${n} lines matching ${re}`,
      (all) => {
        const hits = all.filter((l) => re.test(l));
        return hits.length >= n ? hits.slice(0, n) : undefined;
      },
      timeoutMs,
    );
  const waitForLine = async (re: RegExp, timeoutMs: number): Promise<string> => (await waitForLines(re, 1, timeoutMs))[0];

  let readyLine: string;
  try {
    readyLine = await waitForLine(/^\{"ready":true/, readyTimeoutMs);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    ready: JSON.parse(readyLine) as DemoReady,
    child,
    output: () => out,
    lines: () => [...lines],
    waitFor,
    waitForLine,
    waitForLines,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

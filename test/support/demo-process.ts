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
  /** Resolves with the first stdout line matching re (waits for it). */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>;
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
  const lineWaiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  const lines: string[] = [];
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => (out += d));
  child.stdout!.on("data", (d: string) => {
    out += d;
    partial += d;
    const parts = partial.split("\n");
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of [...lineWaiters]) {
        if (w.re.test(l)) {
          lineWaiters.splice(lineWaiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const waitForLine = (re: RegExp, timeoutMs: number): Promise<string> => {
    const seen = lines.find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { re, resolve: (l: string) => (clearTimeout(t), resolve(l)) };
      const t = setTimeout(() => {
        lineWaiters.splice(lineWaiters.indexOf(w), 1);
        reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${out}`));
      }, timeoutMs);
      lineWaiters.push(w);
      void exited.then((code) => {
        if (lineWaiters.includes(w)) {
          clearTimeout(t);
          lineWaiters.splice(lineWaiters.indexOf(w), 1);
          reject(new Error(`demo exited (code ${code}) before printing ${re}; output:\n${out}`));
        }
      });
    });
  };

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
    waitForLine,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

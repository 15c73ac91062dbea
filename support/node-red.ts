// Node-RED (4, or the one NODE_RED_FROM names: support/node-red-runtime.ts) embedded in this process, with our package loaded straight from the working tree.
//
// The host owns the HTTP server (bound to loopback: the editor has no login), Node-RED mounts its
// editor/admin app at / and HTTP-in nodes at /api. Node-RED is a process-wide singleton: start it
// once per process.

import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express from "express";
import { loadNodeRed } from "./node-red-runtime";

const RED = loadNodeRed();

export interface EmbeddedNodeRedOptions {
  userDir: string;
  /** Folder holding our package.json ("node-red" section): loaded as the package itself. Without
   * it, Node-RED loads only what is installed in userDir/node_modules. */
  packageRoot?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Node-RED's console log level: fatal, error, warn, info, debug, trace. */
  logLevel?: string;
  /** "ace" loads faster than the default "monaco" (useful for browser tests). */
  codeEditor?: "monaco" | "ace";
}

export interface EmbeddedNodeRed {
  readonly url: string;
  readonly port: number;
  /** Node sets of our package that failed to load, with the reason. */
  loadErrors(): string[];
  /** Whether flows.json existed before this start (false on a fresh userDir). */
  readonly hadFlows: boolean;
  /** Full deploy through the admin API; nodes may carry inline `credentials`. Resolves once the flows run. */
  deploy(flows: object[]): Promise<void>;
  stop(): Promise<void>;
}

const FLOW_FILE = "flows.json";

export interface NodeRedSettingsOptions {
  userDir: string;
  /** A key to encrypt credentials at rest, or false: kept in the clear (flows_cred.json as written). */
  credentialSecret: string | false;
  /** Folders loaded as packages (this package's root, extra node folders). */
  nodesDir: string[];
  /** The editor at / and HTTP-in nodes at /api; without it, no HTTP endpoints at all. */
  http?: { host: string; codeEditor: "monaco" | "ace" };
  logLevel: string;
}

/**
 * Node-RED settings for everything here that runs Node-RED (the demo, the editor tests, the
 * benches' processes): no telemetry, tours, catalogue, palette installs or diagnostics (projects
 * stay off, Node-RED's default).
 */
export function nodeRedSettings(o: NodeRedSettingsOptions): object {
  return {
    userDir: o.userDir,
    flowFile: FLOW_FILE,
    credentialSecret: o.credentialSecret,
    nodesDir: o.nodesDir,
    httpAdminRoot: o.http ? "/" : false,
    httpNodeRoot: o.http ? "/api" : false,
    ...(o.http ? { uiHost: o.http.host } : {}),
    // The update-notification consent dialog would cover the editor on first load.
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: {
      tours: false,
      palette: { catalogues: [] },
      ...(o.http ? { codeEditor: { lib: o.http.codeEditor } } : {}),
    },
    externalModules: { palette: { allowInstall: false } },
    diagnostics: { enabled: false, ui: false },
    logging: { console: { level: o.logLevel, metrics: false, audit: false } },
  };
}

export async function startNodeRed(opts: EmbeddedNodeRedOptions): Promise<EmbeddedNodeRed> {
  const host = opts.host ?? "127.0.0.1";
  const app = express();
  const server = http.createServer(app);
  const hadFlows = fs.existsSync(path.join(opts.userDir, FLOW_FILE));
  const pkgName = (JSON.parse(fs.readFileSync(path.join(opts.packageRoot ?? path.resolve(__dirname, "..", ".."), "package.json"), "utf8")) as { name: string })
    .name;

  const settings = nodeRedSettings({
    userDir: opts.userDir,
    credentialSecret: credentialSecret(opts.userDir),
    nodesDir: opts.packageRoot ? [opts.packageRoot] : [],
    http: { host, codeEditor: opts.codeEditor ?? "monaco" },
    logLevel: opts.logLevel ?? "warn",
  });
  // @types/node-red describes Node-RED 1.x settings (no tours, single nodesDir, uiPort required).
  RED.init(server, settings as unknown as Parameters<typeof RED.init>[1]);
  app.use("/", RED.httpAdmin);
  app.use("/api", RED.httpNode);

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "EADDRINUSE" ? new Error(`port ${opts.port} on ${host} is already in use: choose another with --port N (or PORT=N)`) : err),
    );
    server.listen(opts.port ?? 1880, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}/`;

  const started = waitForFlowsStarted();
  await RED.start();
  await started;

  const stop = async (): Promise<void> => {
    await RED.stop();
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  };

  return {
    url,
    port,
    hadFlows,
    loadErrors() {
      // getNodeList() exists on the runtime's node registry but is missing from @types/node-red.
      const registry = RED.nodes as unknown as { getNodeList(): Array<{ module: string; name: string; err?: string }> };
      const sets = registry.getNodeList();
      return sets.filter((s) => s.module === pkgName && s.err).map((s) => `${s.name}: ${s.err}`);
    },
    async deploy(flows: object[]) {
      const api = { "Content-Type": "application/json", "Node-RED-API-Version": "v2" };
      const current = (await (await fetch(new URL("flows", url), { headers: api })).json()) as { rev: string };
      const running = waitForFlowsStarted();
      const res = await fetch(new URL("flows", url), {
        method: "POST",
        headers: { ...api, "Node-RED-Deployment-Type": "full" },
        body: JSON.stringify({ rev: current.rev, flows }),
      });
      if (!res.ok) throw new Error(`deploying the demo flow failed: HTTP ${res.status} ${await res.text()}`);
      await running;
    },
    stop,
  };
}

/** A random key kept in the user dir: credentials are encrypted at rest, without Node-RED's warning. */
function credentialSecret(userDir: string): string {
  const file = path.join(userDir, ".credential-secret");
  fs.mkdirSync(userDir, { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(24).toString("hex"), { mode: 0o600 });
  return fs.readFileSync(file, "utf8").trim();
}

function waitForFlowsStarted(): Promise<void> {
  return new Promise((resolve) => RED.events.once("flows:started", () => resolve()));
}

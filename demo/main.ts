// `npm start`: the whole pipeline on one machine, in one process.
//
//   SLS emulator (+ RDS audit log generator) ─▶ Node-RED (example flow) ─▶ local syslog receiver
//
// Every part that the recipe's environment variables already point somewhere is not started:
// with SLS_ENDPOINT set the flow reads real SLS, with SYSLOG_HOST set it sends to a real SIEM.
// The flow itself always reads its settings from those variables (${SLS_ENDPOINT} ...), which this
// launcher sets for the parts it starts.

import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startSyslogReceiver, type SyslogReceiver } from "./syslog-receiver";
import { startNodeRed, type EmbeddedNodeRed } from "../support/node-red";
import { startLocalSls, type LocalSls } from "./local-sls";
import { DEMO_EXAMPLE, exampleOnTab } from "./demo-flow";

const packageRoot = path.resolve(__dirname, "..", "..");

const USAGE = `Usage: npm start -- [options]

Starts the SLS emulator with a generator of simulated RDS audit logs, a local syslog receiver and
Node-RED with the example flow SLS -> syslog map -> syslog out.

Options:
  --port N         editor port on 127.0.0.1 (default: $PORT or 1880; 0 picks a free port)
  --data-dir DIR   where the emulator data, Node-RED user dir and received.log live (default: .demo)
  --rate N         simulated audit log records per second (default: 5)
  --reset          delete the data dir first (start from scratch)
  --quiet          do not print received syslog lines (they still go to received.log)
  --verbose        Node-RED logs at info level
  --ready-json     print one JSON line with the endpoints once ready (for scripts and tests)

Environment (the recipe's variables): with SLS_ENDPOINT, SLS_AK_ID, SLS_AK_KEY, SLS_PROJECT,
SLS_LOGSTORE (and SLS_CG) set, no emulator is started; with SYSLOG_HOST, SYSLOG_PORT (and
SYSLOG_PROTOCOL) set, no local receiver is started. The example "Re-send a time range to the SIEM"
reads BACKFILL_FROM, BACKFILL_TO (default: the 15 minutes before the start) and SLS_BACKFILL_CG
(default: SLS_CG-backfill-<from>).`;

interface Args {
  port: number;
  dataDir: string;
  rate: number;
  reset: boolean;
  quiet: boolean;
  verbose: boolean;
  readyJson: boolean;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      "data-dir": { type: "string" },
      rate: { type: "string" },
      reset: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      "ready-json": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, dflt: number, min: number, max: number): number => {
    if (v === undefined || v === "") return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
    return n;
  };
  return {
    port: int("port", values.port ?? process.env.PORT, 1880, 0, 65535),
    dataDir: path.resolve(values["data-dir"] ?? path.join(packageRoot, ".demo")),
    rate: int("rate", values.rate, 5, 1, 10000),
    reset: values.reset!,
    quiet: values.quiet!,
    verbose: values.verbose!,
    readyJson: values["ready-json"]!,
  };
}

function requireEnv(names: string[], because: string): void {
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length) throw new Error(`${because}, but ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not set`);
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args.reset) fs.rmSync(args.dataDir, { recursive: true, force: true });
  fs.mkdirSync(args.dataDir, { recursive: true });

  let sls: LocalSls | undefined;
  let receiver: SyslogReceiver | undefined;
  let nodeRed: EmbeddedNodeRed | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Node-RED first: closing the consumer commits its checkpoints to the (still running) SLS,
      // and closing the sink flushes what is queued to the (still running) receiver.
      await nodeRed?.stop();
      await sls?.stop();
      await receiver?.close();
    })());

  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  async function shutdown(signal: string): Promise<void> {
    console.log(`\n${signal}: stopping Node-RED, the emulator and the receiver (Ctrl-C again to force)...`);
    process.once("SIGINT", () => process.exit(130));
    const force = setTimeout(() => {
      console.error("still not stopped after 20 s: exiting anyway");
      process.exit(1);
    }, 20_000);
    force.unref();
    try {
      await stop();
      console.log(`Stopped. Run npm start again to resume from the saved checkpoints (data in ${rel(args.dataDir)}).`);
    } catch (err) {
      console.error(`error while stopping: ${(err as Error).message}`);
      process.exitCode = 1;
    }
  }

  try {
    if (process.env.SLS_ENDPOINT) {
      requireEnv(["SLS_AK_ID", "SLS_AK_KEY", "SLS_PROJECT", "SLS_LOGSTORE"], "SLS_ENDPOINT is set (no emulator)");
    } else {
      sls = await startLocalSls({
        dataDir: path.join(args.dataDir, "sls"),
        project: "demo-project",
        logstore: "rds-audit",
        shards: 2,
        rate: args.rate,
      });
      Object.assign(process.env, {
        SLS_ENDPOINT: sls.endpoint,
        SLS_AK_ID: sls.accessKeyId,
        SLS_AK_KEY: sls.accessKeySecret,
        SLS_PROJECT: sls.project,
        SLS_LOGSTORE: sls.logstore,
      });
    }
    process.env.SLS_CG ||= "node-red-demo";
    // The example "Re-send a time range to the SIEM" deploys as it is: the quarter of an hour
    // before this start, in a group of its own named for the range (a group resumes from its
    // checkpoints whatever the range, so each range gets a new one).
    const started = Math.floor(Date.now() / 1000);
    process.env.BACKFILL_FROM ||= String(started - 900);
    process.env.BACKFILL_TO ||= String(started);
    process.env.SLS_BACKFILL_CG ||= `${process.env.SLS_CG}-backfill-${process.env.BACKFILL_FROM.replace(/[^A-Za-z0-9_-]/g, "")}`;

    const receivedLog = path.join(args.dataDir, "received.log");
    if (process.env.SYSLOG_HOST) {
      requireEnv(["SYSLOG_PORT"], "SYSLOG_HOST is set (no local receiver)");
      process.env.SYSLOG_PROTOCOL ||= "tcp";
    } else {
      receiver = await startSyslogReceiver({
        file: receivedLog,
        onMessage: args.quiet ? undefined : (m) => console.log(`syslog> ${m}`),
        onError: (err, peer) => console.error(`receiver: closed ${peer}: ${err.message}`),
      });
      Object.assign(process.env, { SYSLOG_HOST: receiver.host, SYSLOG_PORT: String(receiver.port), SYSLOG_PROTOCOL: "tcp" });
    }

    nodeRed = await startNodeRed({
      userDir: path.join(args.dataDir, "node-red"),
      packageRoot,
      port: args.port,
      logLevel: args.verbose ? "info" : "warn",
    });
    for (const e of nodeRed.loadErrors()) console.error(`Node-RED could not load ${e}`);
    if (!nodeRed.hadFlows) {
      // Credentials stay references to the environment: no key is ever written to disk.
      await nodeRed.deploy(
        exampleOnTab(packageRoot, DEMO_EXAMPLE, "SLS demo", {
          "sls-connection": { accessKeyId: "${SLS_AK_ID}", accessKeySecret: "${SLS_AK_KEY}" },
        }),
      );
    }

    const e = process.env;
    console.log(
      [
        "",
        `Node-RED editor:  ${nodeRed.url}   (flow tab "SLS demo"; Debug sidebar shows each record)`,
        `SLS:              ${e.SLS_ENDPOINT}  project ${e.SLS_PROJECT}, logstore ${e.SLS_LOGSTORE}, consumer group ${e.SLS_CG}` +
          (sls ? `  (emulator, ${args.rate} records/s)` : ""),
        `Syslog:           ${e.SYSLOG_PROTOCOL}://${e.SYSLOG_HOST}:${e.SYSLOG_PORT}` +
          (receiver ? `  (local receiver: lines below, also appended to ${rel(receivedLog)})` : ""),
        `Data:             ${rel(args.dataDir)}  (delete it, or use --reset, to start from scratch)`,
        "Ctrl-C stops everything; npm start again resumes from the checkpoints.",
        "",
      ].join("\n"),
    );
    if (args.readyJson) {
      console.log(
        JSON.stringify({
          ready: true,
          editor: nodeRed.url,
          slsEndpoint: e.SLS_ENDPOINT,
          syslog: { host: e.SYSLOG_HOST, port: Number(e.SYSLOG_PORT), protocol: e.SYSLOG_PROTOCOL },
          receivedLog: receiver ? receivedLog : null,
        }),
      );
    }
  } catch (err) {
    console.error(`npm start failed: ${(err as Error).message}`);
    process.exitCode = 1;
    await stop().catch(() => {});
  }
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith("..") ? r : p;
}

void main();

// Child process of bench/consumer.ts: one embedded Node-RED runtime (no editor, no test helper)
// running sls-consumer → bench-null-sink. argv[2] = JSON {url, project, accessKeyId,
// accessKeySecret, logstore, group, output, expect, maxInFlight}.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

interface Args {
  url: string;
  project: string;
  accessKeyId: string;
  accessKeySecret: string;
  logstore: string;
  group: string;
  output: "log" | "batch";
  expect: number;
  maxInFlight: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]) as Args;
  const root = path.resolve(__dirname, "..", "..");
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-consumer-"));
  const extra = path.join(userDir, "extra-nodes");
  fs.mkdirSync(extra);
  fs.writeFileSync(path.join(extra, "bench-null-sink.js"), `module.exports = require(${JSON.stringify(path.join(__dirname, "null-sink.js"))});\n`);
  fs.writeFileSync(path.join(extra, "bench-null-sink.html"), `<script type="text/javascript">RED.nodes.registerType("bench-null-sink",{category:"function",defaults:{expect:{value:0}},inputs:1,outputs:0});</script>\n`);
  const flow = [
    { id: "tab", type: "tab", label: "bench" },
    { id: "conn", type: "sls-connection", endpoint: a.url, cname: "auto", version: 1, credentials: {} },
    {
      id: "cons", z: "tab", x: 100, y: 100, type: "sls-consumer", connection: "conn", project: a.project, logstore: a.logstore,
      consumerGroup: a.group, start: "begin", output: a.output, ackMode: "delivery", maxInFlight: a.maxInFlight,
      heartbeat: 20, timeout: 60, commitInterval: 10, claimTimeout: 30, version: 1, wires: [["sink"]],
    },
    { id: "sink", z: "tab", x: 300, y: 100, type: "bench-null-sink", expect: a.expect, wires: [] },
  ];
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flow));
  fs.writeFileSync(path.join(userDir, "flows_cred.json"), JSON.stringify({ conn: { accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret } }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require("node-red") as {
    init(server: http.Server, settings: object): void;
    start(): Promise<void>;
    stop(): Promise<void>;
    events: { on(ev: string, fn: () => void): void };
  };
  const server = http.createServer();
  RED.init(server, {
    userDir,
    flowFile: "flows.json",
    credentialSecret: false,
    nodesDir: [root, extra],
    httpAdminRoot: false,
    httpNodeRoot: false,
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
    externalModules: { palette: { allowInstall: false } },
    diagnostics: { enabled: false, ui: false },
    logging: { console: { level: "warn" } },
  });
  RED.events.on("flows:started", () => process.send?.({ started: true, at: Date.now(), cpu: process.cpuUsage() }));
  process.on("message", (m) => {
    if (m !== "stop") return;
    void RED.stop().then(() => {
      fs.rmSync(userDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
  await RED.start();
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});

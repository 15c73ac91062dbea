// npm run bench:node-red [-- --json] [--count N] [--fields N] [--skip-metrics]
// What Node-RED's runtime alone costs per message: one Node-RED process runs bench-source →
// bench-pass → settling null sink (the shape of sls-consumer → sls-syslog-map → sls-syslog-out in
// per-log mode, with nodes that do nothing), and reports CPU-seconds per message. This is the
// floor under the per-log pipeline: no code of ours can make a 3-node per-log flow cheaper.
// --skip-metrics: the three nodes skip Node-RED's per-message metric calls while metrics are off,
// as this package's nodes do (nodes/metrics.ts): the floor for our nodes.
import path from "node:path";
import { benchArgs } from "./support/args";
import { drainToSink } from "../support/processes/node-red-process";
import { logger, main } from "./support/report";

const { values } = benchArgs("npm run bench:node-red -- [options]", {
  options: {
    json: { type: "boolean", default: false },
    count: { type: "string", default: "200000" },
    fields: { type: "string", default: "17" },
    "skip-metrics": { type: "boolean", default: false },
  },
});
const log = logger(values.json!);
const count = Number(values.count);

main(async () => {
  const support = (f: string): string => path.join(__dirname, "support", f);
  const skipMetrics = values["skip-metrics"]!;
  const flow = [
    { id: "tab", type: "tab", label: "floor" },
    { id: "src", z: "tab", type: "bench-source", count, fields: Number(values.fields), skipMetrics, wires: [["pass"]] },
    { id: "pass", z: "tab", type: "bench-pass", skipMetrics, wires: [["sink"]] },
    { id: "sink", z: "tab", type: "bench-null-sink", expect: count, skipMetrics, wires: [] },
  ];
  const d = await drainToSink({
    flow,
    credentials: {},
    nodes: {
      "bench-source": support("floor-source-node.js"),
      "bench-pass": support("floor-pass-node.js"),
      "bench-null-sink": path.join(__dirname, "..", "support", "processes", "null-sink-node.js"),
    },
  });
  const r = {
    messages: d.records,
    hops: 2,
    cpuSec: Number(d.cpuSec.toFixed(3)),
    usPerMessage: Number(((d.cpuSec / d.records) * 1e6).toFixed(2)),
    messagesPerSec: Math.round(d.records / d.wallSec),
    peakRssMb: Math.round(d.peakRssMb),
  };
  log(
    `Node-RED floor${skipMetrics ? " (metric calls skipped)" : ""}: ${r.messages} messages through source → pass → sink: ${r.cpuSec} CPU-s, ${r.usPerMessage} µs per message, ${r.messagesPerSec} messages/s, peak RSS ${r.peakRssMb} MB`,
  );
  if (values.json) console.log(JSON.stringify(r));
});

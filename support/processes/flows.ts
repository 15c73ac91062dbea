// The benchmark's Node-RED flow: sls-connection + sls-consumer → sls-syslog-map → a sink
// (sls-syslog-out over TCP to the counting receiver, or the settling null sink).
import path from "node:path";
import type { EmulatorInfo } from "./emulator-process";
import type { NodeRedArgs } from "./node-red-process";

export type MapFormat = "kv" | "cef";

/**
 * How the flow is wired after the map node, with an inactive debug node where a user adds one to
 * see the records: `linear` (map → out, no debug node); `branched`, the debug node beside syslog
 * out (Node-RED deep-copies every message for the second wire); `after-out`, the debug node on
 * syslog out's output, as the examples are wired (the written messages themselves, no copy).
 */
export type FlowShape = "linear" | "branched" | "after-out";

export interface PipelineOptions {
  emu: EmulatorInfo;
  logstore: string;
  group: string;
  output: "log" | "batch";
  /** Mapping body format; undefined = no map node (consumer wired straight to the sink). */
  format?: MapFormat;
  /** HOSTNAME of every frame (so the receiver can tell processes apart). */
  hostname?: string;
  /** Syslog receiver port; absent = settling null sink expecting `expect` records. */
  syslogPort?: number;
  expect?: number;
  maxInFlight?: number;
  /** sls-consumer's ackMode (default delivery). */
  ackMode?: "delivery" | "emit";
  consumerName?: string;
  heartbeat?: number;
  timeout?: number;
  commitInterval?: number;
  /** Node-RED console log level (default warn). */
  logLevel?: string;
  /** Wiring after the map node (default linear). */
  flow?: FlowShape;
  /** Also an sls-stats node sending the figures every this many seconds (its message goes nowhere). */
  statsEvery?: number;
}

const CEF_ATTRIBUTES = [
  { key: "rt", type: "meta", value: "timeMs" },
  { key: "cs1Label", type: "str", value: "project" },
  { key: "cs1", type: "meta", value: "project" },
  { key: "cs2Label", type: "str", value: "logstore" },
  { key: "cs2", type: "meta", value: "logstore" },
];

export function pipelineFlow(o: PipelineOptions): NodeRedArgs {
  const sinkId = "sink";
  const first = o.format ? "map" : sinkId;
  const flow: object[] = [
    { id: "tab", type: "tab", label: "bench" },
    { id: "conn", type: "sls-connection", endpoint: o.emu.url, cname: "auto", version: 1 },
    {
      id: "cons",
      z: "tab",
      x: 100,
      y: 100,
      type: "sls-consumer",
      connection: "conn",
      project: o.emu.project,
      logstore: o.logstore,
      consumerGroup: o.group,
      consumerName: o.consumerName ?? "",
      start: "begin",
      output: o.output,
      ackMode: o.ackMode ?? "delivery",
      maxInFlight: o.maxInFlight ?? 1000,
      heartbeat: o.heartbeat ?? 5,
      timeout: o.timeout ?? 15,
      commitInterval: o.commitInterval ?? 2,
      claimTimeout: 30,
      order: false,
      version: 1,
      wires: [[first]],
    },
  ];
  if (o.format) {
    const header = { hostname: o.hostname ?? "nr-1", hostnameType: "str", version: 1 };
    const body = o.format === "kv" ? { format: "kv" } : { format: "cef", attributes: CEF_ATTRIBUTES };
    const branched = o.flow === "branched";
    flow.push({ id: "map", z: "tab", x: 200, y: 100, type: "sls-syslog-map", ...header, ...body, wires: [branched ? [sinkId, "debug"] : [sinkId]] });
    if (branched) flow.push(debugNode());
  }
  const nodes: Record<string, string> = {};
  if (o.syslogPort !== undefined) {
    const afterOut = o.flow === "after-out";
    flow.push(
      { id: "srv", type: "sls-syslog-server", host: "127.0.0.1", port: o.syslogPort, protocol: "tcp", framing: "octet", version: 1 },
      {
        id: sinkId,
        z: "tab",
        x: 300,
        y: 100,
        type: "sls-syslog-out",
        server: "srv",
        format: "rfc5424",
        facility: "local0",
        severity: "info",
        hostname: "",
        appName: "",
        procId: "",
        msgId: "",
        bom: "auto",
        version: 1,
        wires: afterOut ? [["debug"]] : [],
      },
    );
    if (afterOut) flow.push(debugNode());
  } else {
    flow.push({ id: sinkId, z: "tab", x: 300, y: 100, type: "bench-null-sink", expect: o.expect ?? 0, wires: [] });
    nodes["bench-null-sink"] = path.join(__dirname, "null-sink-node.js");
  }
  if (o.statsEvery) flow.push({ id: "stats", z: "tab", x: 100, y: 200, type: "sls-stats", interval: o.statsEvery, prometheus: false, version: 1, wires: [[]] });
  return { logLevel: o.logLevel, flow, credentials: { conn: { accessKeyId: o.emu.accessKeyId, accessKeySecret: o.emu.accessKeySecret } }, nodes };
}

/** The examples' debug node, switched off in the sidebar (it still receives every message). */
function debugNode(): object {
  return {
    id: "debug",
    z: "tab",
    x: 300,
    y: 160,
    type: "debug",
    active: false,
    tosidebar: true,
    console: false,
    tostatus: false,
    complete: "syslog.message",
    targetType: "msg",
    wires: [],
  };
}

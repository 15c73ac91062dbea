// Emulator fixtures for consumer tests: sequence-numbered logs and a consumer flow.
import type { Emulator } from "../../emulator/index";
import type { LogGroup } from "../../lib/sls/log-group-codec";

export const LOGSTORE = "app";

/** Log group of logs with seq from..to-1 (`seq`, `key`, `msg` fields), a topic, a source and two tags. */
export function seqGroup(from: number, to: number, key = "k0"): LogGroup {
  const logs = [];
  for (let s = from; s < to; s++) {
    logs.push({
      time: 1_800_000_000 + s,
      timeNs: s % 1000,
      contents: [
        ["seq", String(s)],
        ["key", key],
        ["msg", `event number ${s} for ${key}`],
      ] as Array<[string, string]>,
    });
  }
  return {
    logs,
    topic: "topic-a",
    source: "10.0.0.1",
    tags: [
      ["host", "web-1"],
      ["env", "test"],
    ],
  };
}

/** Writes seq from..to-1 in groups of `perGroup`, round-robin over `shards` shards. */
export function putSeq(emu: Emulator, from: number, to: number, perGroup: number, shards: number, logstore = LOGSTORE): void {
  let i = 0;
  for (let s = from; s < to; s += perGroup, i++) {
    emu.putLogs(logstore, seqGroup(s, Math.min(to, s + perGroup), `k${i % shards}`), { shard: i % shards });
  }
}

export interface ConsumerFlowOptions {
  logstore?: string;
  group?: string;
  secret?: string;
  output?: "log" | "batch";
  maxInFlight?: number;
  ackMode?: "delivery" | "emit";
  consumerName?: string;
  order?: boolean;
  heartbeat?: number;
  timeout?: number;
  commitInterval?: number;
  /** Extra sls-connection settings (e.g. a credential source) and its stored credentials instead of the emulator's key. */
  connection?: Record<string, unknown>;
  connectionCredentials?: Record<string, string>;
  /** Extra sls-consumer settings (query, start, startTime...). */
  consumer?: Record<string, unknown>;
  /** Wire the consumer to this node instead of the settling test sink (the sink is left out). */
  into?: string;
}

/** sls-connection + sls-consumer (fast heartbeats and commits) wired into the settling test sink. */
export function consumerFlow(emu: Emulator, o: ConsumerFlowOptions = {}): { flow: object[]; credentials: Record<string, object> } {
  const flow = [
    { id: "tab", type: "tab", label: "test" },
    { id: "conn", type: "sls-connection", endpoint: emu.url, cname: "auto", version: 1, ...o.connection },
    {
      id: "cons",
      z: "tab",
      x: 100,
      y: 100,
      type: "sls-consumer",
      connection: "conn",
      project: emu.project,
      logstore: o.logstore ?? LOGSTORE,
      consumerGroup: o.group ?? "cg",
      consumerName: o.consumerName ?? "",
      start: "begin",
      output: o.output ?? "log",
      ackMode: o.ackMode ?? "delivery",
      maxInFlight: o.maxInFlight ?? 500,
      heartbeat: o.heartbeat ?? 0.2,
      timeout: o.timeout ?? 2,
      commitInterval: o.commitInterval ?? 0.2,
      claimTimeout: 30,
      order: o.order ?? false,
      version: 1,
      ...o.consumer,
      wires: [[o.into ?? "sink"]],
    },
    ...(o.into ? [] : [{ id: "sink", z: "tab", x: 300, y: 100, type: "test-settling-sink" }]),
  ];
  return { flow, credentials: { conn: o.connectionCredentials ?? { accessKeyId: emu.accessKeyId, accessKeySecret: o.secret ?? emu.accessKeySecret } } };
}

/**
 * sls-syslog-server "srv" (TCP, octet-counted, to 127.0.0.1:port) and sls-syslog-out "out" on tab
 * "tab" using it (RFC 5424, local0.info, host fwd-01, app aliyun-sls); `server` and `out` add or
 * replace keys.
 */
export function syslogOutNodes(port: number, o: { server?: Record<string, unknown>; out?: Record<string, unknown> } = {}): object[] {
  return [
    {
      id: "srv",
      type: "sls-syslog-server",
      host: "127.0.0.1",
      port: String(port),
      protocol: "tcp",
      framing: "octet",
      maxQueueMessages: "10000",
      maxQueueMB: "16",
      maxMessageBytes: "65536",
      version: 1,
      ...o.server,
    },
    {
      id: "out",
      z: "tab",
      type: "sls-syslog-out",
      server: "srv",
      format: "rfc5424",
      facility: "local0",
      severity: "info",
      hostname: "fwd-01",
      appName: "aliyun-sls",
      procId: "",
      msgId: "",
      bom: "never",
      version: 1,
      wires: [],
      ...o.out,
    },
  ];
}

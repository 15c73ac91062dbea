// Drives sls-syslog-out in a real Node-RED runtime (test helper) with delivery tokens, for the
// interop and fault suites.

import { DeliveryWindow, type Outcome } from "../../lib/delivery";
import { helper, serverNode, outNode, catchNode } from "./node-red";

export interface FlowOptions {
  port: number;
  protocol: "udp" | "tcp" | "tls" | "relp";
  framing?: "octet" | "lf";
  host?: string;
  server?: Record<string, unknown>;
  out?: Record<string, unknown>;
  credentials?: Record<string, string>;
}

export async function loadSyslogFlow(o: FlowOptions): Promise<void> {
  const flow = [
    { id: "t1", type: "tab" },
    {
      id: "srv",
      type: "sls-syslog-server",
      host: o.host ?? "127.0.0.1",
      port: String(o.port),
      protocol: o.protocol,
      framing: o.framing ?? "octet",
      rejectUnauthorized: true,
      servername: "",
      caFile: "",
      certFile: "",
      keyFile: "",
      secondaryHost: "",
      secondaryPort: "",
      maxQueueMessages: "10000",
      maxQueueMB: "16",
      maxMessageBytes: o.protocol === "udp" ? "1400" : "65536",
      version: 1,
      ...o.server,
    },
    {
      id: "out",
      z: "t1",
      type: "sls-syslog-out",
      server: "srv",
      format: "rfc5424",
      facility: "user",
      severity: "info",
      hostname: "fwd-01",
      appName: "aliyun-sls",
      procId: "",
      msgId: "",
      bom: "auto",
      version: 1,
      wires: [],
      ...o.out,
    },
    { id: "c1", z: "t1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", z: "t1", type: "helper" },
  ];
  await helper.load([serverNode, outNode, catchNode], flow, o.credentials ? { srv: o.credentials } : {});
}

/** Sends messages through the out node, each with its own delivery token; tracks outcomes. */
export class TokenFeeder {
  readonly window = new DeliveryWindow({ maxInFlight: 1_000_000, claimTimeoutMs: 0 });
  readonly outcomes = new Map<number, Outcome>();
  private pending = new Map<number, () => void>();

  send(seq: number, msg: Record<string, unknown>): void {
    const token = this.window.issue(1, (o) => {
      this.outcomes.set(seq, o);
      this.pending.get(seq)?.();
      this.pending.delete(seq);
    });
    const sls = { ...((msg.sls as object) ?? {}), token };
    helper.getNode("out").receive({ ...msg, sls });
  }

  /** Sequence numbers settled as delivered so far. */
  delivered(): number[] {
    return [...this.outcomes].filter(([, o]) => o === "delivered").map(([s]) => s);
  }

  async waitAll(seqs: number[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (seqs.some((s) => !this.outcomes.has(s))) {
      if (Date.now() > deadline) throw new Error(`${seqs.filter((s) => !this.outcomes.has(s)).length} tokens unsettled after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.window.close();
  }
}

/** A message for the out node whose SD carries its sequence number (read back by seqOf). */
export const auditRecord = (seq: number): Record<string, unknown> => ({
  payload: `audit event ${seq} user=u${seq % 17} action=read object=oss://bucket/key/${seq}`,
  syslog: { msgId: "AUDIT", structuredData: { "sls@32473": { seq } } },
});

/** The sequence number auditRecord put in a record's structured data (NaN if none). */
export const seqOf = (structuredData: string): number => Number(/seq="(\d+)"/.exec(structuredData)?.[1]);

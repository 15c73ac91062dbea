// The syslog-out node's status: what a user sees under the node, decided here so the node file
// only shows it, as message-catalogue texts (nodes/locales/en-US/sls-syslog-out.json).

import type { TargetsStats } from "./targets";

/** A message-catalogue text of sls-syslog-out: key from the catalogue's root, and its parameters. */
export interface StatusText {
  key: string;
  params?: Record<string, string | number>;
}

export interface SinkStatus {
  fill: "green" | "yellow" | "red";
  shape: "dot" | "ring";
  /**
   * Texts shown joined by " · ". One text without parameters is passed to the editor as its key
   * (it translates it); others are rendered by the node (RED._).
   */
  parts: StatusText[];
}

export interface SinkView {
  /** Events delivered in the last second. */
  rate: number;
  /** Message key of the last fault's short text ("" when none since the last delivery). */
  fault: string;
  /** The EPS cap holds events back. */
  rateLimited: boolean;
}

/**
 * connected: `120/s · q 3`, with several targets `· → host:port · 1 down` (failover) or
 * `· 2/3 up` (balance); `rate-limited · ...` in yellow while the EPS cap holds events back;
 * connecting; disconnected with the last fault's short text.
 */
export function sinkStatus(st: TargetsStats, v: SinkView): SinkStatus {
  if (st.state === "connecting") return { fill: "yellow", shape: "ring", parts: [{ key: "node-red:common.status.connecting" }] };
  if (st.state !== "connected") return { fill: "red", shape: "ring", parts: [{ key: v.fault || "node-red:common.status.disconnected" }] };
  const parts: StatusText[] = [{ key: "sls-syslog-out.status.rate", params: { rate: v.rate, queued: st.queued + st.waiting } }];
  const n = st.targets.length;
  if (n > 1) {
    if (st.mode === "failover") {
      parts.push({ key: "sls-syslog-out.status.in-use", params: { target: st.inUse[0] } });
      if (st.down.length) parts.push({ key: "sls-syslog-out.status.down", params: { count: st.down.length } });
    } else parts.push({ key: "sls-syslog-out.status.up", params: { up: n - st.down.length, total: n } });
  }
  if (v.rateLimited) return { fill: "yellow", shape: "dot", parts: [{ key: "sls-syslog-out.status.rate-limited" }, ...parts] };
  return { fill: st.down.length ? "yellow" : "green", shape: "dot", parts };
}

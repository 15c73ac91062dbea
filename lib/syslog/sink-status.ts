// The syslog-out node's status: what a user sees under the node, decided here so the node file
// only shows it. Texts that need no numbers are message keys the editor translates.

import type { TargetsStats } from "./targets";

export interface SinkStatus {
  fill: "green" | "yellow" | "red";
  shape: "dot" | "ring";
  text: string;
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
  if (st.state === "connecting") return { fill: "yellow", shape: "ring", text: "node-red:common.status.connecting" };
  if (st.state !== "connected") return { fill: "red", shape: "ring", text: v.fault || "node-red:common.status.disconnected" };
  let text = `${v.rate}/s · q ${st.queued + st.waiting}`;
  const n = st.targets.length;
  if (n > 1) {
    if (st.mode === "failover") text += ` · → ${st.inUse[0]}` + (st.down.length ? ` · ${st.down.length} down` : "");
    else text += ` · ${n - st.down.length}/${n} up`;
  }
  if (v.rateLimited) return { fill: "yellow", shape: "dot", text: `rate-limited · ${text}` };
  return { fill: st.down.length ? "yellow" : "green", shape: "dot", text };
}

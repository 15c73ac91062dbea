// sls-consumer: the consumer group it joins, where it starts, how much it keeps in flight.

import { bool, custom, decimal, int, oneOf, text, type Msg } from "./rules";
import { optional, required, unversioned, nodeSpec, type Raw } from "./spec";
import { parseStartTime } from "./start-time";

/**
 * Most unsettled logs of one consumer. Every log in flight is held by the flow (messages, the
 * syslog sender's queue) until it is written: at 0.5–2 KB a log, 100 000 is 50–200 MB, the most
 * one consumer should hold. A larger window does not read faster: it only has to cover the time a
 * log takes to reach the SIEM (100 000 covers a second at 100 000 logs/s), and a typo such as 1e9
 * would make it an unbounded buffer.
 */
export const MAX_IN_FLIGHT = 100_000;

/** SLS names (project, logstore, group): no whitespace or control characters (SLS checks the rest). */
const slsName = text({ pattern: /^[^\s\x00-\x1f\x7f]+$/, why: { key: "no-space" } satisfies Msg });

const HEARTBEAT = decimal(0.1, 3600);
const heartbeatOf = (c: Raw): number => {
  const h = HEARTBEAT.parse(c.heartbeat);
  return h.ok ? h.value : 20;
};

export const SLS_CONSUMER = nodeSpec({
  type: "sls-consumer",
  props: {
    connection: required(text(), "", { ref: "sls-connection" }),
    project: required(slsName, ""),
    logstore: required(slsName, ""),
    consumerGroup: required(slsName, ""),
    /** Empty: host-pid-node id (made URL-safe). */
    consumerName: optional(text({ pattern: /^[A-Za-z0-9_.-]+$/, why: { key: "consumer-name" } }), "", undefined),
    start: optional(oneOf(["begin", "end", "time"]), "begin", "begin" as const),
    /** Unix seconds (with start = time). */
    startTime: required(custom(parseStartTime, { key: "start-time" }), "", { when: (c) => c.start === "time" }),
    /**
     * End of a time range (unix s, exclusive; same forms as startTime): the node reads each shard
     * up to the logs received at this time, reports done, and stops (a backfill). Empty: no end.
     */
    to: optional(custom(parseStartTime, { key: "start-time" }), "", undefined),
    query: optional(text(), "", undefined),
    output: optional(oneOf(["log", "batch"]), "log", "log" as const),
    ackMode: optional(oneOf(["delivery", "emit"]), "delivery", "delivery" as const),
    maxInFlight: optional(int(1, MAX_IN_FLIGHT), 1000, 1000),
    /** Seconds. */
    heartbeat: optional(HEARTBEAT, 20, 20),
    /** Seconds without a heartbeat after which SLS gives the consumer's shards to others; empty: 3 heartbeats. */
    timeout: optional(int(1, 86_400), 60, (c: Raw) => Math.ceil(3 * heartbeatOf(c))),
    /** Seconds between checkpoint commits. */
    commitInterval: optional(decimal(0.1, 3600), 10, 10),
    /** Seconds an unclaimed delivery token waits before it counts as handled by the flow. */
    claimTimeout: optional(decimal(0.1, 86_400), 30, 30),
    order: optional(bool(), false, false),
  },
  steps: [
    unversioned,
    // 1 → 2 (this release refuses what 0.1 rewrote at run time): flows saved before keep the
    // behaviour they had, written out as explicit values; a new dialog refuses both.
    (c, _credentials, note) => {
      // The consumer name: each character outside [A-Za-z0-9_.-] was replaced by "_" (the same
      // name SLS has known the consumer by since).
      // (`${VAR}` is left to the runtime, which sees the value.)
      const name = c.consumerName;
      if (typeof name === "string" && name.trim() !== "" && !name.includes("${")) c.consumerName = name.trim().replace(/[^A-Za-z0-9_.-]/g, "_");
      // The group timeout: any number of seconds was rounded up, and raised to two heartbeats with a warning.
      const saved = typeof c.timeout === "number" ? c.timeout : Number(String(c.timeout ?? "").trim() || NaN);
      if (!Number.isFinite(saved) || saved <= 0) return; // empty: three heartbeats; not a number: refused
      const blank = c.heartbeat === undefined || c.heartbeat === null || String(c.heartbeat).trim() === "";
      const hb = blank ? undefined : HEARTBEAT.parse(c.heartbeat);
      if (hb && !hb.ok) return; // refused, or `${VAR}` in the editor
      const heartbeat = hb ? hb.value : 20;
      const raised = Math.ceil(saved) < 2 * heartbeat;
      const timeout = raised ? Math.ceil(2 * heartbeat) : Math.ceil(saved);
      if (String(timeout) !== String(c.timeout).trim()) c.timeout = timeout;
      if (raised) note({ key: "timeout-raised", params: { saved, timeout, heartbeat } });
    },
  ],
  checks: (c, raw) => [
    // A consumer silent for the group timeout loses its shards: at least two heartbeats fit in it.
    c.timeout < 2 * c.heartbeat
      ? { property: "timeout", value: String(c.timeout), why: { key: "timeout-heartbeats", params: { min: Math.ceil(2 * c.heartbeat) } } }
      : undefined,
    // An empty range reads nothing: surely a typo.
    c.to !== undefined && c.start === "time" && c.to <= c.startTime
      ? { property: "to", value: String(raw.to).trim(), why: { key: "end-after-start" } }
      : undefined,
  ],
});

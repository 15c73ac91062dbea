// sls-stats: how often the figures of this runtime's consumers and syslog sinks go out as a message,
// and whether they are also served to Prometheus, on which path of Node-RED's HTTP server.

import { bool, decimal, text } from "./rules";
import { nodeSpec, optional, unversioned } from "./spec";

/** A path on Node-RED's HTTP server (under httpNodeRoot): /, then letters, digits and - _ . / */
const METRICS_PATH = /^\/[A-Za-z0-9._~\-/]{0,200}$/;

export const SLS_STATS = nodeSpec({
  type: "sls-stats",
  props: {
    /** Seconds between two messages; 0: only when a message arrives at the input. */
    interval: optional(decimal(0, 86_400), 10, 10),
    /** Serve the figures in the Prometheus text format. */
    prometheus: optional(bool(), false, false),
    metricsPath: optional(text({ pattern: METRICS_PATH, why: { key: "metrics-path" } }), "/metrics", "/metrics", {
      when: (c) => c.prometheus === true || c.prometheus === "true",
    }),
  },
  steps: [unversioned],
  checks: (c) => [c.interval > 0 && c.interval < 1 ? { property: "interval", value: String(c.interval), why: { key: "stats-interval" } } : undefined],
});

// Node settings: one spec per node type (what each property accepts, its default, its format
// versions), and the engine that upgrades and checks saved settings (spec.ts). No Node-RED here:
// nodes/settings.ts applies it in the runtime, resources/config.js (generated) in the editor.

import { SLS_ACK } from "./sls-ack";
import { SLS_CONNECTION } from "./sls-connection";
import { SLS_CONSUMER } from "./sls-consumer";
import { SLS_SYSLOG_MAP } from "./sls-syslog-map";
import { SLS_SYSLOG_OUT } from "./sls-syslog-out";
import { SLS_SYSLOG_SERVER } from "./sls-syslog-server";
import { SLS_STATS } from "./sls-stats";
import type { NodeSpec } from "./spec";

export { SLS_ACK, SLS_CONNECTION, SLS_CONSUMER, SLS_SYSLOG_MAP, SLS_SYSLOG_OUT, SLS_SYSLOG_SERVER, SLS_STATS };
export { MAX_IN_FLIGHT } from "./sls-consumer";
export { parseStartTime } from "./start-time";
export { english, CONFIG_MESSAGES } from "./messages";
export * from "./spec";
export type { Msg, Rule, Check } from "./rules";

/** Every node type's spec, by type name. */
export const SPECS: Record<string, NodeSpec> = {
  [SLS_CONNECTION.type]: SLS_CONNECTION,
  [SLS_CONSUMER.type]: SLS_CONSUMER,
  [SLS_ACK.type]: SLS_ACK,
  [SLS_SYSLOG_MAP.type]: SLS_SYSLOG_MAP,
  [SLS_SYSLOG_SERVER.type]: SLS_SYSLOG_SERVER,
  [SLS_SYSLOG_OUT.type]: SLS_SYSLOG_OUT,
  [SLS_STATS.type]: SLS_STATS,
};

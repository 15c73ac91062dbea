// Node-RED calls node.metric(event, msg) whenever a node sends, receives or completes a message.
// With metrics off (the default) each call still builds a log record, reads the clock and emits
// it to every log handler, which drops it: six calls per log from sls-consumer through
// sls-syslog-map to sls-syslog-out. Our nodes skip them while metrics are off, and keep them when
// they are on (`metric()` without arguments is how Node-RED's own nodes ask, and still answers).
import type { Node } from "node-red";

/** Answers "metrics on?" with false, and records nothing. */
function off(): boolean {
  return false;
}

export function skipMetricsWhenOff(node: Node): void {
  const n = node as unknown as { metric?: () => unknown };
  if (typeof n.metric === "function" && n.metric() === false) n.metric = off;
}

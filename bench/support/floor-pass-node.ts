// bench-pass, for bench/node-red-floor.ts: forwards every message untouched (a node that does
// nothing, so the bench measures Node-RED's own cost per hop).
import type { Node, NodeAPI, NodeDef } from "node-red";
import { skipMetricsWhenOff } from "../../nodes/metrics";

export = function (RED: NodeAPI): void {
  function Pass(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    if ((def as { skipMetrics?: boolean }).skipMetrics) skipMetricsWhenOff(this);
    this.on("input", (msg, send, done) => {
      send(msg);
      done();
    });
  }
  RED.nodes.registerType("bench-pass", Pass);
};

// Benchmark sink: settles every delivery token at once and, when `expect` records have arrived,
// reports CPU and wall time to the parent process over IPC. Loaded into an embedded Node-RED.
import type { Node, NodeAPI, NodeDef } from "node-red";
import { claimToken } from "../../lib/delivery";
import { skipMetricsWhenOff } from "../../nodes/metrics";

export = function (RED: NodeAPI): void {
  function NullSink(this: Node, def: NodeDef & { expect: number }): void {
    RED.nodes.createNode(this, def);
    if ((def as { skipMetrics?: boolean }).skipMetrics) skipMetricsWhenOff(this);
    let records = 0;
    let reported = false;
    this.on("input", (msg, _send, done) => {
      const m = msg as { payload?: unknown; sls?: { token?: unknown } };
      // Timing starts at the first record: runtime start-up and group join are one-off costs.
      if (records === 0) process.send?.({ first: true, at: Date.now(), cpu: process.cpuUsage() });
      records += Array.isArray(m.payload) ? m.payload.length : 1;
      claimToken(m.sls?.token)?.settle();
      if (!reported && records >= def.expect) {
        reported = true;
        process.send?.({ done: true, records, at: Date.now(), cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
      }
      done();
    });
  }
  RED.nodes.registerType("bench-null-sink", NullSink);
};

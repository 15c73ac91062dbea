// bench-source, for bench/node-red-floor.ts: emits `count` messages shaped like sls-consumer's
// per-log output (a payload of `fields` string fields and an msg.sls object), 100 per event-loop
// turn, one node.send each — and nothing else, so the bench measures Node-RED's own cost.
import type { Node, NodeAPI, NodeDef, NodeMessage } from "node-red";
import { skipMetricsWhenOff } from "../../nodes/metrics";

export = function (RED: NodeAPI): void {
  function Source(this: Node, def: NodeDef & { count: number; fields: number }): void {
    RED.nodes.createNode(this, def);
    if ((def as { skipMetrics?: boolean }).skipMetrics) skipMetricsWhenOff(this);
    const node = this;
    let sent = 0;
    const keys = Array.from({ length: def.fields }, (_, i) => `field_${i}`);
    const tags = Object.freeze({ __hostname__: "host-1" });
    const turn = (): void => {
      const end = Math.min(def.count, sent + 100);
      for (; sent < end; sent++) {
        const payload: Record<string, string | number> = {};
        for (const k of keys) payload[k] = "value-" + sent;
        payload.__time__ = 1714979289;
        const sls = {
          project: "p",
          logstore: "l",
          consumerGroup: "g",
          shard: 0,
          cursor: "MTcxNDk3OTI4OTk1NjI0NjAwMA==",
          index: sent % 100,
          time: 1714979289,
          timeNs: 0,
          topic: "",
          source: "",
          tags,
          token: null,
        };
        node.send({ _msgid: "m" + sent, payload, sls } as unknown as NodeMessage);
      }
      if (sent < def.count) setImmediate(turn);
    };
    // Start once every flow runs (the sink must be listening).
    const start = (): void => void setImmediate(turn);
    RED.events.once("flows:started", start);
    node.on("close", () => RED.events.removeListener("flows:started", start));
  }
  RED.nodes.registerType("bench-source", Source);
};

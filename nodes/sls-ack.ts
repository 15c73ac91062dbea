// Settles delivery tokens for flows that deliver somewhere other than sls-syslog-out (a database,
// an HTTP API): place it after the node that completes delivery. Passes the message on.
import type { Node, NodeAPI, NodeDef } from "node-red";
import { SLS_ACK } from "../lib/config";
import { claimToken } from "../lib/delivery";
import { catalogue } from "./messages";
import { skipMetricsWhenOff } from "./metrics";
import { holdInput, startSettings } from "./settings";

export = function (RED: NodeAPI): void {
  function SlsAck(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    skipMetricsWhenOff(this);
    const node = this;
    if (!startSettings(RED, node, SLS_ACK, def)) {
      holdInput(node);
      return;
    }
    const t = catalogue(RED, "sls-ack");
    let count = 0;
    let statusTimer: NodeJS.Timeout | undefined;
    node.on("input", (msg, send, done) => {
      const sls = (msg as { sls?: { token?: unknown } }).sls;
      // Our claim is taken and settled at once: delivery is complete when the message gets here.
      claimToken(sls?.token)?.settle();
      count++;
      statusTimer ??= setTimeout(() => {
        statusTimer = undefined;
        node.status({ fill: "green", shape: "dot", text: t("sls-ack.status.acknowledged", { count }) });
      }, 1000);
      send(msg);
      done();
    });
    node.on("close", (done: () => void) => {
      clearTimeout(statusTimer);
      node.status({});
      done();
    });
  }
  RED.nodes.registerType("sls-ack", SlsAck);
};

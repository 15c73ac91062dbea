// A minimal delivering node for tests: claims each message's delivery token and settles it at
// once (or holds it while sink.hold is set), like sls-syslog-out does after a write.
import type { Node, NodeAPI, NodeDef } from "node-red";
import { claimToken } from "../../lib/delivery";
import { sink, type SinkMessage } from "./sink-control";

export = function (RED: NodeAPI): void {
  function SettlingSink(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    this.on("input", (msg, _send, done) => {
      const m = msg as unknown as SinkMessage;
      sink.received.push({ payload: m.payload, sls: m.sls, at: Date.now() });
      const claim = claimToken(m.sls?.token);
      if (claim) {
        if (sink.hold) sink.held.push(claim);
        else claim.settle();
      }
      done();
    });
  }
  RED.nodes.registerType("test-settling-sink", SettlingSink);
};

// Sink node: formats each message (or each record of a batch) as RFC 5424 or RFC 3164, hands the
// frames to the server's shared sender, and settles the message's delivery token once every frame
// was written. Permanent failures go to done(err) so Catch nodes see them. Its output passes each
// written message on, the same object: a Debug node there shows what was sent without the deep copy
// Node-RED makes for a second wire beside this node.

import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import { claimToken } from "../lib/delivery";
import { isBatchMessage, recordFromMessage, recordsFromMessage, type MessageLike } from "../lib/syslog/from-node-message";
import { outFormatter } from "../lib/syslog/out-format";
import { faultKind, faultStatusKey } from "../lib/syslog/faults";
import { SenderClosedError, type SenderState, type SyslogSender } from "../lib/syslog/sender";
import { SLS_SYSLOG_OUT } from "../lib/config";
import { holdInput, startSettings } from "./settings";
import type { SyslogServerNode } from "./types";
import { skipMetricsWhenOff } from "./metrics";

/** The wires are all this node reads of its definition itself (settings: lib/config/sls-syslog-out.ts). */
interface OutDef extends NodeDef {
  wires?: string[][];
}

export = function (RED: NodeAPI): void {
  function SyslogOut(this: Node, def: OutDef): void {
    RED.nodes.createNode(this, def);
    skipMetricsWhenOff(this);
    const node = this;
    const cfg = startSettings(RED, node, SLS_SYSLOG_OUT, def);
    if (!cfg) {
      holdInput(node);
      return;
    }
    const server = RED.nodes.getNode(cfg.server) as SyslogServerNode;
    const { defaults, writer } = outFormatter({
      format: cfg.format,
      facility: String(cfg.facility),
      severity: String(cfg.severity),
      hostname: cfg.hostname,
      appName: cfg.appName,
      procId: cfg.procId,
      msgId: cfg.msgId,
      bom: cfg.bom,
      maxMessageBytes: server.maxMessageBytes,
    });

    const sender: SyslogSender = server.register(node);
    let delivered = 0;
    let lastError = "";
    let shown = "";
    const status = (fill: "green" | "yellow" | "red", shape: "dot" | "ring", text: string): void => {
      // Status goes to every open editor: only send changes.
      if (shown === fill + shape + text) return;
      shown = fill + shape + text;
      node.status({ fill, shape, text });
    };
    const showStatus = (): void => {
      const st = sender.stats();
      if (st.state === "connected") status("green", "dot", `${delivered}/s · q ${st.queued + st.waiting}`);
      else if (st.state === "connecting") status("yellow", "ring", "node-red:common.status.connecting");
      else if (st.state === "disconnected") status("red", "ring", lastError || "node-red:common.status.disconnected");
      delivered = 0;
    };
    const onState = (state: SenderState, err?: Error): void => {
      if (state === "disconnected" && err) {
        // Short status by the error's kind, as a message key the editor translates (the full text goes to the log).
        const short = faultStatusKey(faultKind(err));
        // Log each distinct problem once, not every retry.
        if (short !== lastError) node.error(`syslog ${server.target}: ${err.message}`);
        lastError = short;
      }
      showStatus();
    };
    sender.on("state", onState);
    const ticker = setInterval(showStatus, 1000);
    showStatus();

    // Only pass messages on when something is wired: a send to no wire still costs the runtime.
    const passOn = (def.wires ?? []).some((w) => w.length > 0);
    node.on("input", (msg: NodeMessageInFlow, send: (msg: NodeMessageInFlow) => void, done: (err?: Error) => void) => {
      const m = msg as NodeMessageInFlow & MessageLike;
      const claim = claimToken((m.sls as { token?: unknown } | null | undefined)?.token);
      let written: Promise<void>;
      let count = 1;
      try {
        // Formatted straight into the sender's buffers; a record that cannot be formatted throws
        // before anything of this message is queued.
        if (isBatchMessage(m)) {
          const records = recordsFromMessage(m, defaults);
          count = records.length;
          written = sender.sendManyWith(writer, records);
        } else written = sender.sendWith(writer, recordFromMessage(m, defaults)); // per-log: no arrays
      } catch (err) {
        claim?.settle(err as Error);
        done(err as Error);
        return;
      }
      written.then(
        () => {
          // A problem is over once something got through (a RELP collector that answers errors
          // accepts each new session: connecting is not enough).
          lastError = "";
          delivered += count;
          claim?.settle();
          if (passOn) send(m);
          done();
        },
        (err: Error) => {
          // Shut down before the write (redeploy while the SIEM is away): give the token back so
          // the source reads those logs again; the checkpoint never passes them.
          if (err instanceof SenderClosedError) claim?.release();
          else claim?.settle(err);
          done(err);
        },
      );
    });

    node.on("close", (done: () => void) => {
      clearInterval(ticker);
      sender.off("state", onState);
      node.status({});
      void server.deregister(node).then(() => done());
    });
  }

  RED.nodes.registerType("sls-syslog-out", SyslogOut);
};

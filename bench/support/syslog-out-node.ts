// Stand-in for sls-syslog-out until that node lands on main: formats msg.syslog (one record or an
// array) with the lib/syslog RFC 5424 formatter, writes it through one SyslogSender (TCP,
// octet-counted) and settles the delivery claim once every frame was written.
import type { Node, NodeAPI, NodeDef } from "node-red";
import { claimToken } from "../../lib/delivery";
import { formatRfc5424 } from "../../lib/syslog/rfc5424";
import type { SyslogRecord } from "../../lib/syslog/record";
import { SyslogSender } from "../../lib/syslog/sender";

export = function (RED: NodeAPI): void {
  function BenchSyslogOut(this: Node, def: NodeDef & { host: string; port: number }): void {
    RED.nodes.createNode(this, def);
    const sender = new SyslogSender({ protocol: "tcp", endpoints: [{ host: def.host, port: Number(def.port) }], framing: "octet" });
    sender.open();
    this.on("input", (msg, _send, done) => {
      const m = msg as { syslog?: SyslogRecord | SyslogRecord[]; sls?: { token?: unknown } };
      const claim = claimToken(m.sls?.token);
      const records = Array.isArray(m.syslog) ? m.syslog : [m.syslog ?? {}];
      sender.sendMany(records.map((r) => formatRfc5424(r))).then(
        () => {
          claim?.settle();
          done();
        },
        (e: Error) => {
          claim?.settle(e);
          done(e);
        },
      );
    });
    this.on("close", (done: () => void) => void sender.close().then(done, done));
  }
  RED.nodes.registerType("bench-syslog-out", BenchSyslogOut);
};

// The figures of every sls-consumer, sls-syslog-out and syslog receiver in this Node-RED, as a
// message every N seconds (and on any input) for dashboards, Switch and email nodes; optionally
// also served to Prometheus on Node-RED's HTTP server. Both show the same snapshot (lib/metrics).

import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import { SLS_STATS } from "../lib/config";
import { metricsHub } from "../lib/metrics/hub";
import { withRates, type RatedSnapshot } from "../lib/metrics/rates";
import { catalogue } from "./messages";
import { openEndpoint } from "./prometheus-endpoint";
import { startSettings } from "./settings";

export = function (RED: NodeAPI): void {
  function SlsStats(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const cfg = startSettings(RED, node, SLS_STATS, def);
    if (!cfg) return;

    const t = catalogue(RED, "sls-stats");
    // As core's HTTP-in node: with httpNodeRoot false Node-RED serves no node routes, so say so.
    const httpNodes = (RED.settings as { httpNodeRoot?: string | false }).httpNodeRoot !== false;
    if (cfg.prometheus && !httpNodes) node.warn(t("sls-stats.errors.no-http-nodes", { path: cfg.metricsPath }));
    const serving = cfg.prometheus && httpNodes;
    let previous: RatedSnapshot | undefined;
    const report = (): RatedSnapshot => (previous = withRates(metricsHub.snapshot(), previous));
    const show = (s: RatedSnapshot): void => {
      const { summary: m } = s;
      const fill = m.targetsDown > 0 || m.consumersFailing > 0 ? "red" : "green";
      const summary = t("sls-stats.status.summary", { consumers: m.consumers, lag: m.maxLagSeconds, up: m.targets - m.targetsDown, targets: m.targets });
      node.status({ fill, shape: "dot", text: serving ? t("sls-stats.status.served", { summary, path: cfg.metricsPath }) : summary });
    };

    const timer =
      cfg.interval > 0
        ? setInterval(() => {
            const s = report();
            show(s);
            node.send({ topic: "sls-stats", payload: s } as NodeMessage);
          }, cfg.interval * 1000)
        : undefined;

    node.on("input", (msg: NodeMessageInFlow, send: (m: NodeMessage) => void, done: () => void) => {
      const s = report();
      show(s);
      msg.topic ??= "sls-stats";
      msg.payload = s;
      send(msg);
      done();
    });

    const close = serving ? openEndpoint(RED, cfg.metricsPath, node.id) : undefined;
    node.status({
      fill: "grey",
      shape: "ring",
      text: serving ? t("sls-stats.status.serving", { path: cfg.metricsPath }) : t("sls-stats.status.every", { interval: cfg.interval }),
    });

    node.on("close", (done: () => void) => {
      clearInterval(timer);
      close?.();
      node.status({});
      done();
    });
  }
  RED.nodes.registerType("sls-stats", SlsStats);
};

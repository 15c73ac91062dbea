// Chaos run: npm run chaos [-- --json] [--rate N] [--phase-seconds S] [--outage-seconds S] [--charts DIR]
//   [--long-outage-seconds S] [--long-outage-backlog N] [--long-outage-modes emit,delivery]
//
// The chaos scenario (support/scenarios/chaos.ts: faults in turn through the full pipeline, nothing
// may be lost; test/interop/chaos.test.ts runs a shortened form), with its RSS chart; then a long
// SIEM outage (10 minutes by default) over a backlog in each ack mode (support/scenarios/outage.ts):
// RSS must stay flat and every log arrive afterwards.
//   --long-outage-seconds S (0 skips it), --long-outage-backlog N, --long-outage-modes emit,delivery
import { benchArgs } from "./support/args";
import { runChaos, type ChaosResult } from "../support/scenarios/chaos";
import { runOutage, type OutageResult } from "../support/scenarios/outage";
import { chart } from "./support/chart";
import { logger, machine, main } from "./support/report";

/** The RSS-over-the-outage chart (PNG) of a chaos run. */
async function outageChart(dir: string, r: ChaosResult, o: { rate: number; outageSec: number }): Promise<string> {
  return chart(`${dir}/rss-during-outage.png`, {
    title: `Node-RED RSS while the syslog receiver is down (${o.outageSec} s, ${o.rate} logs/s)`,
    kind: "line",
    xLabel: "seconds since the receiver went down",
    yLabel: "RSS (MB)",
    series: r.outageRss.map((s) => ({ name: s.host, points: s.points })),
    marks: [{ y: 256, label: "target 256 MB" }],
  });
}

if (require.main === module) {
  const { values } = benchArgs("npm run chaos -- [options]", {
    options: {
      json: { type: "boolean", default: false },
      rate: { type: "string", default: "2000" },
      "phase-seconds": { type: "string", default: "15" },
      "outage-seconds": { type: "string", default: "60" },
      "drain-seconds": { type: "string", default: "120" },
      charts: { type: "string", default: "" },
      "long-outage-seconds": { type: "string", default: "600" },
      "long-outage-backlog": { type: "string", default: "500000" },
      "long-outage-modes": { type: "string", default: "emit,delivery" },
    },
  });
  main(async () => {
    const log = logger(values.json!);
    const o = {
      rate: Number(values.rate),
      phaseSec: Number(values["phase-seconds"]),
      outageSec: Number(values["outage-seconds"]),
      drainSec: Number(values["drain-seconds"]),
    };
    const r = await runChaos({ ...o, log });
    if (values.charts && r.outageRss.length) log(`chart: ${await outageChart(values.charts, r, o)}`);
    const longOutage: OutageResult[] = [];
    const longSec = Number(values["long-outage-seconds"]);
    for (const mode of longSec > 0 ? values["long-outage-modes"]!.split(",") : []) {
      const o = await runOutage({
        ackMode: mode as OutageResult["ackMode"],
        backlog: Number(values["long-outage-backlog"]),
        outageSec: longSec,
        sampleMs: 2000,
        log,
      });
      longOutage.push(o);
      if (values.charts) {
        log(
          `chart: ${await chart(`${values.charts}/rss-long-outage-${mode}.png`, {
            title: `Node-RED RSS through a ${longSec} s SIEM outage over a ${o.backlog}-log backlog (ack ${mode})`,
            kind: "line",
            xLabel: "seconds since the receiver went down",
            yLabel: "RSS (MB)",
            series: [{ name: `ack ${mode}`, points: o.points }],
          })}`,
        );
      }
    }
    if (values.json) console.log(JSON.stringify({ bench: "chaos", machine: machine(), ...r, longOutage }));
    if (r.total.lost > 0 || longOutage.some((o) => o.lost > 0)) process.exitCode = 1;
  });
}

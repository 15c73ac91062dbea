// A SIEM outage over a large backlog, shortened for CI (support/scenarios/outage.ts; npm run chaos runs 10
// minutes): in either ack mode the consumer stops pulling once its sinks hold max-in-flight logs
// unwritten, the Node-RED process's RSS stays flat, and every log arrives after the outage.
// Acknowledge on emit used to keep pulling into the sender's wait list: +526 MB in 20 s over a
// 200 000-log backlog, and pulls never stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runOutage } from "../../support/scenarios/outage";

for (const ackMode of ["emit", "delivery"] as const) {
  test(`ack ${ackMode}: the receiver down over a 200 000-log backlog: pulling stops, RSS stays flat, nothing is lost`, { timeout: 180_000 }, async () => {
    const r = await runOutage({ ackMode, backlog: 200_000, outageSec: 16, maxInFlight: 1000, drainSec: 90 });
    const trace = `RSS samples (MB): ${r.points.map((p) => p[1]).join(" ")}`;
    assert.ok(r.pullsLate <= 4, `${r.pullsLate} PullLogs in the second half of the outage. ${trace}`);
    assert.ok(r.growthMb <= 40, `RSS grew ${r.growthMb} MB during the outage. ${trace}`);
    assert.ok(r.rssLateMaxMb - r.rssStartMb <= 100, `RSS ${r.rssLateMaxMb} MB, ${r.rssLateMaxMb - r.rssStartMb} MB over the started runtime. ${trace}`);
    assert.equal(r.lost, 0, "every log arrives once the receiver is back");
  });
}

// Chaos, shortened for CI: sequence-numbered logs through emulator → two Node-RED processes
// (sls-consumer → sls-syslog-map → syslog out) → receiver, while in turn a consumer process is
// SIGKILLed, the receiver is down, a shard is split and two merged, and the emulator injects 5xx,
// throttling and dropped connections. Nothing may be lost. The full run: npm run chaos.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runChaos } from "../../support/scenarios/chaos";

test("no log is lost through SIGKILL, receiver outage, split/merge and SLS faults", { timeout: 240_000 }, async () => {
  const r = await runChaos({ rate: 400, phaseSec: 3, outageSec: 3, drainSec: 40, quiet: true });
  assert.deepEqual(
    r.phases.map((p) => [p.fault, p.lost]),
    [
      ["second consumer joins", 0],
      ["none (baseline)", 0],
      ["consumer SIGKILL", 0],
      ["syslog receiver down", 0],
      ["shard split + merge", 0],
      ["SLS 5xx, throttling, resets", 0],
    ],
  );
  assert.deepEqual(r.total.missingFirst, []);
  assert.equal(r.total.lost, 0);
  assert.ok(r.total.written >= 400 * 12, `only ${r.total.written} logs written`);
  // Every phase wrote logs and each was delivered within the drain time.
  for (const p of r.phases) assert.ok(p.written[1] > p.written[0], `${p.fault}: no logs written`);
  assert.match(r.phases[4].detail ?? "", /^shard 0 split into \d+, \d+; 2 and 3 merged into \d+$/);
  const hits = Number(/^(\d+) requests hit$/.exec(r.phases[5].detail ?? "")?.[1]);
  assert.ok(hits > 0, "the injected faults hit no request");
});

// The consumer's per-shard counters and lag (what the metrics report), against the in-memory SLS:
// pulled, emitted, issued and settled logs and bytes, commits, and the lag in seconds and logs
// while a sink holds every token.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DeliveryWindow, claimToken } from "../../lib/delivery";
import { ConsumerGroup, type ConsumerGroupOptions } from "../../lib/sls/consumer-group";
import type { Batch, DeliveryContext } from "../../lib/sls/shard-reader";
import { FakeSls, seqGroup } from "../support/fake-sls";
import { until } from "../support/until";
import { engineGroup } from "../support/engine-group";

/** One token per log; `fail` decides which seqs settle as failed; `hold` keeps every token. */
function sink(o: { hold?: boolean; fail?: (seq: number) => boolean } = {}) {
  const held: string[] = [];
  let emitted = 0;
  const deliver = async (b: Batch, ctx: DeliveryContext): Promise<void> => {
    for (let gi = 0; gi < b.groups.length; gi++) {
      for (const rec of b.groups.at(gi)!.records) {
        await ctx.waitForRoom();
        if (ctx.stopped) return;
        const token = ctx.issue(1, gi)!;
        emitted++;
        const seq = Number(rec.seq);
        if (o.hold) held.push(token);
        else queueMicrotask(() => claimToken(token)?.settle(o.fail?.(seq) ? new Error("bad") : undefined));
      }
    }
  };
  return { held, deliver, emitted: () => emitted };
}

function group(api: FakeSls, deliver: ConsumerGroupOptions["deliver"], extra: Partial<ConsumerGroupOptions>): ConsumerGroup {
  return engineGroup(api, deliver, { lagProbeMs: 20, ...extra });
}

test("per shard: pulled, emitted, issued and settled logs and bytes, by outcome; commits", async () => {
  const api = new FakeSls(2);
  // Shard 0: 30 groups of 10 logs; shard 1: 20 groups of 10. The fake reports 100 raw bytes per group.
  for (let i = 0; i < 30; i++) api.put(0, seqGroup(i * 10, i * 10 + 10));
  for (let i = 0; i < 20; i++) api.put(1, seqGroup(1000 + i * 10, 1000 + i * 10 + 10));
  const win = new DeliveryWindow({ maxInFlight: 100, claimTimeoutMs: 0 });
  const s = sink({ fail: (seq) => seq % 10 === 3 });
  const cg = group(api, s.deliver, { window: win });
  await cg.start();
  await until(() => api.checkpointIndex(0) === 30 && api.checkpointIndex(1) === 20, 5000, "checkpoints at the end");
  const stats = cg.shardStats();
  assert.deepEqual(
    stats.map((x) => [x.shard, x.held]),
    [
      [0, true],
      [1, true],
    ],
  );
  for (const [i, logs] of [
    [0, 300],
    [1, 200],
  ] as const) {
    const c = stats[i].counters;
    assert.equal(c.pulledLogs, logs, `shard ${i} pulled`);
    assert.equal(c.pulledBytes, logs * 10, `shard ${i} pulled bytes (100 per group of 10)`);
    assert.equal(c.emittedLogs, logs);
    assert.equal(c.emittedBytes, logs * 10);
    assert.equal(c.issuedLogs, logs);
    assert.deepEqual(c.settledLogs, { delivered: logs * 0.9, failed: logs * 0.1, expired: 0, returned: 0, cancelled: 0 });
    assert.ok(Math.abs(c.settledBytes.delivered - logs * 9) < 1e-6 && Math.abs(c.settledBytes.failed - logs) < 1e-6, `shard ${i} settled bytes`);
    assert.equal(c.unsettledLogs, 0);
    assert.ok(c.commits >= 1, `shard ${i} committed`);
    // Idle readers keep polling: a pull (or a prefetch) may be in flight, called but not answered.
    const calls = api.calls.filter((x) => x.action === "pullLogs" && x.shard === i).length;
    assert.ok(
      c.pullSeconds.count <= calls && c.pullSeconds.count >= calls - 2,
      `shard ${i}: one latency per answered pull (${c.pullSeconds.count} of ${calls})`,
    );
    assert.deepEqual(stats[i].lag, { seconds: 0, logs: 0 }, `shard ${i} caught up`);
  }
  assert.equal(cg.stats().logs, 500);
  await cg.stop();
  win.close();
});

test("lag while a sink holds every token: the unsettled logs plus the groups still in SLS, and the age of the oldest", async () => {
  const api = new FakeSls(1);
  const now = Math.round(Date.now() / 1000);
  api.receivedAt = now - 120;
  for (let i = 0; i < 100; i++) api.put(0, seqGroup(i * 10, i * 10 + 10));
  const win = new DeliveryWindow({ maxInFlight: 250, claimTimeoutMs: 0 });
  const s = sink({ hold: true });
  const cg = group(api, s.deliver, { window: win, pullCount: 5 });
  await cg.start();
  await until(() => s.emitted() === 250, 5000, "a full window");
  // The probe of the end cursor (every 20 ms here) tells how many groups are left in SLS.
  await until(() => cg.shardStats()[0].lag?.logs === 1000, 5000, "lag in logs = every log not yet settled");
  const lag = cg.shardStats()[0].lag!;
  assert.ok(lag.seconds >= 120 && lag.seconds <= 125, `lag ${lag.seconds} s: the age of the oldest unsettled log`);
  assert.equal(cg.stats().lagSec, lag.seconds);
  // Settling 250 logs brings the lag down by as many (the freed room is refilled from SLS).
  for (const t of s.held.splice(0)) claimToken(t)!.settle();
  await until(() => cg.shardStats()[0].lag?.logs === 750, 5000, "750 not yet settled");
  const c = cg.shardStats()[0].counters;
  assert.equal(c.settledLogs.delivered, 250);
  assert.ok(c.waitSeconds > 0, "time spent waiting for window room is counted");
  await cg.stop();
  win.close();
  assert.equal(cg.shardStats()[0].counters.settledLogs.cancelled, c.issuedLogs - 250, "closing the window cancels the rest");
});

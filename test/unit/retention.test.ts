// Retention: the watch that compares each shard's oldest unsettled data with the logstore's TTL,
// the tracker's receive times behind it, and the emulator's TTL on backdated data.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RetentionWatch, type WatchedShard } from "../../lib/sls/retention";
import { CheckpointTracker } from "../../lib/sls/checkpoint-tracker";
import type { SlsApi } from "../../lib/sls/client";
import { SlsError } from "../../lib/sls/errors";
import { start } from "../../emulator/index";
import { SlsClient } from "../../lib/sls/client";

const DAY = 86_400;

function watch(ttlDays: () => number | Error, now: () => number, opts: { repeatMs?: number; refreshMs?: number } = {}) {
  let calls = 0;
  const api = {
    getLogstore: async () => {
      calls++;
      const t = ttlDays();
      if (t instanceof Error) throw t;
      return { ttlDays: t };
    },
  } as unknown as SlsApi;
  return { w: new RetentionWatch({ api, project: "p", logstore: "l", now, ...opts }), calls: () => calls };
}

describe("RetentionWatch", () => {
  it("warns from 80 % of the TTL, repeats every 10 min while it lasts, clears under 70 %", async () => {
    let now = 1_000_000_000_000;
    const { w } = watch(
      () => 30,
      () => now,
    );
    await w.refresh();
    assert.equal(w.retention, 30 * DAY);
    const nowS = () => now / 1000;
    const shards: WatchedShard[] = [
      { shard: 0, unsettledSince: nowS() - 23 * DAY },
      { shard: 1, unsettledSince: nowS() - 25 * DAY },
      { shard: 2, unsettledSince: undefined },
    ];
    assert.deepEqual(w.check(shards), [{ shard: 1, ageSec: 25 * DAY, retentionSec: 30 * DAY, percent: 83 }]);
    assert.deepEqual(w.worst()?.shard, 1);
    now += 60_000;
    assert.deepEqual(w.check(shards), [], "not repeated within 10 minutes");
    assert.equal(w.worst()?.percent, 83, "still shown");
    now += 600_000;
    assert.equal(w.check(shards).length, 1, "repeated after 10 minutes");
    // Shard 1 catches up to 75 %: still at risk (hysteresis), no new report.
    shards[1] = { shard: 1, unsettledSince: now / 1000 - 22.5 * DAY };
    assert.deepEqual(w.check(shards), []);
    assert.equal(w.worst()?.percent, 75);
    shards[1] = { shard: 1, unsettledSince: now / 1000 - 20 * DAY };
    w.check(shards);
    assert.equal(w.worst(), undefined, "cleared under 70 %");
    shards[1] = { shard: 1, unsettledSince: now / 1000 - 24.1 * DAY };
    assert.equal(w.check(shards).length, 1, "a new crossing is reported at once");
  });

  it("no TTL known, no warning; a failed GetLogStore is asked again after the refresh period", async () => {
    let now = 0;
    let answer: number | Error = new SlsError("Unauthorized", "no", { retryable: false });
    const { w, calls } = watch(
      () => answer,
      () => now,
      { refreshMs: 1000 },
    );
    await w.refresh();
    assert.equal(w.retention, undefined);
    assert.deepEqual(w.check([{ shard: 0, unsettledSince: -100 * DAY }]), []);
    await w.refresh();
    assert.equal(calls(), 1, "not asked again within the refresh period");
    answer = 1;
    now = 1000;
    await w.refresh();
    assert.equal(w.retention, DAY);
    assert.equal(w.check([{ shard: 0, unsettledSince: -100 * DAY }]).length, 1);
  });

  it("the tracker knows the receive time of its oldest unsettled batch", () => {
    const t = new CheckpointTracker("c0", true);
    assert.equal(t.oldestPendingTime, undefined);
    const a = t.add("c1", 100);
    const b = t.add("c2", 200);
    t.issue(a);
    t.issue(b);
    t.seal(a);
    t.seal(b);
    assert.equal(t.oldestPendingTime, 100);
    t.settle(b);
    assert.equal(t.oldestPendingTime, 100, "settled out of order: the older batch still holds the checkpoint");
    t.settle(a);
    assert.equal(t.oldestPendingTime, undefined);
  });
});

describe("emulator TTL", () => {
  it("backdated data expires when its receive time passes the TTL; its cursor is then InvalidCursor", async () => {
    const emu = await start({ port: 0 });
    const client = new SlsClient({ endpoint: emu.url, credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret } });
    try {
      emu.createLogstore("ttl", { shards: 1, ttl: 1 });
      const now = Math.floor(Date.now() / 1000);
      emu.putLogs("ttl", { logs: [{ time: 1, contents: [["k", "old"]] }], tags: [] }, { shard: 0, receiveTime: now - DAY + 2 });
      emu.putLogs("ttl", { logs: [{ time: 1, contents: [["k", "new"]] }], tags: [] }, { shard: 0 });
      const s = emu.getLogstore("ttl").shard(0);
      const c0 = s.cursor(0);
      assert.equal(await client.getCursor(emu.project, "ttl", 0, "begin"), c0);
      const first = await client.pullLogs(emu.project, "ttl", 0, c0, { count: 1 });
      assert.equal(first.cursorTime, now - DAY + 2);
      await new Promise((r) => setTimeout(r, 3000));
      await assert.rejects(client.pullLogs(emu.project, "ttl", 0, c0), (e: SlsError) => e.code === "InvalidCursor" && e.status === 400);
      assert.equal(await client.getCursor(emu.project, "ttl", 0, "begin"), s.cursor(1), "begin moved past the expired group");
      assert.equal((await client.getLogstore(emu.project, "ttl")).ttlDays, 1);
    } finally {
      client.close();
      await emu.close();
    }
  });
});

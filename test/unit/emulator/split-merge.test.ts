// Split and merge while data is written: nothing lost, old cursors stay valid, readonly shards end,
// and a consumer group retires finished readonly shards (order mode: parents before children).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as Sls from "@alicloud/sls20201230";
import { start, Emulator } from "../../../emulator/index";
import { sdkClient, sdkPullLogs, sdkPutLogs } from "../../support/sls-sdk";

describe("emulator split/merge under writes", () => {
  let emu: Emulator;
  let c: Sls.default;
  before(async () => {
    emu = await start({ port: 0 });
    c = sdkClient(emu);
  });
  after(() => emu.close());

  async function drain(logstore: string, shard: number, from?: string): Promise<{ seqs: number[]; end: string }> {
    let cursor = from ?? (await c.getCursor(emu.project, logstore, String(shard), new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
    const seqs: number[] = [];
    for (;;) {
      const r = await sdkPullLogs(c, emu.project, logstore, shard, cursor, { count: 7 });
      for (const g of r.groups) for (const l of g.logs) seqs.push(Number(l.contents.find(([k]) => k === "seq")![1]));
      if (r.headers["x-log-cursor"] === cursor) return { seqs, end: cursor };
      cursor = r.headers["x-log-cursor"];
    }
  }

  it("loses no log group and keeps cursors valid across splits and merges", async () => {
    emu.createLogstore("sm", { shards: 2 });
    const total = 400;
    let written = 0;
    const earlyCursor = (await c.getCursor(emu.project, "sm", "0", new Sls.GetCursorRequest({ from: "end" }))).body!.cursor!;
    const writer = (async () => {
      for (; written < total; written++) {
        const hashKey = written % 3 === 0 ? randomBytes(16).toString("hex") : undefined;
        await sdkPutLogs(c, emu.project, "sm", { logs: [{ time: 1_700_000_000, contents: [["seq", String(written)]] }], tags: [] }, { hashKey });
      }
    })();
    const reshaper = (async () => {
      const waitFor = async (n: number) => {
        while (written < n) await new Promise((r) => setImmediate(r));
      };
      await waitFor(50);
      await c.splitShard(emu.project, "sm", "0", new Sls.SplitShardRequest({ shardCount: 2 })); // → 2, 3
      await waitFor(150);
      await c.splitShard(emu.project, "sm", "1", new Sls.SplitShardRequest({ key: "c" + "0".repeat(31) })); // → 4, 5
      await waitFor(250);
      await c.mergeShard(emu.project, "sm", "3"); // 3 + 4 → 6
      await waitFor(320);
      await c.mergeShard(emu.project, "sm", "2"); // 2 + 6 → 7
    })();
    await Promise.all([writer, reshaper]);

    const shards = (await c.listShards(emu.project, "sm")).body!;
    assert.deepEqual(
      shards.map((s) => [s.shardID, s.status]),
      [
        [0, "readonly"],
        [1, "readonly"],
        [2, "readonly"],
        [3, "readonly"],
        [4, "readonly"],
        [5, "readwrite"],
        [6, "readonly"],
        [7, "readwrite"],
      ],
    );
    const seen: number[] = [];
    for (const s of shards) {
      const { seqs, end } = await drain("sm", s.shardID!);
      seen.push(...seqs);
      if (s.status === "readonly") {
        // A readonly shard ends: pulling at its end returns nothing, same cursor, end-of-cursor, forever.
        const r = await sdkPullLogs(c, emu.project, "sm", s.shardID!, end);
        assert.equal(r.headers["x-log-count"], "0");
        assert.equal(r.headers["x-log-cursor"], end);
        assert.equal(r.headers["x-log-end-of-cursor"], "1");
      }
    }
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      Array.from({ length: total }, (_, i) => i),
    );
    // A cursor taken before the split still reads the parent's remaining data.
    const fromEarly = await drain("sm", 0, earlyCursor);
    assert.ok(fromEarly.seqs.length > 0);
    // New writes never reach readonly shards.
    const before0 = (await drain("sm", 0)).seqs.length;
    await sdkPutLogs(c, emu.project, "sm", { logs: [{ time: 1, contents: [["seq", "x"]] }], tags: [] }, { hashKey: "1" + "0".repeat(31) });
    assert.equal((await drain("sm", 0)).seqs.length, before0);
  });

  it("retires a readonly shard once the group's checkpoint reaches its end; order mode waits for parents", async () => {
    emu.createLogstore("ord", { shards: 1 });
    for (let i = 0; i < 5; i++) emu.putLogs("ord", { logs: [{ time: 1, contents: [["seq", String(i)]] }], tags: [] });
    emu.createConsumerGroup("ord", "g", { timeout: 60, order: true });
    emu.createConsumerGroup("ord", "free", { timeout: 60, order: false });
    const [a, b] = emu.split("ord", 0);
    const hb = async (g: string, held: number[]) =>
      (await c.consumerGroupHeartBeat(emu.project, "ord", g, new Sls.ConsumerGroupHeartBeatRequest({ consumer: "w", body: held }))).body;
    assert.deepEqual(await hb("g", []), [0]); // children wait for the parent
    assert.deepEqual(await hb("free", []), [0, a, b]);
    const { end } = await drain("ord", 0);
    const commit = (g: string) =>
      c.consumerGroupUpdateCheckPoint(
        emu.project,
        "ord",
        g,
        new Sls.ConsumerGroupUpdateCheckPointRequest({ consumer: "w", forceSuccess: false, shard: 0, checkpoint: end }),
      );
    await commit("g");
    await commit("free");
    assert.deepEqual(await hb("g", [0]), [a, b]);
    assert.deepEqual(await hb("free", [0, a, b]), [a, b]);
  });
});

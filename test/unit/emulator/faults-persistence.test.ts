// Fault injection (library and admin endpoint) and `data` persistence across a restart.

import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, appendFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Sls from "@alicloud/sls20201230";
import { start, Emulator } from "../../../emulator/index";
import { adminRefusal } from "../../../emulator/server";
import { sdkClient, sdkPullLogs, sdkPutLogs } from "../../support/sls-sdk";
import { rawRequest } from "../../../support/raw-sls";

type SdkError = { code?: string; data?: { httpCode?: number } };

describe("emulator faults", () => {
  it("injects errors, latency and dropped connections per action, for a number of requests", async () => {
    const emu = await start({ port: 0, logstore: "flt", shards: 1 });
    try {
      const c = sdkClient(emu);
      const cursor = (await c.getCursor(emu.project, "flt", "0", new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
      for (const e of [emu.faults.errors.busy, emu.faults.errors.internal, emu.faults.errors.readQuota]) {
        emu.faults.add({ actions: ["PullLogs"], error: e, count: 1 });
        await assert.rejects(sdkPullLogs(c, emu.project, "flt", 0, cursor), (err: SdkError) => {
          assert.equal(err.code, e.code);
          assert.equal(err.data?.httpCode, e.status);
          return true;
        });
        assert.equal((await sdkPullLogs(c, emu.project, "flt", 0, cursor)).statusCode, 200); // count: 1 → gone
      }
      // Other actions are untouched by an action-specific rule.
      emu.faults.add({ actions: ["PutLogs"], error: emu.faults.errors.writeQuota });
      assert.equal((await sdkPullLogs(c, emu.project, "flt", 0, cursor)).statusCode, 200);
      await assert.rejects(sdkPutLogs(c, emu.project, "flt", { logs: [{ time: 1, contents: [] }], tags: [] }), /WriteQuotaExceed/);
      emu.faults.clear();

      emu.faults.add({ actions: ["ListShards"], latencyMs: 150, count: 1 });
      const t0 = Date.now();
      await c.listShards(emu.project, "flt");
      assert.ok(Date.now() - t0 >= 140, "latency applied");

      emu.faults.add({ actions: ["ListShards"], drop: true, count: 1 });
      await assert.rejects(c.listShards(emu.project, "flt"), (e: Error) => /socket hang up|ECONNRESET/i.test(e.message + (e as { code?: string }).code));
      // "after": the write happens, the answer is lost.
      emu.faults.add({ actions: ["PutLogs"], drop: "after", count: 1 });
      await assert.rejects(sdkPutLogs(c, emu.project, "flt", { logs: [{ time: 1, contents: [["k", "v"]] }], tags: [] }));
      assert.equal((await sdkPullLogs(c, emu.project, "flt", 0, cursor)).groups.length, 1);

      // A rate is honoured statistically with the seeded PRNG.
      emu.faults.add({ actions: ["ListShards"], rate: 0.5, error: emu.faults.errors.busy });
      let failed = 0;
      for (let i = 0; i < 40; i++) await c.listShards(emu.project, "flt").catch(() => failed++);
      assert.ok(failed > 5 && failed < 35, `failed ${failed}/40`);
      emu.faults.clear();
    } finally {
      await emu.close();
    }
  });

  it("is programmable over /_emulator/faults", async () => {
    const emu = await start({ port: 0, logstore: "flt", shards: 1 });
    try {
      const post = await rawRequest(
        emu.url,
        "POST",
        "/_emulator/faults",
        { "content-type": "application/json" },
        Buffer.from(JSON.stringify({ actions: ["ListShards"], error: { status: 503, code: "ServerBusy" } })),
      );
      assert.equal(post.status, 200);
      const { id } = JSON.parse(post.body.toString()) as { id: number };
      const c = sdkClient(emu);
      await assert.rejects(c.listShards(emu.project, "flt"), (e: SdkError) => e.code === "ServerBusy" && e.data?.httpCode === 503);
      const list = JSON.parse((await rawRequest(emu.url, "GET", "/_emulator/faults", {})).body.toString()) as Array<{ id: number; hits: number }>;
      assert.deepEqual(
        list.map((r) => [r.id, r.hits]),
        [[id, 1]],
      );
      assert.equal((await rawRequest(emu.url, "DELETE", `/_emulator/faults/${id}`, {})).status, 200);
      assert.equal((await c.listShards(emu.project, "flt")).statusCode, 200);
      const health = await rawRequest(emu.url, "GET", "/_emulator/health", {});
      assert.deepEqual(JSON.parse(health.body.toString()), { ok: true, project: emu.project });
      // JSON log writer and state view.
      const logs = { logs: [{ seq: "1", n: 2, __time__: 1_700_000_000 }], topic: "t", tags: { env: "dev" } };
      const put = await rawRequest(emu.url, "POST", "/_emulator/logs?logstore=flt", { "content-type": "application/json" }, Buffer.from(JSON.stringify(logs)));
      assert.deepEqual(JSON.parse(put.body.toString()), { shard: 0, seq: 0 });
      const cursor = (await c.getCursor(emu.project, "flt", "0", new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
      const g = (await sdkPullLogs(c, emu.project, "flt", 0, cursor)).groups[0];
      assert.deepEqual(g.logs[0], {
        time: 1_700_000_000,
        contents: [
          ["seq", "1"],
          ["n", "2"],
        ],
      });
      assert.deepEqual(g.tags[0], ["env", "dev"]);
      const state = JSON.parse((await rawRequest(emu.url, "GET", "/_emulator/state", {})).body.toString()) as {
        projects: Array<{ project: string; logstores: Array<{ logstore: string; shards: Array<{ groups: number }> }> }>;
      };
      assert.equal(state.projects[0].logstores[0].logstore, "flt");
      assert.equal(state.projects[0].logstores[0].shards[0].groups, 1);
      const missing = await rawRequest(emu.url, "GET", "/_emulator/nothing", {});
      assert.equal(missing.status, 404);
    } finally {
      await emu.close();
    }
  });
});

describe("emulator admin routes", () => {
  const fault = Buffer.from(JSON.stringify({ actions: ["ListShards"], error: { status: 503, code: "ServerBusy" } }));

  it("take JSON bodies only and answer only to a loopback Host: a page on another site cannot reach them", async () => {
    const emu = await start({ port: 0, logstore: "adm", shards: 1, cnames: ["sls.test"] });
    try {
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]) {
        const r = await rawRequest(emu.url, "POST", "/_emulator/faults", type ? { "content-type": type } : {}, fault);
        assert.equal(r.status, 415, `content-type "${type}"`);
        assert.equal(JSON.parse(r.body.toString()).errorCode, "UnsupportedMediaType");
      }
      const logs = await rawRequest(emu.url, "POST", "/_emulator/logs?logstore=adm", { "content-type": "text/plain" }, Buffer.from('{"logs":[{"a":"1"}]}'));
      assert.equal(logs.status, 415);
      // DNS rebinding: a name that resolves to 127.0.0.1 but is not ours.
      const rebound = await rawRequest(emu.url, "GET", "/_emulator/state", { host: `evil.example:${emu.port}` });
      assert.equal(rebound.status, 403);
      assert.equal((await rawRequest(emu.url, "POST", "/_emulator/faults", { host: "evil.example", "content-type": "application/json" }, fault)).status, 403);
      assert.equal((await rawRequest(emu.url, "GET", "/_emulator/health", { host: "sls.test" })).status, 200, "a configured CNAME");
      assert.equal((await rawRequest(emu.url, "GET", "/_emulator/health", { host: `localhost:${emu.port}` })).status, 200);
      assert.deepEqual(emu.faults.list(), [], "no refused request changed anything");
      assert.equal(emu.getLogstore("adm").shard(0).endSeq, 0);
    } finally {
      await emu.close();
    }
  });

  it("with an admin token, every admin request must carry it", async () => {
    const emu = await start({ port: 0, adminToken: "s3cret-token" });
    try {
      assert.equal((await rawRequest(emu.url, "GET", "/_emulator/faults", {})).status, 401);
      assert.equal(
        (await rawRequest(emu.url, "POST", "/_emulator/faults", { "content-type": "application/json", authorization: "Bearer wrong-token!" }, fault)).status,
        401,
      );
      const ok = await rawRequest(emu.url, "POST", "/_emulator/faults", { "content-type": "application/json", authorization: "Bearer s3cret-token" }, fault);
      assert.equal(ok.status, 200);
      assert.equal(emu.faults.list().length, 1);
    } finally {
      await emu.close();
    }
  });

  it("are off on an address other machines can reach unless a token is set", () => {
    const req = { method: "GET", headers: { host: "10.0.0.5:8080" } };
    for (const bound of ["0.0.0.0", "::", "10.0.0.5"]) {
      const e = adminRefusal(req, { bound, cnames: [] });
      assert.equal(e?.status, 403, bound);
      assert.match(e?.message ?? "", /admin token/);
    }
    assert.equal(
      adminRefusal({ method: "GET", headers: { host: "10.0.0.5:8080", authorization: "Bearer tok" } }, { bound: "0.0.0.0", cnames: [], token: "tok" }),
      undefined,
    );
    assert.equal(adminRefusal({ method: "GET", headers: { host: "127.0.0.1:1" } }, { bound: "127.0.0.1", cnames: [] }), undefined);
    assert.equal(adminRefusal({ method: "GET", headers: { host: "[::1]:1" } }, { bound: "::1", cnames: [] }), undefined);
  });
});

describe("emulator persistence", () => {
  // Every emulator a test starts is closed even when an assertion fails first.
  const running: Emulator[] = [];
  const open = async (o: Parameters<typeof start>[0]) => {
    const e = await start(o);
    running.push(e);
    return e;
  };
  afterEach(async () => {
    for (const e of running.splice(0)) await e.close();
  });

  it("keeps logs, shards, groups and checkpoints across a restart, and cuts a torn tail", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sls-emu-"));
    try {
      const first = await open({ port: 0, data: dir, logstore: "keep", shards: 2 });
      const c1 = sdkClient(first);
      for (let i = 0; i < 20; i++)
        await sdkPutLogs(c1, first.project, "keep", { logs: [{ time: 1_700_000_000, contents: [["seq", String(i)]] }], tags: [["t", "v"]] });
      await c1.splitShard(first.project, "keep", "1", new Sls.SplitShardRequest({ shardCount: 2 }));
      for (let i = 20; i < 30; i++) await sdkPutLogs(c1, first.project, "keep", { logs: [{ time: 1_700_000_000, contents: [["seq", String(i)]] }], tags: [] });
      await c1.createConsumerGroup(first.project, "keep", new Sls.CreateConsumerGroupRequest({ consumerGroup: "cg", timeout: 20, order: true }));
      const mid = (await c1.getCursor(first.project, "keep", "0", new Sls.GetCursorRequest({ from: "end" }))).body!.cursor!;
      await c1.consumerGroupUpdateCheckPoint(
        first.project,
        "keep",
        "cg",
        new Sls.ConsumerGroupUpdateCheckPointRequest({ forceSuccess: true, shard: 0, checkpoint: mid }),
      );
      first.createLogstore("gone", { shards: 1 });
      first.putLogs("gone", { logs: [{ time: 1, contents: [] }], tags: [] });
      first.deleteLogstore("gone");
      const shardsBefore = (await c1.listShards(first.project, "keep")).body;
      const pulledBefore = await Promise.all(
        shardsBefore!.map(async (s) => {
          const b = (await c1.getCursor(first.project, "keep", String(s.shardID), new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
          return sdkPullLogs(c1, first.project, "keep", s.shardID!, b);
        }),
      );
      await first.close();
      // A crash in the middle of a write leaves half a record behind.
      const shardDir = join(dir, "shards", first.project, "keep");
      appendFileSync(join(shardDir, readdirSync(shardDir)[0]), Buffer.from([50, 0, 0, 0, 1, 2]));

      const second = await open({ port: 0, data: dir });
      try {
        const c2 = sdkClient(second);
        assert.deepEqual((await c2.listShards(second.project, "keep")).body, shardsBefore);
        for (const [i, s] of shardsBefore!.entries()) {
          const b = (await c2.getCursor(second.project, "keep", String(s.shardID), new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
          const r = await sdkPullLogs(c2, second.project, "keep", s.shardID!, b);
          assert.deepEqual(r.groups, pulledBefore[i].groups);
          assert.equal(r.headers["x-log-cursor"], pulledBefore[i].headers["x-log-cursor"]);
        }
        const groups = (await c2.listConsumerGroup(second.project, "keep")).body;
        assert.deepEqual(
          groups?.map((g) => [g.name, g.timeout, g.order]),
          [["cg", 20, true]],
        );
        const cp = (await c2.getCheckPoint(second.project, "keep", "cg", new Sls.GetCheckPointRequest({ shard: 0 }))).body;
        assert.equal(cp?.[0].checkpoint, mid);
        await assert.rejects(c2.getLogStore(second.project, "gone"), /LogStoreNotExist/);
        // Writing after the restart continues the same sequence.
        await sdkPutLogs(c2, second.project, "keep", { logs: [{ time: 1, contents: [["seq", "30"]] }], tags: [] }, { hashKey: "0".repeat(32) });
        const after0 = await sdkPullLogs(c2, second.project, "keep", 0, mid);
        assert.deepEqual(
          after0.groups.map((g) => g.logs[0].contents[0][1]),
          ["30"],
        );
      } finally {
        await second.close();
      }
      const third = await open({ port: 0, data: dir });
      try {
        const s0 = third.getLogstore("keep").shard(0);
        assert.equal(s0.at(s0.endSeq - 1).bytes.length > 0, true);
        assert.equal(third.checkpoints("keep", "cg")[0].checkpoint, mid);
      } finally {
        await third.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps data files proportional to the retained data under a size cap", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sls-emu-"));
    try {
      const first = await open({ port: 0, data: dir, logstore: "cap", shards: 1, maxShardBytes: 100_000 });
      for (let i = 0; i < 5000; i++)
        first.putLogs("cap", {
          logs: [
            {
              time: 1,
              contents: [
                ["seq", String(i)],
                ["pad", "p".repeat(80)],
              ],
            },
          ],
          tags: [],
        });
      const s = first.getLogstore("cap").shard(0);
      const [begin, end] = [s.firstSeq, s.endSeq];
      assert.equal(end, 5000);
      assert.ok(s.bytes <= 100_000 && begin > 3000);
      const file = join(dir, "shards", first.project, "cap", "0.log");
      assert.ok(statSync(file).size < 3 * 100_000, `file is ${statSync(file).size} bytes`);
      await first.close();
      const second = await open({ port: 0, data: dir, maxShardBytes: 100_000 });
      try {
        const s2 = second.getLogstore("cap").shard(0);
        assert.deepEqual([s2.firstSeq, s2.endSeq], [begin, end]);
        assert.equal(s2.cursor(begin), s.cursor(begin));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("applies the TTL and the size cap", async () => {
    let now = 1_800_000_000_000;
    const emu = await open({ port: 0, now: () => now, maxShardBytes: 2000 });
    try {
      emu.createLogstore("ttl", { shards: 1, ttl: 1 });
      const ls = emu.getLogstore("ttl");
      for (let i = 0; i < 10; i++) emu.putLogs("ttl", { logs: [{ time: 1, contents: [["k", "x".repeat(400)]] }], tags: [] });
      const s = ls.shard(0);
      assert.ok(s.bytes <= 2000, "size cap");
      assert.equal(s.endSeq, 10);
      assert.ok(s.firstSeq > 0 && s.firstSeq < 10);
      const c = sdkClient(emu);
      // The cursor of a trimmed group is now out of range.
      await assert.rejects(sdkPullLogs(c, emu.project, "ttl", 0, s.cursor(0)), /InvalidCursor/);
      const [a, b] = emu.split("ttl", 0);
      emu.putLogs("ttl", { logs: [{ time: 1, contents: [["k", "v"]] }], tags: [] }, { shard: a });
      now += 86400 * 1000 + 1000;
      assert.equal(ls.shard(a).groupCount, 0, "TTL expired everything");
      assert.equal(ls.shard(a).firstSeq, 1);
      // The readonly parent is listed until its data expired, then it is gone.
      assert.deepEqual(
        emu.listShards("ttl").map((x) => [x.shardID, x.status]),
        [
          [a, "readwrite"],
          [b, "readwrite"],
        ],
      );
      await assert.rejects(sdkPullLogs(c, emu.project, "ttl", 0, s.cursor(10)), /ShardNotExist/);
    } finally {
      await emu.close();
    }
  });
});

// Conformance of the emulator's HTTP API through the official TypeScript SDK (@alicloud/sls20201230):
// typed calls where the SDK is correct, execute() for PullLogs/PutLogs (docs/sls-protocol.md, "The SDK").

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as Sls from "@alicloud/sls20201230";
import { start, Emulator } from "../../../emulator/index";
import { localProjectHosts, sdkClient, sdkProjectClient, sdkPullLogs, sdkPutLogs } from "../../support/sls-sdk";

type SdkError = { code?: string; data?: { httpCode?: number; requestId?: string } };

async function rejectsWith(p: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(p, (e: SdkError) => {
    assert.equal(e.code, code);
    assert.equal(e.data?.httpCode, status);
    assert.match(e.data?.requestId ?? "", /^[0-9A-F]{24}$/);
    return true;
  });
}

const group = (n: number, extra: Array<[string, string]> = []) => ({
  logs: [{ time: 1_700_000_000 + n, contents: [["seq", String(n)], ...extra] as Array<[string, string]> }],
  topic: "topic-a",
  source: "10.0.0.1",
  tags: [["host", "web-1"]] as Array<[string, string]>,
});

describe("emulator via @alicloud/sls20201230", () => {
  let emu: Emulator;
  let c: Sls.default;
  let p: string;
  before(async () => {
    emu = await start({ port: 0, logstore: "app", shards: 2 });
    c = sdkClient(emu);
    p = emu.project;
  });
  after(() => emu.close());

  it("creates, gets, lists, updates and deletes logstores", async () => {
    await c.createLogStore(p, new Sls.CreateLogStoreRequest({ logstoreName: "crud", ttl: 7, shardCount: 4, appendMeta: true }));
    await rejectsWith(c.createLogStore(p, new Sls.CreateLogStoreRequest({ logstoreName: "crud", ttl: 7, shardCount: 1 })), "LogStoreAlreadyExist", 400);
    const got = await c.getLogStore(p, "crud");
    assert.equal(got.body?.logstoreName, "crud");
    assert.equal(got.body?.ttl, 7);
    assert.equal(got.body?.shardCount, 4);
    assert.equal(got.body?.appendMeta, true);
    await c.updateLogStore(p, "crud", new Sls.UpdateLogStoreRequest({ logstoreName: "crud", ttl: 9, shardCount: 4 }));
    assert.equal((await c.getLogStore(p, "crud")).body?.ttl, 9);
    const list = await c.listLogStores(p, new Sls.ListLogStoresRequest({ logstoreName: "cr" }));
    assert.deepEqual(list.body?.logstores, ["crud"]);
    assert.equal(list.body?.total, 1);
    await c.deleteLogStore(p, "crud");
    await rejectsWith(c.getLogStore(p, "crud"), "LogStoreNotExist", 404);
    await rejectsWith(c.deleteLogStore(p, "crud"), "LogStoreNotExist", 404);
  });

  it("lists shards over the whole MD5 key space", async () => {
    const r = await c.listShards(p, "app");
    assert.deepEqual(
      r.body?.map((s) => [s.shardID, s.status, s.inclusiveBeginKey, s.exclusiveEndKey]),
      [
        [0, "readwrite", "0".repeat(32), "8" + "0".repeat(31)],
        [1, "readwrite", "8" + "0".repeat(31), "f".repeat(32)],
      ],
    );
  });

  it("splits and merges shards as SLS does", async () => {
    await c.createLogStore(p, new Sls.CreateLogStoreRequest({ logstoreName: "sm", ttl: 1, shardCount: 1 }));
    const split = await c.splitShard(p, "sm", "0", new Sls.SplitShardRequest({ key: "4" + "0".repeat(31) }));
    assert.deepEqual(
      split.body?.map((s) => [s.shardID, s.status, s.inclusiveBeginKey, s.exclusiveEndKey]),
      [
        [0, "readonly", "0".repeat(32), "f".repeat(32)],
        [1, "readwrite", "0".repeat(32), "4" + "0".repeat(31)],
        [2, "readwrite", "4" + "0".repeat(31), "f".repeat(32)],
      ],
    );
    await rejectsWith(c.splitShard(p, "sm", "0", new Sls.SplitShardRequest({ key: "2" + "0".repeat(31) })), "ParameterInvalid", 400);
    await rejectsWith(c.splitShard(p, "sm", "1", new Sls.SplitShardRequest({ key: "5" + "0".repeat(31) })), "ParameterInvalid", 400);
    await rejectsWith(c.splitShard(p, "sm", "9", new Sls.SplitShardRequest({ key: "5" + "0".repeat(31) })), "ShardNotExist", 400);
    const three = await c.splitShard(p, "sm", "2", new Sls.SplitShardRequest({ shardCount: 3 }));
    assert.deepEqual(
      three.body?.map((s) => s.shardID),
      [2, 3, 4, 5],
    );
    const merged = await c.mergeShard(p, "sm", "1");
    assert.deepEqual(
      merged.body?.map((s) => [s.shardID, s.status]),
      [
        [6, "readwrite"],
        [1, "readonly"],
        [3, "readonly"],
      ],
    );
    assert.equal(merged.body?.[0].inclusiveBeginKey, "0".repeat(32));
    assert.equal(merged.body?.[0].exclusiveEndKey, three.body?.[1].exclusiveEndKey);
    await rejectsWith(c.mergeShard(p, "sm", "5"), "ParameterInvalid", 400); // rightmost: no neighbour
  });

  it("writes with PutLogs (lz4 by the gateway, lb and hash routing) and reads back with PullLogs", async () => {
    await c.createLogStore(p, new Sls.CreateLogStoreRequest({ logstoreName: "rw", ttl: 1, shardCount: 2 }));
    await sdkPutLogs(c, p, "rw", group(1), { hashKey: "0".repeat(32) });
    await sdkPutLogs(c, p, "rw", group(2), { hashKey: "9" + "0".repeat(31) });
    await sdkPutLogs(c, p, "rw", group(3), { hashKey: "f".repeat(32) });
    await sdkPutLogs(c, p, "rw", group(4));
    const begin0 = (await c.getCursor(p, "rw", "0", new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
    const r0 = await sdkPullLogs(c, p, "rw", 0, begin0);
    const r1 = await sdkPullLogs(c, p, "rw", 1, (await c.getCursor(p, "rw", "1", new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!);
    const seqs = (r: typeof r0) => r.groups.map((g) => g.logs[0].contents[0][1]);
    assert.deepEqual(seqs(r0).slice(0, 1), ["1"]);
    assert.deepEqual(seqs(r1).slice(0, 2), ["2", "3"]);
    assert.deepEqual([...seqs(r0), ...seqs(r1)].sort(), ["1", "2", "3", "4"]);
    const g = r0.groups[0];
    assert.equal(g.topic, "topic-a");
    assert.equal(g.source, "10.0.0.1");
    assert.equal(g.logs[0].time, 1_700_000_001);
    assert.deepEqual(g.tags[0], ["host", "web-1"]);
    assert.equal(g.tags[1][0], "__receive_time__");
    assert.ok(Math.abs(Number(g.tags[1][1]) - Date.now() / 1000) < 5);
    assert.equal(r0.headers["x-log-count"], String(r0.groups.length));
    assert.equal(r0.headers["x-log-compresstype"], "lz4");
    assert.equal(r0.headers["x-log-end-of-cursor"], "1");
    assert.equal(Number(r0.headers["x-log-bodyrawsize"]), r0.body.length);
    const end0 = (await c.getCursor(p, "rw", "0", new Sls.GetCursorRequest({ from: "end" }))).body!.cursor!;
    assert.equal(r0.headers["x-log-cursor"], end0);
    assert.equal(BigInt(r0.headers["x-log-read-last-cursor"]), BigInt(Buffer.from(end0, "base64").toString()) - 1n);
    // appendMeta adds the client address as a tag.
    await c.createLogStore(p, new Sls.CreateLogStoreRequest({ logstoreName: "meta", ttl: 1, shardCount: 1, appendMeta: true }));
    await sdkPutLogs(c, p, "meta", group(9));
    const m = await sdkPullLogs(c, p, "meta", 0, (await c.getCursor(p, "meta", "0", new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!);
    assert.deepEqual(
      m.groups[0].tags.map(([k]) => k),
      ["host", "__receive_time__", "__client_ip__"],
    );
    assert.equal(m.groups[0].tags[2][1], "127.0.0.1");
    await rejectsWith(sdkPutLogs(c, p, "rw", group(5), { hashKey: "xyz" }), "ParameterInvalid", 400);
    await rejectsWith(sdkPutLogs(c, p, "nope", group(5)), "LogStoreNotExist", 404);
    await rejectsWith(sdkPutLogs(c, p, "rw", Buffer.from([0x0a, 0x05, 0x01])), "PostBodyInvalid", 400);
  });

  it("pages PullLogs by count and end_cursor, answers lz4/deflate/none and type=logs", async () => {
    await c.createLogStore(p, new Sls.CreateLogStoreRequest({ logstoreName: "page", ttl: 1, shardCount: 1 }));
    for (let i = 0; i < 10; i++) await sdkPutLogs(c, p, "page", group(i, [["msg", "x".repeat(200)]]));
    const begin = (await c.getCursor(p, "page", "0", new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
    const a = await sdkPullLogs(c, p, "page", 0, begin, { count: 4 });
    assert.equal(a.groups.length, 4);
    assert.equal(a.headers["x-log-end-of-cursor"], "0");
    const b = await sdkPullLogs(c, p, "page", 0, a.headers["x-log-cursor"], { count: 100, endCursor: a.headers["x-log-cursor"] });
    assert.equal(b.groups.length, 0);
    assert.equal(b.headers["x-log-count"], "0");
    assert.equal(b.headers["x-log-bodyrawsize"], "0");
    assert.equal(b.headers["x-log-cursor"], a.headers["x-log-cursor"]);
    for (const [enc, expect] of [
      ["deflate", "deflate"],
      ["", undefined],
      ["lz4", "lz4"],
    ] as const) {
      const r = await sdkPullLogs(c, p, "page", 0, a.headers["x-log-cursor"], { acceptEncoding: enc, type: "logs" });
      assert.equal(r.headers["x-log-compresstype"], expect);
      assert.deepEqual(
        r.groups.map((g) => g.logs[0].contents[0][1]),
        ["4", "5", "6", "7", "8", "9"],
      );
      assert.equal(r.headers["x-log-end-of-cursor"], "1");
    }
    await rejectsWith(sdkPullLogs(c, p, "page", 0, begin, { count: 0 }), "ParameterInvalid", 400);
    await rejectsWith(sdkPullLogs(c, p, "page", 0, begin, { count: 1001 }), "ParameterInvalid", 400);
    await rejectsWith(sdkPullLogs(c, p, "page", 0, "not a cursor"), "ParameterInvalid", 400);
    await rejectsWith(sdkPullLogs(c, p, "page", 0, Buffer.from("99").toString("base64")), "InvalidCursor", 400);
    await rejectsWith(sdkPullLogs(c, p, "page", 7, begin), "ShardNotExist", 400);
  });

  it("serves GetCursor by begin/end/time and GetCursorTime", async () => {
    await c.createLogStore(p, new Sls.CreateLogStoreRequest({ logstoreName: "cur", ttl: 1, shardCount: 1 }));
    const empty = (await c.getCursor(p, "cur", "0", new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
    assert.equal((await c.getCursor(p, "cur", "0", new Sls.GetCursorRequest({ from: "end" }))).body!.cursor, empty);
    const t = Number((await c.getCursorTime(p, "cur", "0", new Sls.GetCursorTimeRequest({ cursor: empty }))).body!.cursorTime);
    assert.ok(Math.abs(t - Date.now() / 1000) < 5);
    await sdkPutLogs(c, p, "cur", group(1));
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await c.getCursor(p, "cur", "0", new Sls.GetCursorRequest({ from: String(now - 100) }))).body!.cursor, empty);
    const end = (await c.getCursor(p, "cur", "0", new Sls.GetCursorRequest({ from: "end" }))).body!.cursor!;
    assert.notEqual(end, empty);
    assert.equal((await c.getCursor(p, "cur", "0", new Sls.GetCursorRequest({ from: String(now + 100) }))).body!.cursor, end);
    const ct = await c.getCursorTime(p, "cur", "0", new Sls.GetCursorTimeRequest({ cursor: empty }));
    assert.ok(Math.abs(Number(ct.body!.cursorTime) - now) <= 1);
    await rejectsWith(c.getCursor(p, "cur", "0", new Sls.GetCursorRequest({ from: "yesterday" })), "ParameterInvalid", 400);
    await rejectsWith(c.getCursorTime(p, "cur", "0", new Sls.GetCursorTimeRequest({ cursor: "%%%" })), "ParameterInvalid", 400);
    const beyond = Buffer.from(String(BigInt(Buffer.from(end, "base64").toString()) + 5n)).toString("base64");
    await rejectsWith(c.getCursorTime(p, "cur", "0", new Sls.GetCursorTimeRequest({ cursor: beyond })), "InvalidCursor", 400);
    await rejectsWith(c.getCursor(p, "cur", "3", new Sls.GetCursorRequest({ from: "begin" })), "ShardNotExist", 400);
  });

  it("manages consumer groups, heartbeats and checkpoints", async () => {
    const req = (consumer: string, body: number[]) => new Sls.ConsumerGroupHeartBeatRequest({ consumer, body });
    await c.createConsumerGroup(p, "app", new Sls.CreateConsumerGroupRequest({ consumerGroup: "g1", timeout: 30, order: false }));
    await rejectsWith(
      c.createConsumerGroup(p, "app", new Sls.CreateConsumerGroupRequest({ consumerGroup: "g1", timeout: 30, order: false })),
      "ConsumerGroupAlreadyExist",
      400,
    );
    await c.updateConsumerGroup(p, "app", "g1", new Sls.UpdateConsumerGroupRequest({ timeout: 45, order: true }));
    const list = await c.listConsumerGroup(p, "app");
    assert.deepEqual(
      list.body?.map((g) => [g.name, g.timeout, g.order]),
      [["g1", 45, true]],
    );

    assert.deepEqual((await c.consumerGroupHeartBeat(p, "app", "g1", req("a", []))).body, [0, 1]);
    assert.deepEqual((await c.consumerGroupHeartBeat(p, "app", "g1", req("b", []))).body, []); // a still holds both
    assert.deepEqual((await c.consumerGroupHeartBeat(p, "app", "g1", req("a", [0, 1]))).body, [0]); // 1 moves to b
    assert.deepEqual((await c.consumerGroupHeartBeat(p, "app", "g1", req("b", []))).body, []); // a still drains 1
    assert.deepEqual((await c.consumerGroupHeartBeat(p, "app", "g1", req("a", [0]))).body, [0]);
    assert.deepEqual((await c.consumerGroupHeartBeat(p, "app", "g1", req("b", []))).body, [1]);
    await rejectsWith(c.consumerGroupHeartBeat(p, "app", "g1", req("ghost", [1])), "NotExistConsumerWithBody", 400);
    await rejectsWith(c.consumerGroupHeartBeat(p, "app", "nope", req("a", [])), "ConsumerGroupNotExist", 404);

    const empty = await c.getCheckPoint(p, "app", "g1", new Sls.GetCheckPointRequest({ shard: 0 }));
    assert.deepEqual(
      empty.body?.map((x) => [x.shard, x.checkpoint]),
      [[0, ""]],
    );
    const all = await c.getCheckPoint(p, "app", "g1", new Sls.GetCheckPointRequest({}));
    assert.deepEqual(
      all.body?.map((x) => x.shard),
      [0, 1],
    );
    assert.deepEqual((await c.getCheckPoint(p, "app", "g1", new Sls.GetCheckPointRequest({ shard: 42 }))).body, []);

    const cursor = (await c.getCursor(p, "app", "0", new Sls.GetCursorRequest({ from: "end" }))).body!.cursor!;
    const commit = (consumer: string, shard: number, forceSuccess: boolean, checkpoint = cursor) =>
      c.consumerGroupUpdateCheckPoint(p, "app", "g1", new Sls.ConsumerGroupUpdateCheckPointRequest({ consumer, forceSuccess, shard, checkpoint }));
    await commit("a", 0, false);
    await rejectsWith(commit("b", 0, false), "ConsumerNotMatch", 400);
    await rejectsWith(commit("nobody", 0, false), "ConsumerNotExsit", 400);
    await rejectsWith(commit("a", 0, false, "garbage!"), "ParameterInvalid", 400);
    await commit("b", 0, true); // forceSuccess writes unconditionally
    const cp = await c.getCheckPoint(p, "app", "g1", new Sls.GetCheckPointRequest({ shard: 0 }));
    assert.equal(cp.body?.[0].checkpoint, cursor);
    assert.equal(cp.body?.[0].consumer, "b");
    assert.ok(Math.abs(Number(cp.body?.[0].updateTime) / 1e6 - Date.now() / 1000) < 5, "updateTime in microseconds");

    await c.deleteConsumerGroup(p, "app", "g1");
    await rejectsWith(c.getCheckPoint(p, "app", "g1", new Sls.GetCheckPointRequest({})), "ConsumerGroupNotExist", 404);
    await rejectsWith(c.deleteConsumerGroup(p, "app", "g1"), "ConsumerGroupNotExist", 404);
  });

  it("speaks V4 signatures and STS tokens", async () => {
    const sts = await start({
      port: 0,
      logstore: "v4",
      accounts: [{ accessKeyId: "sts-id", accessKeySecret: "sts-secret", securityToken: "token-1" }],
    });
    try {
      for (const v4 of [false, true]) {
        const good = sdkClient({ endpoint: sts.endpoint, accessKeyId: "sts-id", accessKeySecret: "sts-secret", securityToken: "token-1", v4 });
        assert.equal((await good.listShards(sts.project, "v4")).body?.length, 2);
        await sdkPutLogs(good, sts.project, "v4", group(1));
        // Query values outside RFC 3986's unreserved set: TS encodes them its own way (docs/sls-protocol.md, "V4").
        await good.createConsumerGroup(sts.project, "v4", new Sls.CreateConsumerGroupRequest({ consumerGroup: `odd-${v4}`, timeout: 10, order: false }));
        const hb = await good.consumerGroupHeartBeat(
          sts.project,
          "v4",
          `odd-${v4}`,
          new Sls.ConsumerGroupHeartBeatRequest({ consumer: "c 1*(x)!*~'", body: [] }),
        );
        assert.deepEqual(hb.body, [0, 1]);
        const noToken = sdkClient({ endpoint: sts.endpoint, accessKeyId: "sts-id", accessKeySecret: "sts-secret", v4 });
        await rejectsWith(noToken.listShards(sts.project, "v4"), "Unauthorized", 401);
        const badToken = sdkClient({ endpoint: sts.endpoint, accessKeyId: "sts-id", accessKeySecret: "sts-secret", securityToken: "x", v4 });
        await rejectsWith(badToken.listShards(sts.project, "v4"), "Unauthorized", 401);
        const wrong = sdkClient({ endpoint: sts.endpoint, accessKeyId: "sts-id", accessKeySecret: "nope", securityToken: "token-1", v4 });
        await rejectsWith(wrong.listShards(sts.project, "v4"), "SignatureNotMatch", 401);
        const unknown = sdkClient({ endpoint: sts.endpoint, accessKeyId: "who", accessKeySecret: "sts-secret", securityToken: "token-1", v4 });
        await rejectsWith(unknown.listShards(sts.project, "v4"), "Unauthorized", 401);
      }
    } finally {
      await sts.close();
    }
  });

  it("creates, gets, lists and deletes projects", async () => {
    const undo = localProjectHosts();
    try {
      await c.createProject(new Sls.CreateProjectRequest({ projectName: "proj-x", description: "d" }));
      await rejectsWith(c.createProject(new Sls.CreateProjectRequest({ projectName: "proj-x", description: "d" })), "ProjectAlreadyExist", 400);
      const stock = sdkProjectClient(emu);
      const got = await stock.getProject("proj-x");
      assert.equal(got.body?.projectName, "proj-x");
      assert.equal(got.body?.description, "d");
      const list = await c.listProject(new Sls.ListProjectRequest({ offset: 0, size: 100, projectName: "proj" }));
      assert.deepEqual(
        list.body?.projects?.map((x) => x.projectName),
        ["proj-x"],
      );
      await stock.deleteProject("proj-x", new Sls.DeleteProjectRequest({}));
      await rejectsWith(stock.getProject("proj-x"), "ProjectNotExist", 404);
      // The CNAME-style Host addresses the default project.
      assert.equal((await c.getProject(p)).body?.projectName, p);
    } finally {
      undo();
    }
  });

  it("reports consumer-group and checkpoint parameter errors", async () => {
    await rejectsWith(c.updateConsumerGroup(p, "app", "none", new Sls.UpdateConsumerGroupRequest({ timeout: 5 })), "ConsumerGroupNotExist", 404);
    await rejectsWith(
      c.createConsumerGroup(p, "app", new Sls.CreateConsumerGroupRequest({ consumerGroup: "g2", timeout: 0, order: false })),
      "ParameterInvalid",
      400,
    );
    await c.createConsumerGroup(p, "app", new Sls.CreateConsumerGroupRequest({ consumerGroup: "g2", timeout: 10, order: false }));
    const cursor = (await c.getCursor(p, "app", "0", new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
    const commit = (o: { consumer?: string; forceSuccess: boolean; shard: number }) =>
      c.consumerGroupUpdateCheckPoint(p, "app", "g2", new Sls.ConsumerGroupUpdateCheckPointRequest({ ...o, checkpoint: cursor }));
    await rejectsWith(commit({ forceSuccess: true, shard: 9 }), "ShardNotExist", 400);
    await rejectsWith(commit({ forceSuccess: false, shard: 0 }), "ParameterInvalid", 400);
    await commit({ forceSuccess: true, shard: 1 }); // no consumer needed with forceSuccess
    await rejectsWith(c.consumerGroupHeartBeat(p, "app", "g2", new Sls.ConsumerGroupHeartBeatRequest({ body: [] })), "ParameterInvalid", 400);
    await rejectsWith(c.updateLogStore(p, "none", new Sls.UpdateLogStoreRequest({ logstoreName: "none", ttl: 1, shardCount: 1 })), "LogStoreNotExist", 404);
    await c.deleteConsumerGroup(p, "app", "g2");
  });

  it("selects the project from Host and reports ProjectNotExist", async () => {
    const undo = localProjectHosts();
    try {
      emu.createProject("second");
      emu.createLogstore("only-here", { project: "second", shards: 3 });
      const stock = sdkProjectClient(emu);
      assert.equal((await stock.listShards("second", "only-here")).body?.length, 3);
      await rejectsWith(stock.listShards(p, "only-here"), "LogStoreNotExist", 404);
      await rejectsWith(stock.listShards("missing", "only-here"), "ProjectNotExist", 404);
    } finally {
      undo();
    }
  });
});

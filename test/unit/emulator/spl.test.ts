// The emulator's SPL subset: what a consumer's query may say, what it does to logs, and how a bad
// statement is refused (400 ParameterInvalid with the place), directly and through PullLogs.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SplProgram, applySpl, type SplRow } from "../../../emulator/spl";
import { start, type Emulator } from "../../../emulator/index";
import { encodeLogGroup, decodeLogGroup } from "../../../lib/sls/log-group-codec";
import { SlsClient } from "../../../lib/sls/client";
import { SlsError } from "../../../lib/sls/errors";

const row = (o: Record<string, string>): SplRow => new Map(Object.entries(o));

function run(q: string, o: Record<string, string>): Record<string, unknown> | null | "failed" {
  const r = SplProgram.compile(q).run(row(o));
  if (r.failed) return "failed";
  return r.row ? Object.fromEntries(r.row) : null;
}

function refused(q: string, message: RegExp): void {
  assert.throws(
    () => SplProgram.compile(q),
    (e: { status?: number; code?: string; message?: string }) => {
      assert.equal(e.status, 400, q);
      assert.equal(e.code, "ParameterInvalid", q);
      assert.match(e.message ?? "", message, q);
      return true;
    },
  );
}

describe("SPL statements", () => {
  it("where: comparisons, and/or/not, like, regexp_like, in, between, is null, casts", () => {
    const log = { status: "503", method: "GET", path: "/api/v1/users", ms: "12.5", ua: "curl/8.1" };
    const keep = (q: string) => run(`* | where ${q}`, log) !== null;
    assert.ok(keep("status = '503'"));
    assert.ok(!keep("status <> '503'"));
    assert.ok(keep("cast(status as bigint) >= 500 and cast(status as bigint) < 600"));
    assert.ok(keep("cast(status as bigint) > 500 or method = 'POST'"));
    assert.ok(!keep("not (method = 'GET')"));
    assert.ok(keep("path like '/api/%'") && !keep("path like '/API/%'") && keep("path not like '%.html'"));
    assert.ok(keep("path like '/api/v_/%'"));
    assert.ok(keep("regexp_like(ua, '^curl/\\d+')") && !keep("regexp_like(ua, '^wget')"));
    assert.ok(keep("method in ('GET', 'HEAD')") && !keep("method not in ('GET')"));
    assert.ok(keep("cast(ms as double) between 10 and 20"));
    assert.ok(keep("missing is null") && !keep("missing = 'x'") && !keep("not (missing = 'x')"), "a missing field is null: neither true nor false");
    assert.ok(keep("try_cast(method as bigint) is null"));
    assert.ok(keep("cast(status as bigint) / 100 = 5"), "bigint division truncates");
    assert.ok(keep("cast(ms as double) * 2 = 25.0"));
    assert.ok(keep("lower(method) || ':' || path = 'get:/api/v1/users'"));
    assert.ok(keep("WHERE_IS_NOT_A_KEYWORD is null"), "bare names are fields");
    assert.ok(keep(`"status" = '503'`), "double quotes name a field");
  });

  it("a log whose evaluation fails is left out and counted, try_cast gives null instead", () => {
    assert.equal(run("* | where cast(status as bigint) > 1", { status: "oops" }), "failed");
    assert.equal(run("* | where try_cast(status as bigint) > 1", { status: "oops" }), null);
    assert.equal(run("* | where cast(a as bigint) / cast(b as bigint) > 1", { a: "1", b: "0" }), "failed");
    assert.equal(run("* | extend n = cast(x as tinyint)", { x: "300" }), "failed");
  });

  it("extend, project, project-away, project-rename; metadata fields stay readable and unchanged", () => {
    const log = { __time__: "1700000000", "__tag__:host": "web-1", status: "200", bytes: "1024", path: "/" };
    assert.deepEqual(run("* | extend kb = cast(bytes as bigint) / 1024, ok = status = '200'", log), { ...log, kb: 1, ok: true });
    assert.deepEqual(run("* | project status, p = path", log), { __time__: "1700000000", "__tag__:host": "web-1", status: "200", p: "/" });
    assert.deepEqual(run("* | project-away bytes, path", log), { __time__: "1700000000", "__tag__:host": "web-1", status: "200" });
    assert.deepEqual(run('* | project-away -wildcard "p*", "b*"', log), { __time__: "1700000000", "__tag__:host": "web-1", status: "200" });
    assert.deepEqual(run('* | project -wildcard "st*"', log), { __time__: "1700000000", "__tag__:host": "web-1", status: "200" });
    assert.deepEqual(run("* | project-rename code = status | where code = '200' | project code", log), {
      __time__: "1700000000",
      "__tag__:host": "web-1",
      code: "200",
    });
    assert.deepEqual(run(`* | where "__tag__:host" = 'web-1' | project host = "__tag__:host"`, log), {
      __time__: "1700000000",
      "__tag__:host": "web-1",
      host: "web-1",
    });
    assert.deepEqual(run("* | extend n = cast(status as bigint) | extend m = n + 1 | where m = 201 | project m", log), {
      __time__: "1700000000",
      "__tag__:host": "web-1",
      m: 201,
    });
    assert.equal(run("-- a comment\n* /* the logstore */ | where status = '200';", log) !== null, true);
  });

  it("bad statements are refused with SLS's code and the place", () => {
    refused("where status = '200'", /line 1:1: mismatched input 'where'\. Expecting: '\*'/);
    refused("* | where status = 200", /line 1:18: '=' cannot be applied to varchar, bigint/);
    refused("* | where status", /WHERE clause must evaluate to a boolean: actual type varchar/);
    refused("* | where cast(status as bigint) + 'x' > 1", /'\+' cannot be applied to bigint, varchar/);
    refused("* | where nosuch(status)", /Function nosuch not registered/);
    refused("* | where regexp_like(status)", /Unexpected parameters \(varchar\) for function regexp_like/);
    refused("* | where regexp_like(status, '(a)\\1')", /back-references are not supported \(RE2\)/);
    refused("* | where regexp_like(status, '(?=x)')", /look-around/);
    refused("* | where status = 'x", /unterminated string literal/);
    refused("* | filter status = 'x'", /unknown SPL instruction 'filter'/);
    refused("* | where (status = 'x'", /mismatched input '<EOF>'\. Expecting: '\)'/);
    refused("* | extend a = 1, a = 2", /assigned twice/);
    refused("* | extend __time__ = '1'", /read-only/);
    refused("* | where cast(x as text) = 'a'", /unknown type 'text'/);
    refused("*" + " | where a = 'b'".repeat(17), /more than 16 pipeline levels/);
    refused("* | where a = 'b'\n  and b = 2", /line 2:9: '=' cannot be applied to varchar, bigint/);
  });

  it("applySpl keeps a group's time, topic, source and tags, and drops groups left empty", () => {
    const stored = encodeLogGroup({
      topic: "t",
      source: "10.0.0.1",
      tags: [["__receive_time__", "1700000000"]],
      logs: [
        {
          time: 1,
          timeNs: 5,
          contents: [
            ["lvl", "ERROR"],
            ["msg", "a"],
          ],
        },
        {
          time: 2,
          contents: [
            ["lvl", "INFO"],
            ["msg", "b"],
          ],
        },
        {
          time: 3,
          contents: [
            ["lvl", "ERROR"],
            ["msg", "c"],
            ["n", "x"],
          ],
        },
      ],
    });
    const r = applySpl(SplProgram.compile("* | where lvl = 'ERROR' | extend n2 = try_cast(n as bigint) | project-away lvl"), stored);
    assert.deepEqual([r.logsIn, r.logsOut, r.failed], [3, 2, 0]);
    const g = decodeLogGroup(r.bytes!);
    assert.equal(g.topic, "t");
    assert.equal(g.source, "10.0.0.1");
    assert.deepEqual(g.tags, [["__receive_time__", "1700000000"]]);
    assert.deepEqual(
      g.logs.map((l) => [l.time, l.timeNs, l.contents]),
      [
        [1, 5, [["msg", "a"]]],
        [
          3,
          undefined,
          [
            ["msg", "c"],
            ["n", "x"],
          ],
        ],
      ],
    );
    assert.equal(applySpl(SplProgram.compile("* | where lvl = 'DEBUG'"), stored).bytes, undefined);
  });
});

describe("PullLogs with query", () => {
  let emu: Emulator;
  let client: SlsClient;
  before(async () => {
    emu = await start({ port: 0, logstore: "app", shards: 1 });
    client = new SlsClient({ endpoint: emu.url, credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret } });
    for (let i = 0; i < 10; i++) {
      emu.putLogs(
        "app",
        { tags: [], logs: [0, 1, 2].map((j) => ({ time: 1_700_000_000, contents: [["n", String(i * 3 + j)]] as Array<[string, string]> })) },
        { shard: 0 },
      );
    }
  });
  after(async () => {
    client.close();
    await emu.close();
  });

  it("returns the filtered groups, moves the cursor past everything scanned", async () => {
    const begin = await client.getCursor(emu.project, "app", 0, "begin");
    const r = await client.pullLogs(emu.project, "app", 0, begin, { count: 6, query: "* | where cast(n as bigint) % 9 = 0" });
    // Groups 0..5 hold n 0..17: n = 0, 9 in groups 0 and 3.
    assert.equal(r.count, 2);
    assert.equal(r.nextCursor, emu.getLogstore("app").shard(0).cursor(6));
    assert.equal(r.scanned?.groups, 6, "x-log-rawdatacount: groups read before the statement");
    assert.ok((r.scanned?.bytes ?? 0) > r.rawSize, "x-log-rawdatasize: bytes read before the statement");
    assert.equal(r.failedLogs, undefined);
    const failing = await client.pullLogs(emu.project, "app", 0, begin, { count: 2, query: "* | where n = '4' or cast(n || 'x' as bigint) > 0" });
    assert.equal(failing.failedLogs, 5, "x-log-failedlines: logs the statement could not evaluate");
    assert.equal(failing.count, 1, "n = 4 passes: OR stops at its first true operand");
    const none = await client.pullLogs(emu.project, "app", 0, r.nextCursor, { count: 4, query: "* | where n = 'nothing'" });
    assert.equal(none.count, 0);
    assert.equal(none.nextCursor, emu.getLogstore("app").shard(0).cursor(10), "nothing returned, the cursor moves");
    assert.equal(none.endOfCursor, true);
  });

  it("a bad statement is answered 400 ParameterInvalid, before any data", async () => {
    const begin = await client.getCursor(emu.project, "app", 0, "begin");
    await assert.rejects(client.pullLogs(emu.project, "app", 0, begin, { query: "* | where n > 5" }), (e: SlsError) => {
      assert.equal(e.code, "ParameterInvalid");
      assert.equal(e.status, 400);
      assert.match(e.message, /'>' cannot be applied to varchar, bigint/);
      return true;
    });
  });
});

// The log generator (realistic shapes, gap-free `seq`) and the CLI (prints endpoint and keys,
// generates, takes faults, stops on SIGTERM).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import * as path from "node:path";
import { createInterface } from "node:readline";
import * as Sls from "@alicloud/sls20201230";
import { GENERATOR_KINDS, LogGenerator, start } from "../../../emulator/index";
import { sdkClient, sdkPullLogs } from "../../support/sls-sdk";
import { decodeLogGroup } from "../../../lib/sls/log-group-codec";

describe("emulator log generator", () => {
  it("produces each kind with the SLS topic, realistic fields and consecutive seq", () => {
    const expectFields: Record<string, string[]> = {
      "rds-audit": ["instance_id", "db", "user", "client_ip", "sql", "fail", "latency", "return_rows"],
      actiontrail: ["event", "event.eventName"],
      waf: ["host", "real_client_ip", "request_method", "status", "final_action"],
      slb: ["client_ip", "request_uri", "status", "upstream_status", "request_time"],
    };
    for (const kind of GENERATOR_KINDS) {
      const gen = new LogGenerator(kind, { seed: 7, groupSize: 5 });
      const g1 = gen.group(1_800_000_000_123);
      const g2 = gen.group(1_800_000_001_000, 3);
      assert.equal(g1.logs.length, 5);
      assert.equal(g2.logs.length, 3);
      assert.match(g1.topic ?? "", /_/);
      const seqs = [...g1.logs, ...g2.logs].map((l) => Number(l.contents[0][1]));
      assert.deepEqual(seqs, [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.equal(g1.logs[0].time, 1_800_000_000);
      assert.equal(g1.logs[0].timeNs, 123_000_000);
      const keys = g1.logs[0].contents.map(([k]) => k);
      for (const f of expectFields[kind]) assert.ok(keys.includes(f), `${kind} has ${f}`);
      if (kind === "actiontrail") assert.equal(typeof JSON.parse(g1.logs[0].contents[1][1]).userIdentity, "object");
    }
    // Same seed, same logs.
    assert.deepEqual(new LogGenerator("waf", { seed: 3 }).group(1), new LogGenerator("waf", { seed: 3 }).group(1));
  });

  it("writes at a count into a logstore, gap-free", async () => {
    const emu = await start({ port: 0, logstore: "gen", shards: 3 });
    try {
      const run = emu.generate("gen", "rds-audit", { count: 2345, groupSize: 100 });
      assert.equal(await run.done, 2345);
      const c = sdkClient(emu);
      const all: number[] = [];
      for (const shard of [0, 1, 2]) {
        const cur = (await c.getCursor(emu.project, "gen", String(shard), new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
        const r = await sdkPullLogs(c, emu.project, "gen", shard, cur);
        for (const g of r.groups) for (const l of g.logs) all.push(Number(l.contents[0][1]));
      }
      assert.deepEqual(
        all.sort((a, b) => a - b),
        Array.from({ length: 2345 }, (_, i) => i),
      );
      // A second run continues the sequence (e.g. after a restart with --data).
      const rated = emu.generate("gen", "slb", { rate: 1000, count: 150 });
      assert.equal(await rated.done, 150);
      const more: number[] = [];
      for (const s of emu.getLogstore("gen").listShards()) {
        for (let q = s.firstSeq; q < s.endSeq; q++) for (const l of decodeLogGroup(s.at(q).bytes).logs) more.push(Number(l.contents[0][1]));
      }
      assert.deepEqual(
        more.sort((a, b) => a - b),
        Array.from({ length: 2345 + 150 }, (_, i) => i),
      );
    } finally {
      await emu.close();
    }
  });
});

describe("emulator CLI", () => {
  it("starts, prints endpoint and keys as JSON, generates, takes faults, and stops on SIGTERM", async () => {
    const cli = path.resolve(__dirname, "../../../emulator/cli.js");
    const child = spawn(
      process.execPath,
      [
        cli,
        "--port",
        "0",
        "--json",
        "--generate",
        "waf",
        "--count",
        "300",
        "--shards",
        "1",
        "--fault",
        '{"actions":["GetLogStore"],"error":{"status":503,"code":"ServerBusy"}}',
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
      const info = JSON.parse(line) as { endpoint: string; project: string; logstore: string; accessKeyId: string; accessKeySecret: string; url: string };
      assert.equal(info.logstore, "waf");
      assert.equal(info.accessKeyId, "emulator-access-key-id");
      const c = sdkClient(info);
      await assert.rejects(c.getLogStore(info.project, "waf"), /ServerBusy/);
      const cur = (await c.getCursor(info.project, "waf", "0", new Sls.GetCursorRequest({ from: "begin" }))).body!.cursor!;
      let n = 0;
      for (let i = 0; i < 500 && n < 300; i++) {
        n = 0;
        for (const g of (await sdkPullLogs(c, info.project, "waf", 0, cur)).groups) n += g.logs.length;
        if (n < 300) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(n, 300);
      const listed = spawn(process.execPath, [cli, "faults", "clear", "--url", info.url], { stdio: "ignore" });
      assert.deepEqual(await once(listed, "exit"), [0, null]);
      assert.equal((await c.getLogStore(info.project, "waf")).body?.logstoreName, "waf");
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0);
  });
});

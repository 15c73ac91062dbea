// `npm start` as a user runs it: logs at the receiver within 30 s, Ctrl-C stops cleanly, a second
// start resumes from the checkpoints; and with the recipe's variables set it starts no local parts.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { start as startEmulator } from "../../emulator";
import { LogGenerator } from "../../emulator/generator";
import { startSyslogReceiver } from "../../demo/syslog-receiver";
import { startDemo } from "../support/demo-process";

/** The generator numbers every log (`seq`); the demo flow's key=value body carries it. */
const SEQ = /\bseq=(\d+)\b/;
const RECEIVED = /^syslog> /;

function seqOf(line: string): number {
  const m = SEQ.exec(line);
  assert.ok(m, `received line carries the generator's seq: ${line}`);
  return Number(m[1]);
}

test("npm start: logs at the receiver within 30 s, Ctrl-C stops cleanly, a second start resumes from the checkpoints", { timeout: 120_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-e2e-demo-"));
  try {
    const t0 = Date.now();
    const first = await startDemo(["--data-dir", dataDir, "--rate", "20"]);
    let run1: string[];
    try {
      run1 = await first.waitForLines(RECEIVED, 20, 30_000 - (Date.now() - t0));
      const elapsed = Date.now() - t0;
      assert.ok(elapsed < 30_000, `first logs after ${elapsed} ms`);
      // An RFC 5424 line as a SIEM gets it: <PRI>1 TIMESTAMP HOSTNAME APP-NAME ...
      for (const l of run1) assert.match(l, /^syslog> <\d{1,3}>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) \S+ \S+ /);
    } finally {
      assert.equal(await first.stop(), 0, `first run exits 0 on SIGINT; output:\n${first.output()}`);
    }
    const seen1 = first
      .lines()
      .filter((l) => RECEIVED.test(l))
      .map(seqOf);
    const fileLines = fs.readFileSync(path.join(dataDir, "received.log"), "utf8").trimEnd().split("\n");
    assert.equal(fileLines.length, seen1.length, "every printed line is in received.log");
    const written1 = (JSON.parse(fs.readFileSync(path.join(dataDir, "sls", "generator.json"), "utf8")) as { nextSeq: number }).nextSeq;
    assert.ok(written1 >= seen1.length);

    const second = await startDemo(["--data-dir", dataDir, "--rate", "20"]);
    try {
      // Everything the first run's generator wrote arrives across both runs, each log once.
      const missing = (lines: string[]): number[] => {
        const got = new Set([...seen1, ...lines.filter((l) => RECEIVED.test(l)).map(seqOf)]);
        return Array.from({ length: written1 }, (_, i) => i).filter((i) => !got.has(i));
      };
      await second.waitFor(`all ${written1} logs of the first run`, (lines) => (missing(lines).length === 0 ? true : undefined), 30_000);
      const seen2 = second
        .lines()
        .filter((l) => RECEIVED.test(l))
        .map(seqOf);
      const again = seen2.filter((s) => seen1.includes(s));
      assert.deepEqual(again, [], "after a clean stop nothing already delivered is delivered again");
    } finally {
      assert.equal(await second.stop(), 0, `second run exits 0 on SIGINT; output:\n${second.output()}`);
    }
    const printed = second.lines().filter((l) => RECEIVED.test(l)).length;
    const appended = fs.readFileSync(path.join(dataDir, "received.log"), "utf8").trimEnd().split("\n").length;
    assert.equal(appended, seen1.length + printed, "received.log holds every line of both runs");
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("npm start with the recipe's variables set: no emulator, no receiver; the flow uses the given SLS and syslog", { timeout: 60_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-e2e-demo-env-"));
  const emu = await startEmulator({ port: 0, project: "prod-project", logstore: "audit", shards: 2 });
  const received: string[] = [];
  let gotAll!: () => void;
  const allReceived = new Promise<void>((r) => (gotAll = r));
  const COUNT = 30;
  const rx = await startSyslogReceiver({ onMessage: (m) => received.push(m) === COUNT && gotAll() });
  try {
    const gen = new LogGenerator("rds-audit", { seed: 7 });
    emu.putLogs("audit", [gen.group(Date.now(), 15), gen.group(Date.now(), 15)]);
    const demo = await startDemo(["--data-dir", dataDir], {
      SLS_ENDPOINT: emu.url,
      SLS_AK_ID: emu.accessKeyId,
      SLS_AK_KEY: emu.accessKeySecret,
      SLS_PROJECT: "prod-project",
      SLS_LOGSTORE: "audit",
      SLS_CG: "prod-forwarder",
      SYSLOG_HOST: "127.0.0.1",
      SYSLOG_PORT: String(rx.port),
      SYSLOG_PROTOCOL: "tcp",
    });
    try {
      assert.equal(demo.ready.slsEndpoint, emu.url);
      assert.equal(demo.ready.receivedLog, null, "no local receiver");
      assert.deepEqual(demo.ready.syslog, { host: "127.0.0.1", port: rx.port, protocol: "tcp" });
      assert.doesNotMatch(demo.output(), /\(emulator/);
      await allReceived;
      assert.deepEqual(
        received.map(seqOf).sort((a, b) => a - b),
        Array.from({ length: COUNT }, (_, i) => i),
      );
      assert.ok(emu.consumers("audit", "prod-forwarder").length >= 1, "the demo joined the given consumer group");
      assert.ok(!fs.existsSync(path.join(dataDir, "sls")), "no emulator data written");
    } finally {
      assert.equal(await demo.stop(), 0);
    }
  } finally {
    await rx.close();
    await emu.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

// The Prometheus endpoint as an operator runs it: the `node-red` command with a settings.js that
// sets httpNodeRoot and httpNodeAuth, this package from the working tree, one sls-stats node with
// *Serve to Prometheus*. The scrape needs the httpNodeAuth user, and the path lives under httpNodeRoot.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { nodeRedDir } from "../../support/node-red-runtime";
import { packageRoot } from "../support/demo-process";
import { parseExposition } from "../support/prometheus-text";

test("node-red with httpNodeAuth: /api/metrics answers 401 without the user, the exposition with it", { timeout: 90_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-prom-auth-"));
  // httpNodeAuth takes a bcrypt hash, as `node-red admin hash-pw` prints it.
  const bcrypt = createRequire(path.join(nodeRedDir, "package.json"))("bcryptjs") as { hashSync(pw: string, rounds: number): string };
  const settings = {
    uiHost: "127.0.0.1",
    uiPort: 0,
    userDir: dir,
    flowFile: "flows.json",
    credentialSecret: false,
    nodesDir: [packageRoot],
    httpNodeRoot: "/api",
    httpNodeAuth: { user: "metrics", pass: bcrypt.hashSync("s3cret", 8) },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, palette: { catalogues: [] } },
    externalModules: { palette: { allowInstall: false } },
    diagnostics: { enabled: false, ui: false },
    logging: { console: { level: "info", metrics: false, audit: false } },
  };
  fs.writeFileSync(path.join(dir, "settings.js"), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  fs.writeFileSync(
    path.join(dir, "flows.json"),
    JSON.stringify([
      { id: "t1", type: "tab", label: "ops" },
      { id: "stats", z: "t1", type: "sls-stats", name: "", interval: 0, prometheus: true, metricsPath: "/metrics", version: 1, x: 100, y: 100, wires: [[]] },
    ]),
  );
  const child = spawn(process.execPath, [path.join(nodeRedDir, "red.js"), "--settings", path.join(dir, "settings.js"), "--userDir", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d;
        const m = /Server now running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m && /Started flows/.test(out)) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`node-red exited (${code}) before it was ready: ${out}`)));
    });
    const url = `${base}/api/metrics`;
    const auth = (user: string, pw: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString("base64")}` });

    const anonymous = await fetch(url);
    assert.equal(anonymous.status, 401, "no credentials: refused");
    await anonymous.text();
    const wrong = await fetch(url, { headers: auth("metrics", "guess") });
    assert.equal(wrong.status, 401, "wrong password: refused");
    await wrong.text();

    const ok = await fetch(url, { headers: auth("metrics", "s3cret") });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const e = parseExposition(await ok.text());
    for (const f of ["sls_consumer_lag_seconds", "sls_consumer_settled_logs_total", "sls_syslog_target_up", "sls_syslog_out_messages_total"]) {
      assert.ok(e.types.has(f), `${f} is declared`);
    }
    assert.equal(e.find("process_resident_memory_bytes").length, 1, "process metrics beside ours");

    const outside = await fetch(`${base}/metrics`, { headers: auth("metrics", "s3cret") });
    assert.notEqual(outside.status, 200, "the path is under httpNodeRoot only");
    await outside.text();
  } finally {
    child.kill("SIGINT");
    assert.equal(await exited, 0, `node-red stopped cleanly: ${out}`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

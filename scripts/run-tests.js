// Runs the compiled test files (dist/test/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.js [unit|nodes|interop|e2e ...]  (default: all suites)
// Files are listed explicitly so that support modules under test/ are never run as tests.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const base = path.resolve(__dirname, "..", "dist", "test");
const suites = process.argv.slice(2);
const files = [];
function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith(".test.js")) files.push(p);
  }
}
for (const s of suites.length ? suites : [""]) walk(path.join(base, s));
files.sort();
if (files.length === 0) {
  console.error(`no test files under ${base} for ${suites.join(", ") || "all suites"}`);
  process.exit(1);
}
// Browser and whole-demo tests (e2e/) drive Chromium and several processes each: they run one at a
// time after the rest, so that on a 2-core CI machine two of them never compete for the CPU.
const concurrency = process.env.TEST_CONCURRENCY || "2";
const isE2e = (f) => f.startsWith(path.join(base, "e2e") + path.sep);
const phases = [
  { files: files.filter((f) => !isE2e(f)), concurrency },
  { files: files.filter(isE2e), concurrency: "1" },
].filter((p) => p.files.length > 0);
// The runtime under test (NODE_RED_FROM switches it: support/node-red-runtime.ts), so that a CI log
// says which leg of the matrix it is.
const runtime = require(path.join(base, "..", "support", "node-red-runtime.js"));
console.log(`# Node.js ${process.version}, Node-RED ${runtime.nodeRedVersion} (${runtime.nodeRedDir})`);
let status = 0;
for (const phase of phases) {
  // --test-force-exit: once a file's tests are done its process ends, even when a failed test left a
  // socket or timer behind; a failure is reported instead of hanging the suite.
  const r = spawnSync(process.execPath, ["--test", "--test-force-exit", `--test-concurrency=${phase.concurrency}`, "--test-reporter=spec", ...phase.files], {
    stdio: "inherit",
  });
  if (r.status !== 0) status = r.status === null ? 1 : r.status;
}
process.exit(status);

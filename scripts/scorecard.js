// `npm run scorecard`: the Flow Library scorecard (node-red-dev validate) run on the built package
// with the catalogue stubbed (scripts/offline-catalogue.js). Exits non-zero unless every check the
// tool records passed: P01 P03-P08 (P02 is disabled in node-red-dev itself), N01 N02, D01-D03.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
const CHECKS = ["P01", "P03", "P04", "P05", "P06", "P07", "P08", "N01", "N02", "D01", "D02", "D03"];

const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "scorecard-")), "scorecard.json");
const bin = path.join(root, "node_modules", "node-red-dev", "bin", "run");
const preload = path.join(__dirname, "offline-catalogue.js");
const r = spawnSync(process.execPath, [bin, "validate", "-p", root, "-o", out], {
  cwd: root,
  // node-red-dev opens a readline on stdin at load time: give it an empty one.
  stdio: ["ignore", "pipe", "pipe"],
  encoding: "utf8",
  env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require=${preload}`.trim() },
  timeout: 120_000,
});
process.stdout.write(r.stdout ?? "");
process.stderr.write(r.stderr ?? "");
if (!fs.existsSync(out)) {
  console.error(`scorecard: node-red-dev wrote no scorecard (exit ${r.status}${r.error ? `, ${r.error.message}` : ""})`);
  process.exit(1);
}
const card = JSON.parse(fs.readFileSync(out, "utf8"));
fs.rmSync(path.dirname(out), { recursive: true, force: true });
const failed = [];
for (const id of CHECKS) {
  const c = card[id];
  const ok = !!c && c.test === true;
  if (!ok) failed.push(id);
  console.log(`${ok ? "pass" : "FAIL"}  ${id}${c ? "" : " (not recorded)"}${c && !ok ? `  ${JSON.stringify(c)}` : ""}`);
}
// Gaps in node-red-dev 0.1.6 that would let a broken package pass: P05 is recorded as passed even
// without the keyword, and an unparseable .html only prints "Unable to parse" (its node then drops
// out of N01/N02).
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
if (!(pkg.keywords ?? []).includes("node-red")) {
  failed.push("P05 (keyword node-red missing)");
  console.log('FAIL  P05 keywords lack "node-red"');
}
for (const m of (r.stdout ?? "").matchAll(/Unable to parse\s+(\S+)/g)) {
  failed.push(`N01/N02 (${m[1]} unparseable)`);
  console.log(`FAIL  ${m[1]}: the editor .html could not be parsed (registration needs <script type="text/javascript"> and literal definitions)`);
}
if (failed.length) {
  console.error(`scorecard: ${failed.length} check(s) failed: ${failed.join(", ")}`);
  process.exit(1);
}
console.log(`scorecard: all ${CHECKS.length} checks passed`);

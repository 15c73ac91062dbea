// The Flow Library scorecard (`npm run scorecard`) is part of the suite: it must pass every check,
// and the gate must be able to fail (a catalogue in which another package owns our type names).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../support/demo-process";

const script = path.join(packageRoot, "scripts", "scorecard.js");
const types = Object.keys(
  (JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { "node-red": { nodes: Record<string, string> } })["node-red"].nodes,
);

function run(env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script], { cwd: packageRoot, encoding: "utf8", env: { ...process.env, ...env }, timeout: 150_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test("scorecard: node-red-dev validate passes P01, P03-P08, N01, N02, D01-D03", { timeout: 160_000 }, () => {
  const r = run();
  assert.equal(r.status, 0, r.out);
  for (const id of ["P01", "P03", "P04", "P05", "P06", "P07", "P08", "N01", "N02", "D01", "D02", "D03"]) {
    assert.match(r.out, new RegExp(`^pass  ${id}$`, "m"), `${id} passed`);
  }
  assert.doesNotMatch(r.out, /Unable to parse/);
});

test("scorecard: fails when the catalogue has another package using our node type names", { timeout: 160_000 }, () => {
  assert.ok(types.length > 0, "the package registers node types");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catalogue-"));
  const file = path.join(dir, "catalogue.json");
  fs.writeFileSync(file, JSON.stringify({ modules: [{ id: "node-red-contrib-someone-else", types: [types[0]] }] }));
  try {
    const r = run({ SCORECARD_CATALOGUE: file });
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /^FAIL {2}N01/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

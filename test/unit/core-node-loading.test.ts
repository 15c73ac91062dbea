// Tests must load core nodes (catch, change, debug...) from the Node-RED runtime under test
// (coreNode / coreNodeFile), never from the package's own node_modules: CI runs the suites on
// Node-RED 4 and 5, and a core node of one registered into the other fails ("catch already registered").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("no test, bench, demo or support file requires a core node from the package's own Node-RED", () => {
  const offenders: string[] = [];
  for (const dir of ["test", "bench", "demo", "support"]) {
    for (const f of sources(path.join(root, dir))) {
      if (/(require\(|from\s+)["']@node-red\/nodes\/core\//.test(fs.readFileSync(f, "utf8"))) offenders.push(path.relative(root, f));
    }
  }
  assert.deepEqual(offenders, [], "load core nodes with coreNode()/coreNodeFile() (support/node-red-runtime.ts, test/support/core-nodes.ts)");
});

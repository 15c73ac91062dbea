// Tests must load core nodes (catch, change, debug...) from the Node-RED runtime under test
// (coreNode / coreNodeFile), never from the package's own node_modules: CI runs the suites on
// Node-RED 4 and 5, and a core node of one registered into the other fails ("catch already registered").

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { repoRoot, tsSources } from "../support/repo-files";

test("no test, bench, demo or support file requires a core node from the package's own Node-RED", () => {
  const offenders: string[] = [];
  for (const dir of ["test", "bench", "demo", "support"]) {
    for (const f of tsSources(path.join(repoRoot, dir))) {
      if (/(require\(|from\s+)["']@node-red\/nodes\/core\//.test(fs.readFileSync(f, "utf8"))) offenders.push(path.relative(repoRoot, f));
    }
  }
  assert.deepEqual(offenders, [], "load core nodes with coreNode()/coreNodeFile() (support/node-red-runtime.ts, test/support/core-nodes.ts)");
});

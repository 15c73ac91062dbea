// Finds the module file of a core Node-RED node type (debug, catch, comment...) so that tests can
// load exactly the core nodes a flow uses into node-red-node-test-helper.

import fs from "node:fs";
import path from "node:path";
import { coreNodesDir } from "../../support/node-red-runtime";

let index: Map<string, string> | undefined;

function buildIndex(): Map<string, string> {
  const core = path.join(coreNodesDir, "core");
  const map = new Map<string, string>();
  for (const dir of fs.readdirSync(core)) {
    const full = path.join(core, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full)) {
      if (!f.endsWith(".js")) continue;
      const src = fs.readFileSync(path.join(full, f), "utf8");
      for (const m of src.matchAll(/registerType\(\s*["']([^"']+)["']/g)) map.set(m[1], path.join(full, f));
    }
  }
  return map;
}

/** The core module file registering `type`, or undefined when it is not a core type. */
export function coreNodeFile(type: string): string | undefined {
  index ??= buildIndex();
  return index.get(type);
}

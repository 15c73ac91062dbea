// The README's node reference must name every option of every node: each property the editor saves
// (its spec in lib/config, from which the editor's `defaults` are made) and each credential, as
// `name` in code font under that node's heading.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { SPECS } from "../../lib/config";

const root = path.resolve(__dirname, "..", "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { "node-red": { nodes: Record<string, string> } };
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

/** The README section of a node: from its `### <label>` heading to the next heading of that level. */
function section(label: string): string {
  const at = readme.indexOf(`### ${label}`);
  assert.ok(at >= 0, `README has a section "### ${label}"`);
  const end = readme.indexOf("\n### ", at + 4);
  const end2 = readme.indexOf("\n## ", at + 4);
  return readme.slice(at, Math.min(end < 0 ? readme.length : end, end2 < 0 ? readme.length : end2));
}

const HEADINGS: Record<string, string> = {
  "sls-connection": "sls connection",
  "sls-consumer": "sls consumer",
  "sls-syslog-map": "syslog map",
  "sls-syslog-server": "syslog server",
  "sls-syslog-out": "syslog out",
  "sls-ack": "sls ack",
  "sls-stats": "sls stats",
};

test("the README's node reference names every option of every node", () => {
  assert.deepEqual(Object.keys(HEADINGS).sort(), Object.keys(pkg["node-red"].nodes).sort(), "a README heading for every node type");
  const missing: string[] = [];
  for (const type of Object.keys(pkg["node-red"].nodes)) {
    // Every setting and credential of the node's spec (lib/config), which the dialog saves.
    const props = Object.keys(SPECS[type].props);
    assert.ok(props.length > 0 || type === "sls-ack", `${type}: options were read from its spec`);
    const text = section(HEADINGS[type]);
    for (const p of props) if (!text.includes(`\`${p}\``)) missing.push(`${type}.${p}`);
  }
  assert.deepEqual(missing, [], "options missing from the README's node reference");
});

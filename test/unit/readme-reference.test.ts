// The README's node reference must name every option of every node: each property the editor saves
// (its `defaults`) and each credential, as `name` in code font under that node's heading.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { "node-red": { nodes: Record<string, string> } };
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

/** Top-level keys of an object literal `name: { ... }` in a node's editor script (resources/<type>.js). */
function literalKeys(html: string, name: "defaults" | "credentials"): string[] {
  const start = new RegExp(`\\b${name}\\s*:\\s*\\{`).exec(html);
  if (!start) return [];
  const keys: string[] = [];
  let depth = 1;
  let i = start.index + start[0].length;
  let token = "";
  for (; i < html.length && depth > 0; i++) {
    const c = html[i];
    if (c === "{" || c === "[" || c === "(") depth++;
    else if (c === "}" || c === "]" || c === ")") depth--;
    else if (depth === 1 && c === ":" && /^\s*[A-Za-z_$][\w$]*\s*$/.test(token)) keys.push(token.trim());
    if (depth === 1 && (c === "," || c === "{" || c === "}")) token = "";
    else if (depth === 1 && c !== ":") token += c;
    if (depth === 1 && c === ":") token = "";
  }
  return keys;
}

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
};

test("the README's node reference names every option of every node", () => {
  assert.deepEqual(Object.keys(HEADINGS).sort(), Object.keys(pkg["node-red"].nodes).sort(), "a README heading for every node type");
  const missing: string[] = [];
  for (const [type, js] of Object.entries(pkg["node-red"].nodes)) {
    const editor = fs.readFileSync(path.join(root, "resources", path.basename(js, ".js") + ".js"), "utf8");
    const props = [...literalKeys(editor, "defaults"), ...literalKeys(editor, "credentials")].filter((p) => p !== "version");
    assert.ok(props.includes("name"), `${type}: options were read from its editor script`);
    const text = section(HEADINGS[type]);
    for (const p of props) if (!text.includes(`\`${p}\``)) missing.push(`${type}.${p}`);
  }
  assert.deepEqual(missing, [], "options missing from the README's node reference");
});

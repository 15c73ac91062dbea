// docs/nodes.md is the option reference of every node: its tables name each setting by property
// (`Label (`property`)` in the first column). The specs in lib/config are the one source of what a
// node accepts, so this test keeps the page in step with them: every property of every spec is
// documented under its node's heading, and the tables name no property the spec does not have.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { SPECS } from "../../lib/config";

const root = path.resolve(__dirname, "..", "..", "..");
const doc = fs.readFileSync(path.join(root, "docs", "nodes.md"), "utf8");
/** Node-RED's own properties, which every node has and no spec lists. */
const NODE_RED_PROPS = new Set(["name"]);

/** The text under each `## name (`type`)` or `## name (`type`, config)` heading, by type. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.split(/^## /m).slice(1);
  for (const p of parts) {
    const m = /^[^\n]*\(`([a-z-]+)`[,)]/.exec(p);
    if (m) out.set(m[1], p);
  }
  return out;
}

/** Properties named in the first column of the section's option tables. */
export function documented(section: string): Set<string> {
  const out = new Set<string>();
  for (const line of section.split("\n")) {
    if (!line.startsWith("| ") || /^\| (Option|---)/.test(line)) continue;
    const first = line.split(/(?<!\\)\|/)[1] ?? "";
    for (const m of first.matchAll(/`([A-Za-z][A-Za-z0-9]*)`/g)) out.add(m[1]);
  }
  return out;
}

test("docs/nodes.md documents every property of every node's spec, and no other", () => {
  const bySection = sections(doc);
  const problems: string[] = [];
  for (const [type, spec] of Object.entries(SPECS)) {
    const section = bySection.get(type);
    if (section === undefined) {
      problems.push(`${type}: no "## … (\`${type}\`)" section`);
      continue;
    }
    const props = new Set([...Object.keys(spec.props), ...NODE_RED_PROPS]);
    const named = documented(section);
    for (const p of props) if (!named.has(p)) problems.push(`${type}: property ${p} is not in its option table`);
    for (const p of named) if (!props.has(p)) problems.push(`${type}: the table names ${p}, which its spec does not have`);
  }
  assert.deepEqual(problems, []);
});

test("the reader of the tables finds properties in the first column only", () => {
  const s = [
    "| Option (property) | Default | Meaning |",
    "| --- | --- | --- |",
    "| Host (`host`), Port (`port`) | `6514` | `tls` or `tcp` |",
    "| a \\| b (`sep`) | x | y |",
  ].join("\n");
  assert.deepEqual([...documented(s)], ["host", "port", "sep"]);
});

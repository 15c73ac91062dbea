import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BASE_CONFIG, PRESETS } from "../../lib/mapping";

// The editor must be able to show and save every setting a preset uses; otherwise applying a
// preset in the dialog would silently lose part of it.
const root = path.resolve(__dirname, "..", "..", "..");
const js = fs.readFileSync(path.join(root, "resources", "sls-syslog-map.js"), "utf8");
const html = fs.readFileSync(path.join(root, "nodes", "sls-syslog-map.html"), "utf8");
const LISTS = new Set(["fieldRules", "severityTable", "attributes"]);

test("every mapping setting has an editor default and a form field", () => {
  for (const [key, value] of Object.entries(BASE_CONFIG)) {
    const m = new RegExp(`\\n\\s+${key}: \\{\\s*value: ([^,}\\n]+)`).exec(js);
    assert.ok(m, `defaults.${key} missing in the editor`);
    const literal = JSON.parse(m[1].trim().replace(/^\[\]$/, "[]"));
    assert.deepEqual(literal, typeof value === "number" ? String(value) : value, `editor default of ${key}`);
    if (LISTS.has(key)) assert.ok(html.includes(`node-input-${key}-container`), key);
    else if (key.endsWith("Type") && key !== "timestampSource") assert.ok(html.includes(`id="node-input-${key}"`), key);
    else assert.ok(html.includes(`id="node-input-${key}"`), `form field of ${key}`);
  }
  for (const p of Object.values(PRESETS)) for (const key of Object.keys(p.config)) assert.ok(key in BASE_CONFIG, `${p.label}: ${key} is not a known setting`);
});

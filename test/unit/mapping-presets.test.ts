import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { MAPPING_SETTINGS, PRESETS } from "../../lib/mapping";

// The editor must be able to show and save every setting a preset uses; otherwise applying a
// preset in the dialog would silently lose part of it. Its defaults are the settings' own
// (resources/config.js is built from lib/mapping/settings.ts): what is checked here is the form.
const html = fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "nodes", "sls-syslog-map.html"), "utf8");
const LISTS = new Set(["fieldRules", "severityTable", "attributes"]);

test("every mapping setting has a form field, and presets use only known settings", () => {
  for (const key of Object.keys(MAPPING_SETTINGS)) {
    if (LISTS.has(key)) assert.ok(html.includes(`node-input-${key}-container`), key);
    else assert.ok(html.includes(`id="node-input-${key}"`), `form field of ${key}`);
  }
  for (const p of Object.values(PRESETS))
    for (const key of Object.keys(p.config)) assert.ok(key in MAPPING_SETTINGS, `${p.label}: ${key} is not a known setting`);
});

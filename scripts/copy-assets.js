// Copies what tsc does not emit next to the compiled nodes: editor .html files, message
// catalogues and help (locales/<lang>/<type>.json|.html) and icons (Node-RED looks for them beside
// each node's .js file). The editor scripts in resources/ are served from the package root as they are.
// Every en-US catalogue gets the `config` section (the settings problems every node reports, one
// source: lib/config/messages.ts), so RED._("config.…") works in each node's namespace.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "dist", "nodes");
fs.mkdirSync(out, { recursive: true });
const nodesDir = path.join(root, "nodes");
for (const f of fs.existsSync(nodesDir) ? fs.readdirSync(nodesDir) : []) {
  if (f.endsWith(".html")) fs.copyFileSync(path.join(root, "nodes", f), path.join(out, f));
}
for (const dir of [["nodes", "locales"], ["icons"]]) {
  const src = path.join(root, ...dir);
  if (fs.existsSync(src)) fs.cpSync(src, path.join(out, dir[dir.length - 1]), { recursive: true });
}
const { CONFIG_MESSAGES } = require(path.join(root, "dist", "lib", "config", "messages.js"));
const catalogues = path.join(out, "locales", "en-US");
for (const f of fs.readdirSync(catalogues).filter((f) => f.endsWith(".json"))) {
  const file = path.join(catalogues, f);
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), config: CONFIG_MESSAGES }, null, 2) + "\n");
}

// Copies what tsc does not emit next to the compiled nodes: editor .html files, message
// catalogues and help (locales/<lang>/<type>.json|.html) and icons (Node-RED looks for them beside
// each node's .js file). The editor scripts in resources/ are served from the package root as they are.
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

// Which top-level folder may import which. The package ships lib/ and nodes/ only, so they import
// nothing else; tests and benches share code through support/ (docs/testing.md, "Shared support
// code"), never by importing each other, and support/ itself imports neither (nor the demo), so
// the rule cannot be walked around.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { repoRoot, tsSources } from "../support/repo-files";

/** Folder → the top-level folders its files must not import. */
const FORBIDDEN: Record<string, string[]> = {
  lib: ["nodes", "emulator", "test", "bench", "demo", "support", "scripts"],
  nodes: ["emulator", "test", "bench", "demo", "support", "scripts"],
  emulator: ["nodes", "test", "bench", "demo", "support", "scripts"],
  support: ["test", "bench", "demo", "scripts"],
  demo: ["test", "bench", "scripts"],
  bench: ["test", "demo", "scripts"],
  test: ["bench", "scripts"],
};

/** Relative module specifiers of a TypeScript file: import/export ... from, import x = require(), require(), import(). */
export function relativeImports(text: string): string[] {
  const re = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']*)["']/gm;
  return [...text.matchAll(re)].map((m) => m[1]);
}

/** Every import from a file under `rootDir` that crosses into a folder FORBIDDEN for its own folder. */
export function crossings(rootDir: string): string[] {
  const found: string[] = [];
  for (const [from, banned] of Object.entries(FORBIDDEN)) {
    for (const file of tsSources(path.join(rootDir, from))) {
      if (path.basename(file) === "import-boundaries.test.ts") continue; // its examples below are text, not imports
      for (const spec of relativeImports(fs.readFileSync(file, "utf8"))) {
        const target = path.relative(rootDir, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
        if (banned.includes(target)) found.push(`${path.relative(rootDir, file)} imports ${spec}`);
      }
    }
  }
  return found;
}

test("relativeImports finds every form of import", () => {
  const text = [
    'import { a } from "../../bench/chaos";',
    "import x = require('../support/x');",
    'export { b } from "./b";',
    'const c = require("../c");',
    'const d = await import("../../d");',
    'import "./side-effect";',
    'import fs from "node:fs";',
  ].join("\n");
  assert.deepEqual(relativeImports(text), ["../../bench/chaos", "../support/x", "./b", "../c", "../../d", "./side-effect"]);
});

test("no folder imports one it must not (tests and benches share support/, never each other)", () => {
  assert.deepEqual(crossings(repoRoot), []);
});

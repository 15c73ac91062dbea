// Every reference in the repo can be followed: a repo file a comment or doc names exists, and a
// section of docs/*.md, the README or the changelog cited by its heading (`docs/sls-protocol.md,
// "Cursors"`, or a Markdown link with an anchor) exists under that heading. Sections are cited by
// name, never by number: numbers drift when a document grows, and a reference nobody can follow is
// worse than none.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");

/** Where references live: sources, tests, scripts, the editor's code and the docs. */
const SCANNED_DIRS = ["lib", "nodes", "emulator", "bench", "test", "demo", "support", "scripts", "resources", "docs", ".ci"];
const SCANNED_FILES = ["README.md", "CHANGELOG.md"];
const EXTENSIONS = /\.(ts|js|md|html|sh)$/;
/** Not scanned: generated from scanned sources (the build writes it), and this file's own examples. */
const SKIPPED = new Set(["resources/config.js", "test/unit/doc-references.test.ts"]);

/** Top-level folders a cited repo path starts with. */
const REPO_DIRS = ["lib", "nodes", "emulator", "bench", "test", "demo", "support", "scripts", "resources", "docs", "examples", "icons", ".ci"];
/** Paths that name something other than a repo file: where Node-RED serves resources/. */
const NOT_REPO_PATHS = [/^resources\/node-red-contrib-sls-syslog\//];

export interface Problem {
  file: string;
  what: string;
}

/**
 * Folders never scanned: installed packages (.ci/node22 holds a whole Node-RED install once the
 * Node.js 22 leg has run: 300 MB), and anything a run writes.
 */
const SKIPPED_DIRS = new Set(["node_modules", "node22", "dist"]);

function walk(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name) && !e.name.startsWith(".")) walk(p, out);
      continue;
    }
    if (EXTENSIONS.test(e.name)) out.push(p);
  }
}

/** The scanned files, relative to the repo root. */
function scannedFiles(): string[] {
  const out: string[] = [];
  for (const d of SCANNED_DIRS) walk(path.join(root, d), out);
  for (const f of SCANNED_FILES) out.push(path.join(root, f));
  return out.map((f) => path.relative(root, f).split(path.sep).join("/")).filter((f) => !SKIPPED.has(f));
}

/** Headings of a Markdown text, as written (without the #s). */
export function headings(markdown: string): string[] {
  const out: string[] = [];
  let fence = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) fence = !fence;
    const m = fence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

/** The anchor GitHub gives a heading. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Text with line breaks and comment markers between lines folded into spaces, so a citation may wrap. */
function flatten(text: string): string {
  return text.replace(/\s*\n\s*(?:\/\/+|\*(?!\/)|#+(?=\s))?\s*/g, " ");
}

/**
 * The problems of one text: `read(relPath)` gives a repo file's text, or undefined when there is
 * no such file; `exists(relPath)` says whether a file or folder is there.
 */
export function checkText(file: string, text: string, read: (rel: string) => string | undefined, exists: (rel: string) => boolean): Problem[] {
  const problems: Problem[] = [];
  const flat = flatten(text);
  // 1. Repo paths.
  const pathRe = new RegExp(String.raw`(?<![\w/.@-])((?:${REPO_DIRS.map((d) => d.replace(".", "\\.")).join("|")})/[\w./@-]*\w)`, "g");
  for (const m of text.matchAll(pathRe)) {
    const rel = m[1];
    if (NOT_REPO_PATHS.some((r) => r.test(rel))) continue;
    // A module may be cited as it is imported, without its extension.
    if (!exists(rel) && !exists(`${rel}.ts`)) problems.push({ file, what: `names ${rel}, which is not in the repo` });
  }
  // 2. Document names without a folder: a project doc (docs/) or a root file.
  for (const m of text.matchAll(/(?<![\w/.-])([\w-]+\.md)\b/g)) {
    // A string literal in code names a file the code writes or reads, not a reference.
    const before = text[m.index - 1];
    if (!file.endsWith(".md") && (before === '"' || before === "'") && text[m.index + m[1].length] === before) continue;
    if (!exists(`docs/${m[1]}`) && !exists(m[1])) problems.push({ file, what: `names ${m[1]}, which is neither in docs/ nor at the root` });
  }
  // 3. Sections by number.
  for (const m of flat.matchAll(/([\w-]+\.md)`?,?\s*(§\s*\d[\d.]*|\d+\.\d+(?:[./–-]\d+(?:\.\d+)?)?)/g)) {
    problems.push({ file, what: `cites ${m[1]} ${m[2]} by number: cite the section's heading` });
  }
  // 4. Sections by heading: doc.md, "Heading" / README's "Heading" / `docs/x.md`, "Heading".
  const citeRe = /`?((?:docs\/)?[\w-]+\.md|README(?:\.md)?|CHANGELOG(?:\.md)?)`?(?:'s)?,?\s+\\?"([^"\\]+)\\?"/g;
  for (const m of flat.matchAll(citeRe)) {
    const doc = resolveDoc(m[1], exists);
    const section = m[2].trim();
    const body = doc === undefined ? undefined : read(doc);
    if (body === undefined) {
      problems.push({ file, what: `cites "${section}" of ${m[1]}, which is not in the repo` });
      continue;
    }
    if (!headings(body).includes(section)) problems.push({ file, what: `cites "${section}" of ${doc}, which has no such heading` });
  }
  // 5. Markdown links with an anchor: [text](doc.md#anchor) or [text](#anchor) in this file.
  if (file.endsWith(".md")) {
    for (const m of text.matchAll(/\]\(((?:[\w./-]+\.md)?)#([^)\s]+)\)/g)) {
      const doc = m[1] ? path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1])) : file;
      const body = read(doc);
      if (body === undefined) {
        problems.push({ file, what: `links to ${doc}, which is not in the repo` });
        continue;
      }
      if (!headings(body).map(slug).includes(m[2])) problems.push({ file, what: `links to ${doc}#${m[2]}, which has no such heading` });
    }
  }
  return problems;
}

function resolveDoc(name: string, exists: (rel: string) => boolean): string | undefined {
  const base = name.replace(/\.md$/, "");
  const candidates = name.includes("/") ? [name] : base === "README" || base === "CHANGELOG" ? [`${base}.md`] : [`docs/${name}`, name];
  return candidates.find(exists);
}

const readRepo = (rel: string): string | undefined => {
  const p = path.join(root, rel);
  return fs.existsSync(p) && fs.statSync(p).isFile() ? fs.readFileSync(p, "utf8") : undefined;
};
/** Files the build writes: cited as what they are, whether or not this tree has been built. */
const BUILT = new Set(["resources/config.js"]);
const existsRepo = (rel: string): boolean => BUILT.has(rel) || fs.existsSync(path.join(root, rel));

test("every repo file, doc and doc section the code and the docs cite exists", () => {
  const files = scannedFiles();
  assert.ok(files.length > 200 && files.length < 2000, `scanned ${files.length} files`);
  const problems = files.flatMap((f) => checkText(f, fs.readFileSync(path.join(root, f), "utf8"), readRepo, existsRepo));
  assert.deepEqual(
    problems.map((p) => `${p.file}: ${p.what}`),
    [],
  );
});

test("the checker finds a missing file, a missing doc, a section by number and a missing heading", () => {
  const docs: Record<string, string> = {
    "docs/a.md": "# A\n\n## Real section\n\n```\n## not a heading\n```\n",
    "README.md": "# R\n\n## Delivery guarantees\n",
  };
  const read = (rel: string): string | undefined => docs[rel];
  const exists = (rel: string): boolean => rel in docs || rel === "lib" || rel === "lib/real.ts";
  const text = [
    "// see lib/real.ts, lib/real and lib/gone.ts",
    "// (common.md) and a.md §4.1, a.md 5.2/5.3",
    '// docs/a.md, "Real section"; docs/a.md, "Missing section"; a.md, "not a heading"',
    '// README, "Delivery',
    '// guarantees"; the README\'s "Nope"',
    'write("summary.md"); // a file the code writes, not a reference',
  ].join("\n");
  const got = checkText("lib/x.ts", text, read, exists).map((p) => p.what);
  assert.deepEqual(got, [
    "names lib/gone.ts, which is not in the repo",
    "names common.md, which is neither in docs/ nor at the root",
    "cites a.md §4.1 by number: cite the section's heading",
    "cites a.md 5.2/5.3 by number: cite the section's heading",
    'cites "Missing section" of docs/a.md, which has no such heading',
    'cites "not a heading" of docs/a.md, which has no such heading',
    'cites "Nope" of README.md, which has no such heading',
  ]);
  const md = checkText("docs/b.md", "[ok](a.md#real-section) [bad](a.md#nope) [self](#b) \n# B\n", (r) => (r === "docs/b.md" ? "# B\n" : read(r)), exists);
  assert.deepEqual(
    md.map((p) => p.what),
    ["links to docs/a.md#nope, which has no such heading"],
  );
});

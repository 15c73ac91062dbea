// How scripts/mutation.js recognises a mutant listed in scripts/mutation-equivalents.js: by its file,
// the text of the line it starts on, the code it replaces, the mutator and the replacement — never
// by line number, so an entry stays valid while other code in the file moves, and stops matching
// (and has to be judged again) when its own line changes.
"use strict";

/** Whitespace runs collapsed, cut at 80 characters: how a mutated snippet is written in an entry. */
function snippet(text) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

const parsed = new Map();

/** The name of the innermost named function, method or accessor around `line`:`column` (1-based) of `source`. */
function functionAt(file, source, line, column) {
  let sf = parsed.get(source);
  if (!sf) {
    const ts = require("typescript");
    sf = { ts, tree: ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true) };
    parsed.set(source, sf);
  }
  const { ts, tree } = sf;
  const pos = tree.getPositionOfLineAndCharacter(line - 1, column - 1);
  let name = "";
  const visit = (node) => {
    if (pos < node.getStart(tree) || pos >= node.getEnd()) return;
    const fn = ts.isFunctionLike(node);
    if (fn && node.name && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name))) name = node.name.text;
    else if (ts.isConstructorDeclaration(node)) name = "constructor";
    else if (fn && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) name = node.parent.name.text;
    else if (fn && ts.isPropertyAssignment(node.parent) && ts.isIdentifier(node.parent.name)) name = node.parent.name.text;
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return name;
}

/**
 * The key of a mutant result (Stryker's MutantResult: fileName relative to the project, location
 * 1-based) read from the source it was made from: `{ file, code, at, mutator, replacement }`, and
 * `in`, the function it is in, when its line is written more than once in the file (the same loop
 * head or guard in two functions: a mutant may be equivalent in one and detected in the other).
 */
function keyOf(file, source, mutant) {
  const lines = source.split("\n");
  const { start, end } = mutant.location;
  let text;
  if (start.line === end.line) text = lines[start.line - 1].slice(start.column - 1, end.column - 1);
  else
    text = [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1].slice(0, end.column - 1)].join("\n");
  const code = lines[start.line - 1].trim();
  const key = {
    file,
    code,
    at: snippet(text),
    mutator: mutant.mutatorName,
    replacement: snippet(mutant.replacement ?? ""),
  };
  if (lines.filter((l) => l.trim() === code).length > 1) key.in = functionAt(file, source, start.line, start.column);
  return key;
}

/** Whether `entry` names the mutant keyed `key`; an entry without `in` names its line in every function. */
const same = (entry, key) =>
  entry.file === key.file &&
  entry.code === key.code &&
  entry.at === key.at &&
  entry.mutator === key.mutator &&
  entry.replacement === key.replacement &&
  (entry.in === undefined || entry.in === key.in);

/** Entries whose line is no longer in their file (given file → text): they must be judged again. */
function staleEntries(entries, readFile) {
  const texts = new Map();
  const stale = [];
  for (const e of entries) {
    if (!texts.has(e.file)) {
      let t = null;
      try {
        t = readFile(e.file);
      } catch {
        // a file that is gone: every entry of it is stale
      }
      texts.set(e.file, t === null ? null : new Set(t.split("\n").map((l) => l.trim())));
    }
    const lines = texts.get(e.file);
    if (!lines || !lines.has(e.code)) stale.push(e);
  }
  return stale;
}

module.exports = { snippet, keyOf, same, staleEntries };

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

/**
 * The key of a mutant result (Stryker's MutantResult: fileName relative to the project, location
 * 1-based) read from the source it was made from: `{ file, code, at, mutator, replacement }`.
 */
function keyOf(file, source, mutant) {
  const lines = source.split("\n");
  const { start, end } = mutant.location;
  let text;
  if (start.line === end.line) text = lines[start.line - 1].slice(start.column - 1, end.column - 1);
  else
    text = [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1].slice(0, end.column - 1)].join("\n");
  return {
    file,
    code: lines[start.line - 1].trim(),
    at: snippet(text),
    mutator: mutant.mutatorName,
    replacement: snippet(mutant.replacement ?? ""),
  };
}

const same = (entry, key) =>
  entry.file === key.file && entry.code === key.code && entry.at === key.at && entry.mutator === key.mutator && entry.replacement === key.replacement;

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

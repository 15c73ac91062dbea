// The repository's TypeScript sources, for tests that check rules over the code itself.
import fs from "node:fs";
import path from "node:path";

/** The repository root (this file runs from dist/test/support). */
export const repoRoot = path.resolve(__dirname, "..", "..", "..");

/** Every .ts file under `dir` (absolute paths); none when `dir` does not exist. */
export function tsSources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsSources(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

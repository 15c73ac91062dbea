// Headless Debian Chromium driven by playwright-core (which never downloads a browser itself).

import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { packageRoot } from "./demo-process";

/** Flags that work in a root container without a GPU or network (as CI runs the tests). */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
  "--disable-dev-shm-usage",
];

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`Chromium not found (tried ${candidates.join(", ")}): run .ci/run, which installs Debian's chromium, or set CHROMIUM_PATH`);
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: FLAGS });
}

/** Where screenshots go (git-ignored); created on demand. */
export function artifactPath(...parts: string[]): string {
  const p = path.join(packageRoot, "test-artifacts", ...parts);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  return p;
}

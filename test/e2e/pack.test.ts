// What users get from npm: `npm pack` holds only the compiled lib and nodes, the editor resources, the
// examples, README and LICENSE; installed into a clean Node-RED user dir it loads every node type without errors and
// offers the examples under Import > Examples.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../support/demo-process";

const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
  name: string;
  version: string;
  "node-red": { nodes: Record<string, string> };
};
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

test("npm pack: only dist/lib, dist/nodes, resources, examples, README, LICENSE; installs and loads in a clean user dir", { timeout: 180_000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "sls-pack-"));
  try {
    // `npm test` has just built dist/: skip prepack so nothing rewrites dist/ under parallel tests.
    const packed = JSON.parse(
      execFileSync(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: packageRoot, encoding: "utf8" }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tgz = path.join(work, packed[0].filename);
    const files = packed[0].files.map((f) => f.path).sort();

    await t.test("the tarball holds only what users need", () => {
      const allowed = /^(dist\/lib\/|dist\/nodes\/|resources\/[^/]+\.js$|examples\/[^/].*\.json$|README\.md$|LICENSE$|package\.json$)/;
      assert.deepEqual(
        files.filter((f) => !allowed.test(f)),
        [],
        "unexpected files in the tarball",
      );
      assert.deepEqual(
        files.filter((f) => /(^|\/)(test|emulator|demo|bench|\.demo)\//.test(f) || /\.test\.js$/.test(f)),
        [],
      );
      for (const [type, js] of Object.entries(pkg["node-red"].nodes)) {
        assert.ok(files.includes(js), `${type}: ${js} is packed`);
        assert.ok(files.includes(js.replace(/\.js$/, ".html")), `${type}: its editor .html is packed`);
        assert.ok(files.includes(`resources/${type}.js`), `${type}: its editor script is packed`);
        assert.ok(files.includes(`dist/nodes/locales/en-US/${type}.html`), `${type}: its help is packed`);
      }
      assert.ok(
        files.some((f) => f.startsWith("examples/")),
        "examples are packed",
      );
      assert.ok(files.includes("README.md") && files.includes("LICENSE"));
    });

    const userDir = path.join(work, "user");
    fs.mkdirSync(userDir);
    fs.writeFileSync(path.join(userDir, "package.json"), JSON.stringify({ name: "node-red-project", private: true }));
    // Dependencies come from npm's cache (filled by `npm ci`), the registry only for what is missing.
    execFileSync(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--omit=dev", tgz], {
      cwd: userDir,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const installed = path.join(userDir, "node_modules", pkg.name);
    assert.ok(fs.existsSync(path.join(installed, "package.json")), "installed into the user dir");
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), "a real copy, not a link to the working tree");

    const child = spawn(process.execPath, [path.join(packageRoot, "dist", "test", "support", "node-red-main.js"), userDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buf = "";
        child.stdout.on("data", (d: Buffer) => {
          buf += d;
          const m = /\{"url":"([^"]+)"\}/.exec(buf);
          if (m) resolve(m[1]);
        });
        void exited.then((code) => reject(new Error(`Node-RED exited (${code}) before it was ready: ${out}`)));
      });

      await t.test("Node-RED loads every node type from the installed package, without errors", async () => {
        const sets = (await (await fetch(new URL("nodes", url), { headers: { Accept: "application/json" } })).json()) as Array<{
          module: string;
          name: string;
          types: string[];
          enabled: boolean;
          err?: string;
        }>;
        const ours = sets.filter((s) => s.module === pkg.name);
        assert.ok(ours.length > 0, `Node-RED lists no node set of ${pkg.name}`);
        assert.deepEqual(
          ours.filter((s) => s.err).map((s) => `${s.name}: ${s.err}`),
          [],
        );
        assert.deepEqual(ours.flatMap((s) => s.types).sort(), Object.keys(pkg["node-red"].nodes).sort());
        assert.ok(ours.every((s) => s.enabled));
        const mod = (await (await fetch(new URL(`nodes/${pkg.name}`, url), { headers: { Accept: "application/json" } })).json()) as {
          version: string;
          path: string;
        };
        assert.equal(mod.version, pkg.version);
        assert.equal(fs.realpathSync(mod.path), fs.realpathSync(installed), "loaded from the user dir's node_modules");
        // The editor scripts each .html loads are served from the installed package's resources/.
        for (const type of Object.keys(pkg["node-red"].nodes)) {
          const res = await fetch(new URL(`resources/${pkg.name}/${type}.js`, url));
          assert.equal(res.status, 200, `resources/${pkg.name}/${type}.js is served`);
          assert.match(await res.text(), new RegExp(`types\\["${type}"\\]`));
        }
      });

      await t.test("the examples are offered under Import > Examples", async () => {
        // The editor's library listing: [{fn: "<file name without .json>"}, ...].
        const lib = (await (await fetch(new URL(`library/examples/flows/${pkg.name}`, url))).json()) as Array<{ fn?: string }>;
        const expected = files
          .filter((f) => f.startsWith("examples/"))
          .map((f) => path.basename(f, ".json"))
          .sort();
        assert.deepEqual(lib.map((e) => e.fn).sort(), expected);
      });
    } finally {
      child.kill("SIGINT");
      assert.equal(await exited, 0, `Node-RED stopped cleanly; stderr: ${out}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

// The SDK's model index loaded lazily (lib/sls/sdk-models.ts): same names and classes, few modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { modelIndex } from "../../lib/sls/sdk-models";

const indexFile = path.join(path.dirname(require.resolve("@alicloud/sls20201230")), "models", "model.js");

test("modelIndex: every export of the installed SDK's model index, with the module that defines it", () => {
  const source = fs.readFileSync(indexFile, "utf8");
  const names = modelIndex(source);
  assert.ok(names);
  const declared = [...source.matchAll(/^Object\.defineProperty\(exports, "(?!__esModule")([\w$]+)"/gm)].map((m) => m[1]);
  assert.ok(declared.length > 400);
  assert.deepEqual([...names.keys()].sort(), declared.sort());
  assert.deepEqual(names.get("ListShardsResponse"), { file: "ListShardsResponse", name: "ListShardsResponse" });
  for (const [exported, { file, name }] of [...names].slice(0, 50)) {
    assert.equal(exported, name);
    assert.ok(fs.existsSync(path.join(path.dirname(indexFile), `${file}.js`)), file);
  }
});

test("modelIndex: an index laid out otherwise is left alone", () => {
  const source = fs.readFileSync(indexFile, "utf8");
  assert.equal(modelIndex(source + '\nconst extra = require("./Other");\n'), null);
  assert.equal(modelIndex(source + '\nObject.defineProperty(exports, "Other", { get() { return 1; } });\n'), null);
  assert.equal(modelIndex('"use strict";\nmodule.exports = require("./all");\n'), null);
});

test("the client loads the SDK with only the models it touches, and the SDK exports the same classes", () => {
  const script = `
    const before = Object.keys(require.cache).length;
    const { SlsClient } = require(${JSON.stringify(require.resolve("../../lib/sls/client"))});
    const sdk = require("@alicloud/sls20201230");
    const models = () => Object.keys(require.cache).filter((f) => f.includes("sls20201230/dist/models/")).length;
    const loaded = models();
    const viaSdk = sdk.ListShardsResponse;
    const direct = require(${JSON.stringify(path.join(path.dirname(indexFile), "ListShardsResponse.js"))}).ListShardsResponse;
    const client = new SlsClient({ endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "a", accessKeySecret: "b" } });
    console.log(JSON.stringify({ loaded, after: models(), same: viaSdk === direct, isClass: typeof viaSdk, client: typeof client.listShards, names: Object.keys(sdk).length }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).trim().split("\n").pop()!) as Record<string, unknown>;
  assert.equal(out.same, true);
  assert.equal(out.isClass, "function");
  assert.equal(out.client, "function");
  assert.ok((out.loaded as number) < 20, `model modules loaded with the client: ${String(out.loaded)}`);
  assert.ok((out.after as number) > (out.loaded as number));
  assert.ok((out.names as number) > 400);
});

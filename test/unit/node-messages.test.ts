// Runtime texts of the nodes are message-catalogue keys (nodes/messages.ts): every key the node
// files and the library's status code name exists in the en-US catalogue of its node type, and
// a key is rendered by RED._, or in English from the catalogue when Node-RED has no text for it.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { NodeAPI } from "node-red";
import { catalogue, english, joined } from "../../nodes/messages";
import { FAULT_KINDS, faultStatusKey } from "../../lib/syslog/faults";

const root = path.resolve(__dirname, "..", "..", "..");
const TYPES = ["sls-ack", "sls-connection", "sls-consumer", "sls-syslog-map", "sls-syslog-out", "sls-syslog-server", "sls-stats"];

function catalogueOf(type: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(root, "nodes", "locales", "en-US", `${type}.json`), "utf8")) as Record<string, unknown>;
}

function lookup(tree: unknown, key: string): unknown {
  let node = tree;
  for (const part of key.split(".")) node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

/** Keys named as string literals ("sls-consumer.status.waiting") in the node files and the library's status code. */
function keysInSource(): Array<{ file: string; key: string }> {
  const files = [
    ...fs
      .readdirSync(path.join(root, "nodes"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => path.join("nodes", f)),
    "lib/syslog/sink-status.ts",
  ];
  const out: Array<{ file: string; key: string }> = [];
  for (const file of files) {
    const src = fs.readFileSync(path.join(root, file), "utf8");
    for (const m of src.matchAll(/["`](sls-[a-z-]+\.(?:status|errors|warnings|log|duration)\.[\w.-]+)["`]/g)) out.push({ file, key: m[1] });
  }
  return out;
}

test("every catalogue key the nodes use exists in the en-US catalogue of its node type", () => {
  const keys = keysInSource();
  assert.ok(keys.length >= 40, `found ${keys.length} keys`);
  for (const { file, key } of keys) {
    const type = key.slice(0, key.indexOf("."));
    assert.ok(TYPES.includes(type), `${file}: ${key}`);
    assert.equal(typeof lookup(catalogueOf(type), key), "string", `${file}: ${key} is in nodes/locales/en-US/${type}.json`);
  }
  for (const kind of FAULT_KINDS) assert.equal(typeof lookup(catalogueOf("sls-syslog-out"), faultStatusKey(kind)), "string", kind);
  for (const what of ["ca", "cert", "key"]) assert.equal(typeof lookup(catalogueOf("sls-syslog-server"), `sls-syslog-server.errors.file.${what}`), "string");
});

test("no English status, warning or error text left in the node files", () => {
  for (const f of fs.readdirSync(path.join(root, "nodes")).filter((f) => f.endsWith(".ts"))) {
    const src = fs.readFileSync(path.join(root, "nodes", f), "utf8");
    // A text argument of status/warn/error/log that is a literal (not a key, not t(...)).
    for (const m of src.matchAll(/\b(?:node\.(?:warn|error|log)|RED\.log\.\w+|new Error|new SlsError\([^,]+,)\(?\s*(["`'])([^"`']*)\1/g))
      assert.fail(`${f}: ${m[0]}`);
    // Texts the admin endpoints send back to the dialogs.
    for (const m of src.matchAll(/\b(?:message|error):\s*(["`'])([^"`']*)\1/g)) assert.fail(`${f}: ${m[0]}`);
    for (const m of src.matchAll(/text:\s*(["`'])([^"`']*)\1/g)) assert.match(m[2], /^sls-[a-z-]+\.status\.[\w.-]+$/, `${f}: ${m[0]}`);
  }
});

test("catalogue(): RED._'s text when Node-RED has one, else the en-US catalogue's English (the test helper's RED._ returns the key)", () => {
  const echo = { _: (k: string) => k } as unknown as NodeAPI;
  const t = catalogue(echo, "sls-consumer");
  assert.equal(t("sls-consumer.status.waiting", { shards: 3 }), "waiting for delivery (3 shards)");
  assert.equal(t("config.why.required"), "required", "the config section the build adds");
  assert.equal(t("sls-consumer.no.such.key"), "sls-consumer.no.such.key");
  const german = {
    _: (k: string, p?: Record<string, unknown>) => (k === "sls-consumer.status.waiting" ? `wartet auf Zustellung (${String(p?.shards)} Shards)` : k),
  } as unknown as NodeAPI;
  assert.equal(catalogue(german, "sls-consumer")("sls-consumer.status.waiting", { shards: 3 }), "wartet auf Zustellung (3 Shards)");
  assert.equal(
    joined(t, [
      { key: "sls-consumer.status.running", params: { shards: 4, rate: 120 } },
      { key: "sls-consumer.status.lag", params: { lag: 2 } },
    ]),
    "4 shards · 120 logs/s · lag 2s",
  );
  assert.equal(english("sls-ack", "sls-ack.status.acknowledged", { count: 7 }), "7 acknowledged");
});

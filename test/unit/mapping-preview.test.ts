import { test } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import { previewMapping, presetConfig } from "../../lib/mapping";
import { parseRfc5424 } from "../support/rfc5424-parser";
import { parseCef } from "../support/cef-parser";

const SLS = { project: "p1", logstore: "audit", shard: 3, cursor: "MTU0Mg==", time: 1714979289, timeNs: 123456789, index: 4 };
const RECORD = { __time__: 1714979289, __source__: "10.0.0.5", user: "alice", msg: "bad||pass=word", note: "中文" };

test("preview: the exact RFC 5424 line lib/syslog formats from the mapped record", () => {
  const r = previewMapping(presetConfig("rfc5424")!, JSON.stringify({ payload: RECORD, sls: SLS }));
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.lines, [
    '<14>1 2024-05-06T07:08:09.123456Z 10.0.0.5 audit 3 - [sls@32473 project="p1" logstore="audit" shard="3" cursor="MTU0Mg==" idx="4"] \ufeff{"msg":"bad||pass=word","note":"中文","user":"alice"}',
  ]);
  const parsed = parseRfc5424(Buffer.from(r.lines[0], "utf8"));
  assert.equal(parsed.hostname, "10.0.0.5");
});

test("preview: CEF keeps its literal prefix (no BOM); RFC 3164 on request; a batch gives one line per record", () => {
  const cef = previewMapping(presetConfig("arcsight-cef")!, JSON.stringify({ payload: RECORD, sls: SLS }));
  const line = cef.lines[0];
  assert.match(line, /^<14>1 2024-05-06T07:08:09\.123456Z 10\.0\.0\.5 audit - - - CEF:0\|/);
  parseCef(line.slice(line.indexOf("CEF:")));
  const bsd = previewMapping(presetConfig("arcsight-cef")!, JSON.stringify({ payload: RECORD, sls: SLS }), { format: "rfc3164" });
  assert.match(bsd.lines[0], /^<14>May {2}6 07:08:09 10\.0\.0\.5 audit: CEF:0\|Alibaba Cloud\|SLS\|1\.0\|audit\|SLS log\|1\|rt=1714979289123 /);
  const batch = previewMapping(
    { format: "kv", appName: "app", appNameType: "str" },
    JSON.stringify([
      { __time__: 1714979289, a: "1" },
      { __time__: 1714979290, a: "2" },
    ]),
  );
  // No hostname mapped: sls-syslog-out's default (this host) fills it, as in the flow.
  const host = os.hostname();
  assert.deepEqual(batch.lines, [`<14>1 2024-05-06T07:08:09Z ${host} app - - - ||a=1`, `<14>1 2024-05-06T07:08:10Z ${host} app - - - ||a=2`]);
});

test("preview: the line as a given sls-syslog-out would send it (its defaults, BOM policy, size limit)", () => {
  const cfg = {
    format: "template" as const,
    template: "{{note}} {{msg}}",
    hostname: "",
    hostnameType: "none" as const,
    appName: "",
    appNameType: "none" as const,
  };
  const out = {
    format: "rfc5424",
    facility: "local4",
    severity: "notice",
    hostname: "fwd-01",
    appName: "aliyun-sls",
    procId: "42",
    msgId: "AUDIT",
    bom: "never",
    maxMessageBytes: 90,
  };
  const r = previewMapping(cfg, JSON.stringify({ payload: RECORD, sls: SLS }), out);
  // facility/severity are mapped (user.info); the empty header fields take the out node's values.
  assert.deepEqual(r.lines, ["<14>1 2024-05-06T07:08:09.123456Z fwd-01 aliyun-sls 42 AUDIT - 中文 bad||pass=word"]);
  const cut = previewMapping({ ...cfg, template: "x".repeat(200) }, JSON.stringify({ payload: RECORD, sls: SLS }), out);
  assert.equal(Buffer.byteLength(cut.lines[0]), 90);
  assert.match(cut.lines[0], / \[truncated\]$/);
});

test("preview: bad samples are reported, not thrown", () => {
  assert.match(previewMapping({}, "{nope").error!, /not valid JSON/);
  assert.match(previewMapping({}, "x".repeat(2 << 20)).error!, /longer than/);
  const many = previewMapping({}, JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ __time__: 1714979289, i: String(i) }))));
  assert.equal(many.lines.length, 20);
  const scalar = previewMapping({}, "42");
  assert.equal(scalar.lines.length, 1);
  assert.match(scalar.warnings.join("\n"), /msg.payload is not an SLS record/);
});

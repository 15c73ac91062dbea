import { test } from "node:test";
import assert from "node:assert/strict";
import { compileMapper, PRESETS, presetConfig } from "../../lib/mapping";
import type { SyslogFields } from "../../lib/mapping/types";
import { parseCef } from "../support/cef-parser";
import { parseLeef } from "../support/leef-parser";
// nsyslog-parser ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nsyslog = require("nsyslog-parser") as (line: string) => {
  type?: string;
  cef?: Record<string, string>;
  leef?: Record<string, string>;
  fields?: Record<string, string>;
};

const SLS = { project: "p1", logstore: "audit", consumerGroup: "cg", shard: 3, cursor: "C0", time: 1714979289, timeNs: 5, token: "t.1" };

test("batch: an array in, an array out, parallel, with per-record metadata and log-group indexes", () => {
  const payload = [
    { __time__: 1714979200, user: "a" },
    { __time__: 1714979201, user: "b" },
    { __time__: 1714979300, user: "c" },
  ];
  const sls = {
    ...SLS,
    records: [
      { cursor: "C0", index: 0, time: 1714979200, timeNs: 1, source: "h0" },
      { cursor: "C0", index: 1, time: 1714979201, timeNs: 2, source: "h0" },
      { cursor: "C1", index: 0, time: 1714979300, timeNs: 0, source: "h1" },
    ],
  };
  const out = compileMapper({ format: "kv", sdEnabled: true, sdDedup: true }).mapMessage(payload, sls) as SyslogFields[];
  assert.ok(Array.isArray(out));
  assert.equal(out.length, 3);
  assert.deepEqual(
    out.map((o) => o.message),
    ["||user=a", "||user=b", "||user=c"],
  );
  assert.deepEqual(
    out.map((o) => o.timestamp),
    [
      { seconds: 1714979200, nanos: 1 },
      { seconds: 1714979201, nanos: 2 },
      { seconds: 1714979300, nanos: 0 },
    ],
  );
  assert.deepEqual(
    out.map((o) => o.hostname),
    ["h0", "h0", "h1"],
  );
  assert.deepEqual(
    out.map((o) => o.structuredData!["sls@32473"]),
    [
      { project: "p1", logstore: "audit", shard: 3, cursor: "C0", idx: 0 },
      { project: "p1", logstore: "audit", shard: 3, cursor: "C0", idx: 1 },
      { project: "p1", logstore: "audit", shard: 3, cursor: "C1", idx: 0 },
    ],
  );
  // Without records[], the batch-level time is not applied to every record: __time__ is used.
  const bare = compileMapper({ format: "none" }).mapMessage(payload, SLS) as SyslogFields[];
  assert.deepEqual(
    bare.map((o) => o.timestamp!.seconds),
    [1714979200, 1714979201, 1714979300],
  );
  // Without an index the dedup key is not guessed from positions (a log group may straddle two
  // batch messages): idx is left out and that is reported once.
  const warnings: string[] = [];
  const noIndex = compileMapper({ format: "none", sdEnabled: true, sdDedup: true }, (t) => warnings.push(t)).mapMessage(payload, {
    ...SLS,
    records: sls.records.map(({ index: _i, ...r }) => r),
  }) as SyslogFields[];
  assert.deepEqual(
    noIndex.map((o) => o.structuredData!["sls@32473"].idx),
    [undefined, undefined, undefined],
  );
  assert.equal(warnings.length, 1);
});

test("bad input never throws: non-objects, nulls, huge values, cyclic objects; one warning per kind", () => {
  const warnings: string[] = [];
  const m = compileMapper(presetConfig("arcsight-cef")!, (t) => warnings.push(t));
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const inputs: unknown[] = [
    "a string",
    null,
    42,
    Buffer.from("x"),
    [null, "s", { a: 1 }],
    { huge: "z".repeat(5_000_000), detail: "{bad" },
    cyclic,
    { big: 10n },
    {},
  ];
  for (let round = 0; round < 3; round++)
    for (const p of inputs) {
      const out = m.mapMessage(p, round === 1 ? null : SLS);
      for (const o of Array.isArray(out) ? out : [out]) {
        assert.equal(typeof o.message, "string");
        parseCef(o.message!);
      }
    }
  const kinds = new Set(warnings);
  assert.equal(kinds.size, warnings.length, "no warning repeats");
  assert.ok(warnings.length <= 8, warnings.join("\n"));
});

test("every preset compiles and yields parseable output for a typical record", () => {
  const rec = {
    __time__: 1714979289,
    __topic__: "login",
    __source__: "10.0.0.5",
    "__tag__:__client_ip__": "10.0.0.9",
    user: "alice",
    action: "login",
    detail: '{"ok":true}',
  };
  for (const name of Object.keys(PRESETS)) {
    const warnings: string[] = [];
    const out = compileMapper(presetConfig(name)!, (t) => warnings.push(t)).mapMessage(rec, { ...SLS, topic: "login", index: 0 }) as SyslogFields;
    assert.deepEqual(warnings, [], name);
    assert.equal(typeof out.message, "string", name);
    if (name === "qradar-leef") {
      const e = parseLeef(out.message!);
      assert.equal(e.eventId, "audit");
      assert.deepEqual(Object.fromEntries(e.attributes).cat, "login");
      assert.deepEqual(Object.fromEntries(e.attributes).src, "10.0.0.9");
    }
    if (name === "arcsight-cef") assert.equal(Object.fromEntries(parseCef(out.message!).extension).rt, "1714979289000");
    if (name === "splunk-json") assert.deepEqual(JSON.parse(out.message!).detail, { ok: true });
    if (name === "rfc5424") assert.equal(out.procId, "3");
    if (name === "recipe")
      assert.equal(out.message, '||__topic__=login||__source__=10.0.0.5||__tag__:__client_ip__=10.0.0.9||user=alice||action=login||detail={"ok":true}');
  }
});

test("nsyslog-parser agrees on CEF and LEEF headers and plain values (where it is correct)", () => {
  const rec = { user: "alice", act: "login", n: "5" };
  const cef = compileMapper({ format: "cef", eventId: "audit.login", eventIdType: "str" }).mapMessage(rec, SLS) as SyslogFields;
  const line = `<14>1 2024-05-06T07:08:09.000Z host app - - - ${cef.message}`;
  const p = nsyslog(line);
  assert.equal(p.type, "CEF");
  assert.deepEqual(p.cef, {
    version: "CEF:0",
    deviceVendor: "Alibaba Cloud",
    deviceProduct: "SLS",
    deviceVersion: "1.0",
    deviceEventClassID: "audit.login",
    name: "SLS log",
    severity: "1",
    extension: "user=alice act=login n=5",
  });
  assert.deepEqual(p.fields, { user: "alice", act: "login", n: "5" });
  const leef = compileMapper({ format: "leef", leefDevTime: "none" }).mapMessage(rec, SLS) as SyslogFields;
  const q = nsyslog(`<14>1 2024-05-06T07:08:09.000Z host app - - - ${leef.message}`);
  assert.equal(q.type, "LEEF");
  assert.deepEqual(q.leef, {
    leefVersion: "LEEF:2.0",
    vendor: "Alibaba Cloud",
    product: "SLS",
    version: "1.0",
    eventID: "audit",
    delimiter: "^",
    extension: "sev=2^user=alice^act=login^n=5",
  });
  assert.deepEqual(q.fields, { sev: "2", user: "alice", act: "login", n: "5" });
});

test("records with prototype-named keys (__proto__, constructor) map like any other field in every format", () => {
  const rec = JSON.parse('{"__proto__":"p","constructor":"c","toString":"t","user":"u"}') as Record<string, unknown>;
  // "__proto__" looks like an SLS internal (__name__) and is dropped by default.
  assert.equal((compileMapper({ format: "kv" }).mapMessage(rec, SLS) as SyslogFields).message, "||constructor=c||toString=t||user=u");
  const kv = compileMapper({ format: "kv", keepInternal: true }).mapMessage(rec, SLS) as SyslogFields;
  assert.equal(kv.message, "||__proto__=p||constructor=c||toString=t||user=u");
  const json = compileMapper({ format: "json", keepInternal: true }).mapMessage(rec, SLS) as SyslogFields;
  assert.deepEqual(Object.entries(JSON.parse(json.message!)), [
    ["__proto__", "p"],
    ["constructor", "c"],
    ["toString", "t"],
    ["user", "u"],
  ]);
  const cef = parseCef((compileMapper({ format: "cef", keepInternal: true }).mapMessage(rec, SLS) as SyslogFields).message!);
  assert.deepEqual(cef.extension, [
    ["proto", "p"],
    ["constructor", "c"],
    ["toString", "t"],
    ["user", "u"],
  ]);
  const leef = parseLeef((compileMapper({ format: "leef", leefDevTime: "none", keepInternal: true }).mapMessage(rec, SLS) as SyslogFields).message!);
  assert.deepEqual(leef.attributes.slice(1), [
    ["__proto__", "p"],
    ["constructor", "c"],
    ["toString", "t"],
    ["user", "u"],
  ]);
  const sd = compileMapper({ format: "none", sdEnabled: true, sdFields: "*, __proto__" }).mapMessage(rec, SLS) as SyslogFields;
  assert.deepEqual(Object.keys(sd.structuredData!["sls@32473"]), ["_proto_", "constructor", "toString", "user"]);
  const t = compileMapper({ format: "template", template: "{{constructor}}/{{toString}}/{{hasOwnProperty}}" }).mapMessage(rec, SLS) as SyslogFields;
  assert.equal(t.message, "c/t/");
});

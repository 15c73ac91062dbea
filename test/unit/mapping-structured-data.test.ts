// The mapping node's structured data: which record fields become parameters of the one SD element,
// under which names, and the dedup key (project, logstore, shard, cursor, idx) that lets a SIEM
// drop the repeats of a failover replay.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compileStructuredData, DEFAULT_SD_ID, MAX_SD_VALUE, sanitizeSdId, sanitizeSdName, type SdOptions } from "../../lib/mapping/structured-data";
import { Warnings } from "../../lib/mapping/warnings";
import type { RecordMeta } from "../../lib/mapping/types";

function compiled(o: Partial<SdOptions>): { sd: (rec: Record<string, unknown>, meta?: RecordMeta) => unknown; warnings: string[] } {
  const warnings: string[] = [];
  const f = compileStructuredData({ sdId: DEFAULT_SD_ID, fields: "", dedup: false, ...o }, new Warnings((w) => warnings.push(w)));
  return { sd: (rec, meta = {}) => f({ rec: rec as never, meta }), warnings };
}

test("mapping SD: the SD-ID is kept when valid, sanitised and warned about otherwise; blank becomes sls@32473", () => {
  const ids: Array<[string, string, string[]]> = [
    ["sls@32473", "sls@32473", []],
    ["  sls@32473 ", "sls@32473", []],
    ["", "sls@32473", ['SD-ID "" is not a valid SD-NAME; using "sls@32473"']],
    ["   ", "sls@32473", ['SD-ID "   " is not a valid SD-NAME; using "sls@32473"']],
    ["a@1.2.3", "a@1.2.3", []],
    ["origin", "origin", []],
    ["timeQuality", "timeQuality", []],
    ["meta", "meta", []],
    ["my id@1", "my_id@1", ['SD-ID "my id@1" is not a valid SD-NAME; using "my_id@1"']],
    ["mine", "mine", ['SD-ID "mine" should be name@<your IANA enterprise number>, e.g. sls@32473']],
    ["@1", "@1", ['SD-ID "@1" should be name@<your IANA enterprise number>, e.g. sls@32473']],
    ["a@b@1", "a@b@1", ['SD-ID "a@b@1" should be name@<your IANA enterprise number>, e.g. sls@32473']],
    ["x@", "x@", ['SD-ID "x@" should be name@<your IANA enterprise number>, e.g. sls@32473']],
    ["x@1.", "x@1.", ['SD-ID "x@1." should be name@<your IANA enterprise number>, e.g. sls@32473']],
    ["x@a1", "x@a1", ['SD-ID "x@a1" should be name@<your IANA enterprise number>, e.g. sls@32473']],
    ["x@1a", "x@1a", ['SD-ID "x@1a" should be name@<your IANA enterprise number>, e.g. sls@32473']],
    ["x@12.34", "x@12.34", []],
    ["xy@12", "xy@12", []],
  ];
  for (const [id, want, warned] of ids) {
    const warnings: string[] = [];
    assert.equal(sanitizeSdId(id, new Warnings((w) => warnings.push(w))), want, JSON.stringify(id));
    assert.deepEqual(warnings, warned, JSON.stringify(id));
  }
  assert.equal(sanitizeSdName(""), "_");
  assert.equal(sanitizeSdName('a=b]c"d é'), "a_b_c_d__");
  assert.equal(sanitizeSdName("k".repeat(40)), "k".repeat(32));
  // The ID names the element.
  assert.deepEqual(compiled({ sdId: "ours@9", fields: "a" }).sd({ a: "1" }), { "ours@9": { a: "1" } });
});

test("mapping SD: fields by name or glob (globs never pick SLS internals, exact names do); nothing chosen, no element", () => {
  const rec = { user: "alice", ip: "10.0.0.1", __topic__: "t", "__tag__:__hostname__": "h", n: 5, ok: true };
  assert.deepEqual(compiled({ fields: " user , ip ,," }).sd(rec), { [DEFAULT_SD_ID]: { user: "alice", ip: "10.0.0.1" } });
  assert.deepEqual(compiled({ fields: "*" }).sd(rec), { [DEFAULT_SD_ID]: { user: "alice", ip: "10.0.0.1", n: 5, ok: true } });
  assert.deepEqual(compiled({ fields: "__topic__,u*" }).sd(rec), { [DEFAULT_SD_ID]: { user: "alice", __topic__: "t" } });
  assert.deepEqual(compiled({ fields: "__tag__:*" }).sd(rec), undefined, "a glob does not pick internals");
  assert.equal(compiled({ fields: "" }).sd(rec), undefined);
  assert.equal(compiled({ fields: " , " }).sd(rec), undefined);
  assert.equal(compiled({ fields: "absent" }).sd(rec), undefined);
  // The choice per key is remembered; the same mapper over many records and keys stays right.
  const many = compiled({ fields: "k*" });
  for (let i = 0; i < 5000; i++) assert.deepEqual(many.sd({ [`k${i}`]: i, [`x${i}`]: i }), { [DEFAULT_SD_ID]: { [`k${i}`]: i } });
});

test("mapping SD: values flattened (8 levels), arrays as JSON, numbers and booleans typed, long text cut with a warning, names sanitised and de-duplicated", () => {
  const { sd, warnings } = compiled({ fields: "*" });
  let deep: Record<string, unknown> = { leaf: "x" };
  for (let i = 0; i < 9; i++) deep = { d: deep };
  const out = sd({
    o: { a: 1, b: { c: "two" }, n: null, u: undefined },
    arr: [1, "x", { y: 2 }],
    deep,
    big: 10n,
    "a b": "1",
    a_b: "2",
    "a=b": "3",
    __proto__x: "p",
    long: "é".repeat(MAX_SD_VALUE + 5),
    exact: "z".repeat(MAX_SD_VALUE),
  }) as Record<string, Record<string, unknown>>;
  const p = out[DEFAULT_SD_ID];
  assert.equal(p["o.a"], 1);
  assert.equal(p["o.b.c"], "two");
  assert.ok(!("o.n" in p) && !("o.u" in p));
  assert.equal(p.arr, '[1,"x",{"y":2}]');
  assert.equal(p["d.d.d.d.d.d.d.d".replace(/^/, "deep.").slice(0, 32)], '{"d":{"leaf":"x"}}');
  assert.equal(p.big, "10");
  assert.deepEqual([p.a_b, p.a_b_2, p.a_b_3], ["1", "2", "3"], "first come, first named");
  assert.equal(p.__proto__x, "p");
  assert.equal((p.long as string).length, MAX_SD_VALUE);
  assert.equal(p.exact, "z".repeat(MAX_SD_VALUE));
  assert.deepEqual(warnings, [`structured data: field "long" is longer than ${MAX_SD_VALUE} characters and was cut`]);
  sd({ long: "x".repeat(MAX_SD_VALUE + 1), other: "y".repeat(MAX_SD_VALUE + 1) });
  assert.deepEqual(warnings.slice(1), [`structured data: field "other" is longer than ${MAX_SD_VALUE} characters and was cut`], "one warning per field");
  // A field named __proto__ becomes a parameter, not the object's prototype.
  const proto = compiled({ fields: "__proto__" }).sd(JSON.parse('{"__proto__": "v"}')) as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.entries(proto[DEFAULT_SD_ID]), [["_proto_", "v"]]);
  // Suffixes keep names within 32 characters.
  const k = "k".repeat(32);
  const cut = compiled({ fields: "*" }).sd({ [k + "1"]: "a", [k + "2"]: "b" }) as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(cut[DEFAULT_SD_ID]), [k, "k".repeat(30) + "_2"]);
});

test("mapping SD: the dedup key from the message's metadata, before the fields; fields with those names get a suffix", () => {
  const { sd, warnings } = compiled({ fields: "*", dedup: true });
  const meta: RecordMeta = { project: "p1", logstore: "audit", shard: 3, cursor: "MTU0Mg==", index: 7 };
  assert.deepEqual(Object.entries((sd({ shard: "mine", idx: "x", user: "u" }, meta) as Record<string, Record<string, unknown>>)[DEFAULT_SD_ID]), [
    ["project", "p1"],
    ["logstore", "audit"],
    ["shard", 3],
    ["cursor", "MTU0Mg=="],
    ["idx", 7],
    ["shard_2", "mine"],
    ["idx_2", "x"],
    ["user", "u"],
  ]);
  assert.deepEqual(warnings, []);
  // A field named like a part of the key that the metadata lacks still gets a suffix.
  assert.deepEqual(sd({ idx: "f" }, { project: "p1" }), { [DEFAULT_SD_ID]: { project: "p1", idx_2: "f" } });
  // Without a record index: idx is left out, once said.
  assert.deepEqual(sd({}, { project: "p1" }), { [DEFAULT_SD_ID]: { project: "p1" } });
  assert.deepEqual(sd({}, { logstore: "l", index: 0 }), { [DEFAULT_SD_ID]: { logstore: "l", idx: 0 } });
  assert.deepEqual(sd({}, {}), undefined);
  assert.deepEqual(warnings, ["dedup key: the messages carry no record index (msg.sls.index), so idx is left out and records of one log group share a key"]);
  // Without dedup, fields named like the key keep their names.
  assert.deepEqual(compiled({ fields: "*" }).sd({ shard: "mine" }, meta), { [DEFAULT_SD_ID]: { shard: "mine" } });
});

test("mapping SD: a field named with spaces and punctuation is chosen by its exact name; a glob never picks an internal field, even one named like the glob; a null at the 8th level is left out", () => {
  assert.deepEqual(compiled({ fields: " Stryker was here! " }).sd({ "Stryker was here!": "x" }), { [DEFAULT_SD_ID]: { "Stryker_was_here!": "x" } });
  const globbed = compiled({ fields: "__tag__:*,__x*__,u*" });
  assert.deepEqual(globbed.sd({ "__tag__:*": "t", "__x*__": "x", "__tag__:a": "a", u: "1" }), { [DEFAULT_SD_ID]: { u: "1" } });
  let deep: unknown = null;
  for (let i = 0; i < 8; i++) deep = { d: deep };
  assert.deepEqual(compiled({ fields: "*" }).sd({ deep, z: "1" }), { [DEFAULT_SD_ID]: { z: "1" } }, "8 levels down: a null, left out");
  assert.deepEqual(
    compiled({ fields: "*" }).sd({ deep: { d: deep }, z: "1" }),
    { [DEFAULT_SD_ID]: { "deep.d.d.d.d.d.d.d.d": '{"d":null}', z: "1" } },
    "9 levels: JSON",
  );
});

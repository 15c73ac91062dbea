import { test } from "node:test";
import assert from "node:assert/strict";
import { compileFieldPath, parseFieldPath, MAX_JSON_CHARS } from "../../lib/mapping/field-path";
import { compileFieldSelection, selectedEntries } from "../../lib/mapping/field-selection";
import { Warnings } from "../../lib/mapping/warnings";

function collect(): { w: Warnings; texts: string[] } {
  const texts: string[] = [];
  return { w: new Warnings((t) => texts.push(t)), texts };
}

test("field paths: plain names, dotted SLS keys, brackets, nested JSON text", () => {
  const { w } = collect();
  const rec = {
    user: "alice",
    "__tag__:__hostname__": "web-1",
    "http.status": "200",
    detail: '{"user":{"name":"bob","ids":[7,8]},"a.b":"dot"}',
    obj: { x: { y: 1 } },
  };
  const get = (p: string) => compileFieldPath(p, w)(rec, {});
  assert.equal(get("user"), "alice");
  assert.equal(get("__tag__:__hostname__"), "web-1");
  assert.equal(get("http.status"), "200");
  assert.equal(get("detail.user.name"), "bob");
  assert.equal(get("detail.user.ids[1]"), 8);
  assert.equal(get('detail["a.b"]'), "dot");
  assert.equal(get("detail.a.b"), "dot", "greedy match finds a dotted key inside JSON too");
  assert.equal(get("obj.x.y"), 1);
  assert.equal(get("missing.x"), undefined);
  assert.equal(get("user.x"), undefined, "plain text is not descended into");
  assert.equal(get("constructor"), undefined, "prototype members are not fields");
  assert.equal(get("__proto__"), undefined);
  assert.deepEqual(parseFieldPath('a["x.y"][0].b').segments, [
    { key: "a", atomic: false },
    { key: "x.y", atomic: true },
    { key: "0", atomic: true },
    { key: "b", atomic: false },
  ]);
  assert.ok(parseFieldPath("a[").error);
  assert.ok(parseFieldPath("a[b]").error);
});

test("field paths: invalid or oversized JSON gives undefined and one warning per field, and is parsed once per record", () => {
  const { w, texts } = collect();
  const bad = compileFieldPath("detail.user", w);
  for (let i = 0; i < 100; i++) assert.equal(bad({ detail: "{not json" }, {}), undefined);
  assert.equal(texts.length, 1);
  assert.match(texts[0], /field "detail" does not hold valid JSON/);
  const huge = compileFieldPath("big.a", w);
  assert.equal(huge({ big: '{"a":"' + "x".repeat(MAX_JSON_CHARS) + '"}' }, {}), undefined);
  assert.match(texts[1], /field "big" holds \d+ characters of JSON/);
  // One parse shared by two paths through the same scratch.
  const scratch = {};
  const rec = { d: '{"a":1,"b":2}' };
  const originalParse = JSON.parse;
  let parses = 0;
  JSON.parse = ((t: string) => (parses++, originalParse(t))) as typeof JSON.parse;
  try {
    assert.equal(compileFieldPath("d.a", w)(rec, scratch), 1);
    assert.equal(compileFieldPath("d.b", w)(rec, scratch), 2);
  } finally {
    JSON.parse = originalParse;
  }
  assert.equal(parses, 1);
});

const REC = {
  __time__: 1714979289,
  __topic__: "t",
  __source__: "10.0.0.1",
  "__tag__:__hostname__": "h",
  __time_ns_part__: 5,
  user: "alice",
  ip: "10.1.1.1",
  "x-debug": "1",
  _private_: "p",
};

test("field selection: internals dropped by default, kept on request or when named exactly", () => {
  assert.deepEqual(
    selectedEntries(REC, compileFieldSelection([], false)).map((e) => e[0]),
    ["user", "ip", "x-debug", "_private_"],
  );
  assert.deepEqual(
    selectedEntries(REC, compileFieldSelection([], true)).map((e) => e[0]),
    Object.keys(REC),
  );
  const named = compileFieldSelection(
    [
      { action: "include", pattern: "__source__" },
      { action: "include", pattern: "u*" },
    ],
    false,
  );
  assert.deepEqual(
    selectedEntries(REC, named).map((e) => e[0]),
    ["__source__", "user"],
  );
  const globsDoNotReachInternals = compileFieldSelection([{ action: "include", pattern: "*" }], false);
  assert.ok(!selectedEntries(REC, globsDoNotReachInternals).some(([k]) => k.startsWith("__")));
});

test("field selection: exclude globs win, renames rename and include", () => {
  const d = compileFieldSelection(
    [
      { action: "exclude", pattern: "x-*" },
      { action: "rename", pattern: "__source__", to: "src" },
      { action: "rename", pattern: "user", to: "suser" },
      { action: "exclude", pattern: "?private?" },
    ],
    false,
  );
  assert.deepEqual(selectedEntries(REC, d), [
    ["src", "10.0.0.1"],
    ["suser", "alice"],
    ["ip", "10.1.1.1"],
  ]);
});

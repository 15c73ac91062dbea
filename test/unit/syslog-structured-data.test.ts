// STRUCTURED-DATA as the formatter writes it, against a plain reference written from RFC 5424 §6.3
// and the rules in lib/syslog/structured-data.ts (names sanitised, clashes suffixed, values escaped),
// with none of the formatter's memos: records that repeat an SD-ID's parameters, change one value,
// reorder, add or drop a parameter, or bring a value that takes the general way, each written into
// buffers of every size (a write that did not fit is retried with more room, as the sender does).

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatStructuredData, putStructuredData, sdName } from "../../lib/syslog/structured-data";
import { checkSdId } from "../../lib/syslog/sd-id";
import { SyslogFormatError, type StructuredData } from "../../lib/syslog/formatter-input";

function refName(raw: string): string {
  let out = "";
  for (const ch of raw) {
    const c = ch.codePointAt(0)!;
    out += c >= 0x21 && c <= 0x7e && !'="]'.includes(ch) ? ch : "_";
    if (out.length === 32) break;
  }
  return out || "_";
}

const refValue = (v: unknown): string => (typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v)).replace(/["\\\]]/g, "\\$&");

function refSd(sd: Record<string, unknown>): string {
  let out = "";
  for (const id of Object.keys(sd)) {
    const params = sd[id] as Record<string, unknown> | null | undefined;
    if (params === undefined || params === null) continue;
    out += "[" + id;
    const own = Object.keys(params);
    const taken = new Map(own.filter((k) => refName(k) === k).map((k) => [k, k]));
    for (const key of own) {
      const v = params[key];
      if (v === undefined || v === null) continue;
      let name = refName(key);
      if (name !== key && taken.has(name) && taken.get(name) !== key) {
        for (let i = 2; ; i++) {
          const cand = name.slice(0, 32 - String(i).length - 1) + "_" + i;
          if (!taken.has(cand)) {
            name = cand;
            break;
          }
        }
      }
      taken.set(name, key);
      for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined && one !== null) out += ` ${name}="${refValue(one)}"`;
    }
    out += "]";
  }
  return out || "-";
}

/** putStructuredData into a buffer of `size` bytes at `at`, retried with more room until it fits. */
function written(sd: StructuredData, size: number, at: number): string {
  for (let n = size; ; n = n * 2 + 8) {
    const buf = Buffer.alloc(n, 0x7c);
    const end = putStructuredData(buf, Math.min(at, n), sd);
    if (end <= n) {
      assert.ok(
        buf.subarray(0, Math.min(at, n)).every((b) => b === 0x7c),
        "nothing written before the position",
      );
      return buf.toString("utf8", Math.min(at, n), end);
    }
  }
}

const NUMBERS = [
  0,
  7,
  9,
  10,
  42,
  99,
  100,
  999,
  1000,
  9999,
  10000,
  99999,
  100000,
  999999,
  1e6,
  9999999,
  1e7,
  99999999,
  1e8,
  999999999,
  1e9,
  1e9 + 1,
  2 ** 31,
  -1,
  -0,
  0.5,
  12.25,
  1e21,
  NaN,
  Infinity,
  -Infinity,
];
const STRINGS = ["", "plain", 'q"uote', "back\\slash", "br]acket", '"\\]', "ünïcödé", "日本", "🙂", 'mix é"]', "x".repeat(40)];

test("structured data: every record written as the plain reference says, through the memos, in buffers of every size", () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
  const scalar = (): unknown => {
    const r = rnd(10);
    return r < 4 ? pick(NUMBERS) : r < 8 ? pick(STRINGS) : r === 8 ? rnd(2) === 0 : pick(NUMBERS);
  };
  const KEYS = ["project", "logstore", "shard", "cursor", "idx", "a b", "a_b", "a=b", 'q"k', "é", "k".repeat(40), "k".repeat(31) + "x", "toString"];
  const IDS = ["sls@32473", "x@1", "meta", "origin@1.2"];
  const base: Record<string, Record<string, unknown>> = {};
  for (const id of IDS) base[id] = { project: "prod", logstore: "audit", shard: 3, cursor: "MTcx", idx: 0 };
  for (let step = 0; step < 1500; step++) {
    const id = pick(IDS);
    let params: Record<string, unknown> = { ...base[id] };
    const change = rnd(12);
    const keys = Object.keys(params);
    if (change < 5)
      params[pick(keys)] = scalar(); // one value changes
    else if (change === 5)
      params[pick(KEYS)] = scalar(); // a parameter added (or changed)
    else if (change === 6) delete params[pick(keys)];
    else if (change === 7) params[pick(keys)] = rnd(2) === 0 ? null : undefined;
    else if (change === 8) params[pick(keys)] = rnd(2) === 0 ? [scalar(), null, scalar()] : { o: scalar() };
    else if (change === 9) params = Object.fromEntries(Object.entries(params).reverse());
    else if (change === 10) params = Object.assign(Object.create({ inherited: "never written" }), params);
    // else: the same parameters again
    if (rnd(3) > 0) base[id] = { ...params }; // most records follow on from the last
    const sd: Record<string, unknown> = { [id]: params };
    if (rnd(4) === 0) sd[pick(IDS)] = { ...base[pick(IDS)] };
    if (rnd(10) === 0) sd["nothing@1"] = rnd(2) === 0 ? null : undefined;
    const want = refSd(sd);
    const size = rnd(3) === 0 ? rnd(want.length + 4) : 256;
    const got = written(sd as StructuredData, size, rnd(4));
    if (got !== want) assert.fail(`step ${step}, buffer ${size}: ${JSON.stringify(sd)}\n got ${got}\nwant ${want}`);
  }
  // Inherited SD-IDs are not written either.
  assert.equal(formatStructuredData(Object.assign(Object.create({ "x@1": { k: "v" } }), { "y@1": { k: "w" } })), '[y@1 k="w"]');
});

test("structured data: parameters left out, empty elements, and values that are not an object of parameters", () => {
  assert.equal(formatStructuredData({ "a@1": undefined, "b@1": null } as unknown as StructuredData), "-");
  assert.equal(formatStructuredData(null), "-");
  assert.equal(formatStructuredData(undefined), "-");
  assert.equal(formatStructuredData("x" as unknown as StructuredData), "-");
  for (let i = 0; i < 3; i++) {
    assert.equal(formatStructuredData({ "a@1": { k: undefined, n: null } } as unknown as StructuredData), "[a@1]");
    assert.equal(formatStructuredData({ "e@1": {} }), "[e@1]");
  }
  for (const bad of ["text", 5, true, ["k", "v"]]) {
    assert.throws(
      () => formatStructuredData({ "a@1": bad } as unknown as StructuredData),
      (e: Error) => e instanceof SyslogFormatError && e.problem === "sd-params" && e.message === 'structured data "a@1" must be an object of parameters',
      JSON.stringify(bad),
    );
  }
  // A clash with a name a later clean key holds, and suffixes cut to keep names within 32 characters.
  assert.equal(formatStructuredData({ "z@1": { "k k": "1", k_k: "2" } }), '[z@1 k_k_2="1" k_k="2"]');
  const long = "n".repeat(31);
  assert.equal(
    formatStructuredData({ "z@1": { [long + " "]: "1", [long + "="]: "2", [long + "_"]: "3" } }),
    `[z@1 ${"n".repeat(30)}_2="1" ${"n".repeat(30)}_3="2" ${long}_="3"]`,
  );
});

test("structured data memo: a record that drops the last parameters, or has more, after records with the same leading values", () => {
  const seq: Array<[Record<string, unknown>, string]> = [
    [{ a: 1, b: "x", c: true }, '[d@9 a="1" b="x" c="true"]'],
    [{ a: 1, b: "x", c: true }, '[d@9 a="1" b="x" c="true"]'],
    [{ a: 1, b: "x", c: true }, '[d@9 a="1" b="x" c="true"]'],
    [{ a: 1, b: "x" }, '[d@9 a="1" b="x"]'],
    [{ a: 1, b: "x" }, '[d@9 a="1" b="x"]'],
    [{ a: 1 }, '[d@9 a="1"]'],
    [{ a: 1, b: "x", c: true, d: 0 }, '[d@9 a="1" b="x" c="true" d="0"]'],
    [{ a: 1, b: "x", c: true, d: 0 }, '[d@9 a="1" b="x" c="true" d="0"]'],
    [{ a: 1, b: "x", c: true }, '[d@9 a="1" b="x" c="true"]'],
    [{ a: 1, b: "y", c: true, d: 0 }, '[d@9 a="1" b="y" c="true" d="0"]'],
    [{ a: 1, b: "y", c: true, d: 0 }, '[d@9 a="1" b="y" c="true" d="0"]'],
  ];
  for (const [params, want] of seq) assert.equal(formatStructuredData({ "d@9": params } as StructuredData), want, JSON.stringify(params));
});

/** putStructuredData at position 5 of a roomy buffer: the text, after checking nothing before it was touched and it fit. */
function after5(sd: StructuredData): string {
  const buf = Buffer.alloc(1024, 0x7c);
  const end = putStructuredData(buf, 5, sd);
  assert.ok(end <= buf.length, `fits: ${end}`);
  assert.ok(
    buf.subarray(0, 5).every((b) => b === 0x7c),
    `nothing written before the position: ${buf.toString("latin1", 0, 5)}`,
  );
  return buf.toString("utf8", 5, end);
}

test("structured data memo: records that only look like the last one of their SD-ID are written as themselves", () => {
  const seq = (id: string, records: Array<[Record<string, unknown>, string]>): void => {
    for (const [params, want] of records) assert.equal(after5({ [id]: params } as StructuredData), want, `${id} ${JSON.stringify(params)}`);
  };
  // Inherited parameters named like the remembered ones are not parameters.
  seq("i@1", [
    [{ a: "1", b: "2" }, '[i@1 a="1" b="2"]'],
    [{ a: "1", b: "2" }, '[i@1 a="1" b="2"]'],
    [Object.create({ a: "9" }), "[i@1]"],
    [Object.create({ a: "1", b: "2" }), "[i@1]"],
    [Object.assign(Object.create({ a: "1", b: "2" }), { c: "x" }), '[i@1 c="x"]'],
    [Object.assign(Object.create({ b: "2" }), { a: "1" }), '[i@1 a="1"]'],
    [Object.assign(Object.create({ b: "3" }), { a: "1" }), '[i@1 a="1"]'],
    [{ a: "1", b: "2" }, '[i@1 a="1" b="2"]'],
  ]);
  // An array or object where a text value was: first, middle or last parameter, written after
  // other bytes (the formatter's header comes before).
  for (const [at, odd] of [
    [0, [1, "x"]],
    [1, { o: "é" }],
    [2, [true]],
    [0, { o: 1 }],
  ] as const) {
    const id = `o${at}@1`;
    const params: Record<string, unknown> = { a: "1", b: 2, c: true };
    const text = ['a="1"', 'b="2"', 'c="true"'];
    seq(id, [
      [{ ...params }, `[${id} ${text.join(" ")}]`],
      [{ ...params }, `[${id} ${text.join(" ")}]`],
    ]);
    params[Object.keys(params)[at]] = odd;
    const name = Object.keys(params)[at];
    const values = Array.isArray(odd) ? odd.map((v) => `${name}="${v}"`) : [`${name}="${JSON.stringify(odd).replace(/"/g, '\\"')}"`];
    text.splice(at, 1, ...values);
    seq(id, [[params, `[${id} ${text.join(" ")}]`]]);
  }
  // Names that all need sanitising, record after record.
  seq("u@3", [
    [{ "a b": "1", "c=d": 2 }, '[u@3 a_b="1" c_d="2"]'],
    [{ "a b": "1", "c=d": 2 }, '[u@3 a_b="1" c_d="2"]'],
    [{ "a b": "1", "c=d": 3 }, '[u@3 a_b="1" c_d="3"]'],
  ]);
  // A name that needs sanitising ahead of the remembered ones: the memo's names are only the
  // record's own (this one is also the text StrykerJS puts into an emptied array).
  seq("s@1", [
    [{ a: "1" }, '[s@1 a="1"]'],
    [{ "Stryker was here": "x", a: "1" }, '[s@1 Stryker_was_here="x" a="1"]'],
  ]);
  // Text that is not ASCII, as the first value that changes, after it, and last.
  seq("n@1", [
    [{ a: "1", b: "x", c: "y" }, '[n@1 a="1" b="x" c="y"]'],
    [{ a: "1", b: "x", c: "y" }, '[n@1 a="1" b="x" c="y"]'],
    [{ a: "1", b: "é", c: "y" }, '[n@1 a="1" b="é" c="y"]'],
    [{ a: "1", b: "x", c: "ü" }, '[n@1 a="1" b="x" c="ü"]'],
    [{ a: "2", b: "日本", c: "ü" }, '[n@1 a="2" b="日本" c="ü"]'],
    [{ a: "ö", b: 7, c: "ü" }, '[n@1 a="ö" b="7" c="ü"]'],
    [{ a: "ö", b: 7, c: "ü" }, '[n@1 a="ö" b="7" c="ü"]'],
  ]);
});

test("structured data: inherited, null and undefined parameters and array elements are left out on every path (clean names, sanitised names, first and later records)", () => {
  const proto = { inh: "x", "in h": "y" };
  for (let i = 0; i < 3; i++) {
    const clean = Object.assign(Object.create({ inh: "x" }), { k: [1, null, undefined, 2], n: null, u: undefined, v: "w" });
    assert.equal(formatStructuredData({ [`c${i}@7`]: clean }), `[c${i}@7 k="1" k="2" v="w"]`);
    assert.equal(formatStructuredData({ "c@8": clean }), '[c@8 k="1" k="2" v="w"]');
    const unclean = Object.assign(Object.create(proto), { "a b": [1, null, undefined, 2], n: null, u: undefined, v: "w" });
    assert.equal(formatStructuredData({ [`u${i}@7`]: unclean }), `[u${i}@7 a_b="1" a_b="2" v="w"]`);
    assert.equal(formatStructuredData({ "u@8": unclean }), '[u@8 a_b="1" a_b="2" v="w"]');
  }
});

test('SD-NAMEs: printable ASCII from ! to ~ kept, anything else and = ] " replaced, cut at 32', () => {
  assert.equal(sdName("!~az"), "!~az");
  assert.equal(sdName(" \u007f\u0080é🙂x"), "_____x");
  assert.equal(sdName('a=b]c"d'), "a_b_c_d");
  assert.equal(sdName("🙂".repeat(40)), "_".repeat(32));
  assert.equal(sdName("m".repeat(33)), "m".repeat(32));
});

test("SD-IDs: each refusal says why, with the problem kind; a long ID allowed once is not allowed later without the option", () => {
  const refused: Array<[string, string]> = [
    ["a\u0001b@1", 'only printable US-ASCII without space, =, ] or "'],
    ["aé@1", 'only printable US-ASCII without space, =, ] or "'],
    ["a b@1", 'only printable US-ASCII without space, =, ] or "'],
    ["", 'only printable US-ASCII without space, =, ] or "'],
    ["s".repeat(29) + "@123", "longer than 32 characters"],
    ["custom", "names without @ are reserved for IANA; use name@<enterprise number>"],
    ["@123", "empty name before @"],
    ["x@a1", "the part after @ must be an enterprise number (digits, dots)"],
    ["x@1a", "the part after @ must be an enterprise number (digits, dots)"],
    ["x@1..2", "the part after @ must be an enterprise number (digits, dots)"],
  ];
  for (const [id, why] of refused) {
    assert.throws(
      () => checkSdId(id),
      (e: Error) => e instanceof SyslogFormatError && e.problem === "sd-id" && e.message === `invalid SD-ID "${id}": ${why}`,
      JSON.stringify(id),
    );
  }
  for (const id of ["s".repeat(28) + "@123", "sls@32473.100.7", "a@1", "timeQuality", "origin", "meta"]) checkSdId(id);
  const long = "s".repeat(30) + "@41123";
  checkSdId(long, { allowLongSdId: true });
  checkSdId(long, { allowLongSdId: true });
  assert.throws(() => checkSdId(long), /longer than 32 characters/, "the check remembered for the option does not let it through without");
  assert.throws(() => checkSdId(long, {}), /longer than 32 characters/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { compileMapper, presetConfig } from "../../lib/mapping";
import { leefDelimiterProblem, parseLeefDelimiter } from "../../lib/mapping/leef-delimiter";
import type { FieldRule, MappingConfig, SyslogFields } from "../../lib/mapping/types";
import { parseCef } from "../support/cef-parser";
import { parseLeef } from "../support/leef-parser";
import { parseKvBackslash } from "../support/kv-parser";

const SLS = { project: "p1", logstore: "audit", shard: 3, cursor: "MTU0Mg==", time: 1714979289, timeNs: 123456789 };

/** Values that break naive encoders: separators, escapes, newlines, non-ASCII, huge text. */
const HOSTILE: Record<string, string> = {
  pipes: "a||b|||c|",
  backslash: "C:\\tmp\\",
  equals: "a=b==c=",
  newline: "line1\nline2\r\nline3",
  tab: "x\ty",
  caret: "up^down^^",
  spaces: " lead and trail ",
  quote: 'say "hi"',
  keylike: "x y=z k=v",
  unicode: "主机 ☃ 🎉",
  empty: "",
};

function body(c: MappingConfig, rec: Record<string, unknown>, sls: object = SLS): string {
  const out = compileMapper(c).mapMessage(rec, sls) as SyslogFields;
  return out.message as string;
}

test("kv: the original recipe's body, byte for byte, whatever order the consumer wrote the fields in", () => {
  // sls-consumer writes contents first; the recipe's Python SDK puts the SLS fields first.
  const rec = {
    field1: "value1",
    field2: "a=b c|d",
    __time__: 1714979289,
    __topic__: "topic",
    __source__: "10.0.0.1",
    "__tag__:__hostname__": "h1",
    "__tag__:__path__": "/var/log/x",
  };
  const expected = "||__topic__=topic||__source__=10.0.0.1||__tag__:__hostname__=h1||__tag__:__path__=/var/log/x||field1=value1||field2=a=b c|d";
  assert.equal(body(presetConfig("recipe")!, rec), expected);
  const pythonOrder = {
    __time__: 1714979289,
    __topic__: "topic",
    __source__: "10.0.0.1",
    "__tag__:__hostname__": "h1",
    "__tag__:__path__": "/var/log/x",
    field1: "value1",
    field2: "a=b c|d",
  };
  assert.equal(body(presetConfig("recipe")!, pythonOrder), expected);
});

test("kv: backslash escaping round-trips hostile values and keys, for several separators", () => {
  for (const sep of ["||", "|", ";", " | ", "\t", "^^"]) {
    const out = body({ format: "kv", kvSeparator: sep }, HOSTILE);
    assert.doesNotMatch(out, /[\r\n]/);
    assert.deepEqual(parseKvBackslash(out, sep), Object.entries(HOSTILE), `separator ${JSON.stringify(sep)}`);
  }
  assert.equal(body({ format: "kv" }, { a: "x||y", b: "p\\q", c: "1=2" }), "||a=x\\|\\|y||b=p\\\\q||c=1=2");
  assert.equal(
    body({ format: "kv", kvLeadingSeparator: false, kvSeparator: ";" }, { "bad key=": "v", "sp ace": 1, n: null, o: { z: 1 } }),
    'bad_key_=v;sp_ace=1;n=;o={"z":1}',
  );
});

test("kv: quote mode for Splunk", () => {
  const out = body(
    { format: "kv", kvSeparator: " ", kvEscape: "quote", kvLeadingSeparator: false },
    { a: "plain", b: "two words", c: 'q"uote', d: "", e: "x=y", f: "l1\nl2" },
  );
  assert.equal(out, 'a=plain b="two words" c="q\\"uote" d="" e="x=y" f="l1\\nl2"');
});

test("kv: an unusable separator falls back to || with a warning", () => {
  const warnings: string[] = [];
  const out = compileMapper({ format: "kv", kvSeparator: "a" }, (t) => warnings.push(t)).mapMessage({ k: "v" }, SLS) as SyslogFields;
  assert.equal(out.message, "||k=v");
  assert.equal(warnings.length, 1);
});

test("kv: keys lose the separator's first character; an empty key is _; escape none leaves keys and values raw; record order unless sls-first", () => {
  assert.equal(body({ format: "kv", kvLeadingSeparator: false }, { "a|b": "1", "": "2", "x y": "3" }), "a_b=1||_=2||x_y=3");
  assert.equal(body({ format: "kv", kvLeadingSeparator: false, kvEscape: "none" }, { "a|b": "x||y", "k y": "v" }), "a|b=x||y||k y=v");
  const rec = { z: "1", __topic__: "t", "__tag__:h": "h", __time__: 5, __time_ns_part__: 7, __source__: "s", a: "2" };
  assert.equal(
    body({ format: "kv", kvLeadingSeparator: false, keepInternal: true }, rec),
    "z=1||__topic__=t||__tag__:h=h||__time__=5||__time_ns_part__=7||__source__=s||a=2",
    "the record's order by default",
  );
  assert.equal(
    body({ format: "kv", kvLeadingSeparator: false, keepInternal: true, kvOrder: "sls-first" }, rec),
    "__time__=5||__topic__=t||__source__=s||__time_ns_part__=7||__tag__:h=h||z=1||a=2",
  );
  for (const sep of ["]", "-", "^", "["]) {
    const rec = { [`k${sep}1`]: `v${sep}x`, plain: "p" };
    const out = body({ format: "kv", kvSeparator: sep }, rec);
    assert.deepEqual(
      parseKvBackslash(out, sep),
      [
        [`k_1`, `v${sep}x`],
        ["plain", "p"],
      ],
      `separator ${JSON.stringify(sep)}: ${out}`,
    );
    const quoted = body({ format: "kv", kvSeparator: sep, kvEscape: "quote", kvLeadingSeparator: false }, { a: `x${sep}y`, b: "plain" });
    assert.equal(quoted, `a="x${sep}y"${sep}b=plain`, `quote mode, separator ${JSON.stringify(sep)}`);
  }
});

test("kv: a value that is not a string is written as its text (objects as JSON), or empty when it has none; fields left out are skipped; in either order", () => {
  const loop: Record<string, unknown> = {};
  loop.self = loop; // JSON.stringify throws: no text
  const rec = { __topic__: "t", a: 1, n: null, u: undefined, o: { z: [1, "x"] }, loop, yes: true, big: 10n, drop: "x", s: "s" };
  const values = 'a=1||n=||u=||o={"z":[1,"x"]}||loop=||yes=true||big=10||s=s';
  const exclude: FieldRule[] = [{ action: "exclude", pattern: "drop" }];
  // The record's order; __topic__ (an SLS internal) and drop are left out, the first of them at position 0.
  assert.equal(body({ format: "kv", kvLeadingSeparator: false, fieldRules: exclude }, rec), values);
  assert.equal(
    body({ format: "kv", kvLeadingSeparator: false, fieldRules: exclude }, { ...rec, s: "again" }),
    values.replace("s=s", "s=again"),
    "a second record, same keys",
  );
  // SLS fields first: __time__ left out by the rule, drop too.
  const slsFirst: MappingConfig = {
    format: "kv",
    kvLeadingSeparator: false,
    kvOrder: "sls-first",
    keepInternal: true,
    fieldRules: [...exclude, { action: "exclude", pattern: "__time__" }],
  };
  assert.equal(body(slsFirst, { ...rec, __time__: 5 }), `__topic__=t||${values}`);
  assert.equal(body({ ...slsFirst, kvEscape: "quote", kvSeparator: " " }, { n: null, u: undefined, o: { a: "b c" } }), 'n="" u="" o="{\\"a\\":\\"b c\\"}"');
});

test("json: stable key order whatever the record order; expand embeds JSON text; exotic values do not throw", () => {
  const a = body({ format: "json" }, { b: "2", a: "1", c: { z: 1, y: 2 } });
  const b = body({ format: "json" }, { c: { y: 2, z: 1 }, a: "1", b: "2" });
  assert.equal(a, '{"a":"1","b":"2","c":{"y":2,"z":1}}');
  assert.equal(a, b);
  assert.equal(body({ format: "json", jsonSortKeys: false }, { b: "2", a: "1" }), '{"b":"2","a":"1"}');
  assert.equal(body({ format: "json", jsonExpand: true }, { d: '{"x":[1,{"b":1,"a":2}]}', e: "{oops" }), '{"d":{"x":[1,{"a":2,"b":1}]},"e":"{oops"}');
  assert.equal(body({ format: "json" }, { big: 10n, u: undefined, __proto__x: "p" }), '{"__proto__x":"p","big":"10","u":null}');
  for (const v of Object.values(HOSTILE)) assert.equal(JSON.parse(body({ format: "json" }, { v })).v, v);
  assert.equal(
    body({ format: "json", fieldRules: [{ action: "rename", pattern: "a", to: "b" }] }, { a: "1", b: "2" }),
    '{"b":"1"}',
    "a rename collision keeps the first field",
  );
});

test('CEF: the worked example of docs/syslog-and-siem.md, "CEF" exactly', () => {
  const c: MappingConfig = {
    format: "cef",
    eventId: "audit.login",
    eventIdType: "str",
    eventName: "title",
    eventNameType: "field",
    cefSeverity: "5",
    cefSeverityType: "str",
    attributesIncludeFields: false,
    attributes: [
      { key: "src", type: "field", value: "ip" },
      { key: "suser", type: "field", value: "user" },
      { key: "msg", type: "field", value: "text" },
      { key: "cs1Label", type: "str", value: "project" },
      { key: "cs1", type: "meta", value: "project" },
    ],
  };
  const rec = { title: "Login | console", ip: "10.0.0.1", user: "alice", text: "path C:\\tmp has a=b\nsecond line" };
  const line = body(c, rec);
  assert.equal(
    line,
    "CEF:0|Alibaba Cloud|SLS|1.0|audit.login|Login \\| console|5|src=10.0.0.1 suser=alice msg=path C:\\\\tmp has a\\=b\\nsecond line cs1Label=project cs1=p1",
  );
  const e = parseCef(line);
  assert.equal(e.name, "Login | console");
  assert.deepEqual(Object.fromEntries(e.extension), { src: "10.0.0.1", suser: "alice", msg: rec.text, cs1Label: "project", cs1: "p1" });
});

test("CEF: hostile header and extension values re-parse exactly (strict parser)", () => {
  const rec = { ...HOSTILE, "bad key!": "k", "__tag__:x": "internal" };
  const c: MappingConfig = {
    format: "cef",
    vendor: "Ven|dor\\",
    product: "pipes",
    productType: "field",
    eventName: "newline",
    eventNameType: "field",
    eventId: "backslash",
    eventIdType: "field",
  };
  const line = body(c, rec);
  const e = parseCef(line);
  assert.equal(e.vendor, "Ven|dor\\");
  assert.equal(e.product, HOSTILE.pipes);
  assert.equal(e.signatureId, HOSTILE.backslash);
  assert.equal(e.name, "line1 line2 line3", "CR/LF are not allowed in the header: replaced by spaces");
  const ext = Object.fromEntries(e.extension);
  for (const [k, v] of Object.entries(HOSTILE)) assert.equal(ext[k], v, k);
  assert.equal(ext.bad_key, "k");
  assert.equal(ext.__tag__x, undefined, "internals are dropped by default");
  // Header length limits: Device Vendor 63.
  assert.equal(parseCef(body({ format: "cef", vendor: "v".repeat(100) }, {})).vendor.length, 63);
});

test("CEF: severity scale from the syslog severity, or from a field", () => {
  const expected = [10, 9, 8, 7, 5, 3, 1, 0];
  for (let s = 0; s <= 7; s++) assert.equal(parseCef(body({ format: "cef", severity: s }, {})).severity, String(expected[s]));
  const viaField = (v: string) => parseCef(body({ format: "cef", cefSeverity: "sev", cefSeverityType: "field", severity: "notice" }, { sev: v })).severity;
  assert.equal(viaField("10"), "10");
  assert.equal(viaField("very-high"), "Very-High");
  assert.equal(viaField("error"), "7");
  assert.equal(viaField("banana"), "3", "unknown: derived from the syslog severity (notice → 3)");
});

test("CEF: the default header, version 1, every severity word and number, and one warning for an unusable severity", () => {
  assert.equal(
    body({ format: "cef", attributesIncludeFields: false, severity: "notice" }, { a: "1" }),
    "CEF:0|Alibaba Cloud|SLS|1.0|audit|SLS log|3|",
    "signature id: the logstore",
  );
  assert.match(body({ format: "cef", cefVersion: "1", attributesIncludeFields: false }, {}), /^CEF:1\|/);
  assert.match(body({ format: "cef", cefVersion: "0", attributesIncludeFields: false }, {}), /^CEF:0\|/);
  assert.equal(
    body({ format: "cef", productVersion: "2.5", attributesIncludeFields: false, severity: 0 }, {}),
    "CEF:0|Alibaba Cloud|SLS|2.5|audit|SLS log|10|",
  );
  const sev = (v: unknown, type: MappingConfig["cefSeverityType"] = "field"): { severity: string; warnings: string[] } => {
    const warnings: string[] = [];
    const out = compileMapper({ format: "cef", cefSeverity: "sev", cefSeverityType: type, severity: "notice", attributesIncludeFields: false }, (w) =>
      warnings.push(w),
    ).mapMessage({ sev: v }, SLS) as SyslogFields;
    return { severity: parseCef(out.message as string).severity, warnings };
  };
  for (const [v, want] of [
    ["0", "0"],
    ["9", "9"],
    [" 10 ", "10"],
    ["unknown", "Unknown"],
    ["Low", "Low"],
    ["MEDIUM", "Medium"],
    ["high", "High"],
    ["Very-High", "Very-High"],
    ["emerg", "10"],
    ["debug", "0"],
    [7, "7"],
  ] as const) {
    assert.deepEqual(sev(v), { severity: want, warnings: [] }, String(v));
  }
  for (const bad of ["11", "-1", "1.5", "10x", "x10", "", "banana"]) {
    const r = sev(bad);
    assert.equal(r.severity, "3", `${JSON.stringify(bad)}: the syslog severity's CEF value`);
    assert.equal(r.warnings.length, 1, JSON.stringify(bad));
    assert.match(r.warnings[0], new RegExp(`CEF severity from field "sev": "${bad.trim()}" is not 0–10 or a severity name; using the syslog severity`));
  }
  assert.deepEqual(sev(undefined).severity, "3");
  assert.deepEqual(sev("2", "auto"), { severity: "3", warnings: [] }, "auto: from the syslog severity, the field is not read");
});

test("CEF: extension keys keep [A-Za-z0-9_] and lose leading and trailing underscores", () => {
  const out = body({ format: "cef" }, { "_a b_": "1", "x.y-z": "2", ok_k: "3", _lead: "4", trail__: "5" });
  assert.match(out, /\|a_b=1 x_y_z=2 ok_k=3 lead=4 trail=5$/);
});

test("CEF: header fields from record fields fall back to the defaults where a record lacks them, with one warning naming the header field", () => {
  const warnings: string[] = [];
  const m = compileMapper(
    {
      format: "cef",
      attributesIncludeFields: false,
      severity: "notice",
      vendor: "v",
      vendorType: "field",
      product: "p",
      productType: "field",
      productVersion: "pv",
      productVersionType: "field",
      eventId: "id",
      eventIdType: "field",
      eventName: "n",
      eventNameType: "field",
    },
    (w) => warnings.push(w),
  );
  const line = (rec: Record<string, unknown>): string => (m.mapMessage(rec, SLS) as SyslogFields).message as string;
  assert.equal(line({ v: "V", p: "P", pv: "9", id: "I", n: "N" }), "CEF:0|V|P|9|I|N|3|");
  assert.equal(warnings.length, 0);
  assert.equal(line({}), "CEF:0|Alibaba Cloud|SLS|1.0|sls-log|SLS log|3|");
  assert.deepEqual(warnings, [
    'CEF vendor: field "v" has no value in some records; using "Alibaba Cloud"',
    'CEF product: field "p" has no value in some records; using "SLS"',
    'CEF device version: field "pv" has no value in some records; using "1.0"',
    'CEF signature id: field "id" has no value in some records; using "sls-log"',
    'CEF name: field "n" has no value in some records; using "SLS log"',
  ]);
  // Type "none": the default, without a warning.
  const none = compileMapper(
    {
      format: "cef",
      attributesIncludeFields: false,
      severity: "notice",
      vendorType: "none",
      productType: "none",
      productVersionType: "none",
      eventIdType: "none",
      eventNameType: "none",
    } as MappingConfig,
    (w: string) => warnings.push(w),
  );
  assert.equal((none.mapMessage({}, SLS) as SyslogFields).message, "CEF:0|Alibaba Cloud|SLS|1.0|sls-log|SLS log|3|");
  assert.equal(warnings.length, 5);
});

test("CEF: values made only of characters to escape are escaped; keys lose every leading and trailing underscore; warnings name an absent severity and an unusable key", () => {
  const cfg = {
    format: "cef",
    attributesIncludeFields: false,
    severity: "notice",
    vendor: "|",
    product: "\\",
    productVersion: "\n",
    eventId: "\r\n",
    eventIdType: "str",
    eventName: "||",
  } as MappingConfig;
  assert.equal(body(cfg, {}), "CEF:0|\\||\\\\| | |\\|\\||3|", "CR LF together become one space");
  for (const [v, want] of [
    ["=", "\\="],
    ["\\", "\\\\"],
    ["\n", "\\n"],
    ["\r", "\\r"],
    ["==", "\\=\\="],
  ]) {
    assert.equal(body({ format: "cef", severity: "notice" }, { k: v }), `CEF:0|Alibaba Cloud|SLS|1.0|audit|SLS log|3|k=${want}`, JSON.stringify(v));
  }
  assert.match(body({ format: "cef" }, { "-_x_-": "1", "..y..": "2", "._.": "3" }), /\|x=1 y=2$/);
  const warnings: string[] = [];
  const m = compileMapper(
    { format: "cef", cefSeverity: "sev", cefSeverityType: "field", severity: "notice", attributes: [{ key: "***", type: "str", value: "x" }] },
    (w) => warnings.push(w),
  );
  assert.match((m.mapMessage({ a: "1" }, SLS) as SyslogFields).message as string, /\|3\|a=1$/);
  compileMapper({ format: "cef", cefSeverity: "nope", cefSeverityType: "meta" }, (w) => warnings.push(w));
  assert.deepEqual(warnings.slice(0, 2), [
    'CEF extension: attribute key "***" is not usable and was left out',
    'CEF severity from field "sev": "" is not 0–10 or a severity name; using the syslog severity',
  ]);
  assert.match(warnings[2], /^CEF severity: unknown metadata key "nope" \(known: project, /);
});

test("LEEF 2.0: header, delimiter field, devTime + devTimeFormat, sev, hostile values (strict parser)", () => {
  const rec = { ...HOSTILE, ip: "10.0.0.1" };
  const line = body(
    {
      format: "leef",
      leefDelimiter: "^",
      vendor: "Ali|baba",
      eventId: "__topic__",
      eventIdType: "field",
      severity: "err",
      attributes: [{ key: "src", type: "field", value: "ip" }],
    },
    { __topic__: "lo\ngin", ...rec },
  );
  const e = parseLeef(line);
  assert.equal(e.version, "2.0");
  assert.equal(e.vendor, "Ali_baba");
  assert.equal(e.eventId, "lo_gin");
  assert.equal(e.delimiterSpec, "^");
  const a = Object.fromEntries(e.attributes);
  assert.equal(a.devTime, "2024-05-06T07:08:09.123+0000");
  assert.equal(a.devTimeFormat, "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
  assert.equal(a.sev, "7");
  assert.equal(a.src, "10.0.0.1");
  assert.equal(a.caret, "up down  ", "the delimiter cannot be escaped: replaced by a space");
  assert.equal(a.newline, "line1 line2  line3");
  assert.equal(a.equals, HOSTILE.equals);
  assert.equal(a.pipes, HOSTILE.pipes);
  assert.equal(a.unicode, HOSTILE.unicode);
  assert.equal(a.tab, HOSTILE.tab);
  assert.match(line, /^LEEF:2\.0\|Ali_baba\|SLS\|1\.0\|lo_gin\|\^\|devTime=/);
});

test("LEEF: 1.0 uses TAB; 2.0 hex delimiters; bad delimiters fall back to ^", () => {
  const v1 = body({ format: "leef", leefVersion: "1.0", leefDevTime: "none" }, { a: "x\ty", b: "2" });
  assert.equal(v1, "LEEF:1.0|Alibaba Cloud|SLS|1.0|audit|sev=2\ta=x y\tb=2");
  assert.deepEqual(parseLeef(v1).attributes, [
    ["sev", "2"],
    ["a", "x y"],
    ["b", "2"],
  ]);
  const hex = body({ format: "leef", leefDelimiter: "0x09", leefDevTime: "epoch" }, { a: "1" });
  assert.equal(hex, "LEEF:2.0|Alibaba Cloud|SLS|1.0|audit|x09|devTime=1714979289123\tsev=2\ta=1");
  assert.equal(parseLeef(hex).delimiter, "\t");
  const warnings: string[] = [];
  const bad = compileMapper({ format: "leef", leefDelimiter: "ab", leefDevTime: "none" }, (t) => warnings.push(t)).mapMessage({ a: "1" }, SLS) as SyslogFields;
  assert.equal(bad.message, "LEEF:2.0|Alibaba Cloud|SLS|1.0|audit|^|sev=2^a=1");
  assert.equal(warnings.length, 1);
  // A mapped sev wins over the computed one; keys are sanitised.
  const mapped = body({ format: "leef", leefDevTime: "none", attributes: [{ key: "sev", type: "str", value: "9" }] }, { "a key": "1", sev: "3" });
  assert.deepEqual(parseLeef(mapped).attributes, [
    ["sev", "9"],
    ["a_key", "1"],
  ]);
});

test("LEEF 2.0: a delimiter that cannot be escaped is refused; a value can never forge an attribute (strict parser)", () => {
  // The finding: with a space as delimiter, "bob sev=1 src=6.6.6.6" became three more attributes.
  const rec = { user: "bob sev=1 src=6.6.6.6", "x y": "tab\there" };
  for (const spec of [" ", "x20", "0x20", "_", "x5F", "xA0", "x3000", "x0B", "x00", "x85", "xD800", "é"]) {
    assert.ok(leefDelimiterProblem(spec), `delimiter ${JSON.stringify(spec)} must be refused`);
    const warnings: string[] = [];
    const line = (compileMapper({ format: "leef", leefDelimiter: spec, leefDevTime: "none" }, (t) => warnings.push(t)).mapMessage(rec, SLS) as SyslogFields)
      .message as string;
    assert.deepEqual(
      parseLeef(line).attributes,
      [
        ["sev", "2"],
        ["user", rec.user],
        ["x_y", "tab\there"],
      ],
      `delimiter ${JSON.stringify(spec)}: ${line}`,
    );
    assert.match(warnings[0] ?? "", /LEEF delimiter refused/);
  }
  // Every character that is accepted keeps every hostile key and value inside its own attribute.
  const accepted: string[] = [];
  for (let code = 0; code <= 0xffff; code++) {
    const spec = "x" + code.toString(16);
    if (leefDelimiterProblem(spec) !== undefined) continue;
    const d = String.fromCharCode(code);
    accepted.push(d);
    const hostile: Record<string, string> = {
      plain: "v",
      forged: `bob${d}sev=1${d}src=6.6.6.6 dst=7.7.7.7\tk=v`,
      [`key${d}with${d}delim`]: `${d}${d}`,
      "key with space": "a b",
      "key=eq": "x=y",
      newline: "a\r\nb",
    };
    const line = (compileMapper({ format: "leef", leefDelimiter: spec, leefDevTime: "none" }).mapMessage(hostile, SLS) as SyslogFields).message as string;
    const attrs = parseLeef(line).attributes;
    assert.equal(attrs.length, 1 + Object.keys(hostile).length, `delimiter U+${code.toString(16)}: ${JSON.stringify(line)}`);
    assert.deepEqual(
      attrs.map(([k]) => k).slice(1),
      Object.keys(hostile).map((k) => k.replace(new RegExp(`[=|\\s${d.replace(/[\]\\^\-[]/g, "\\$&")}]`, "g"), "_")),
    );
    for (const [, v] of attrs) assert.ok(!v.includes(d), `a value keeps the delimiter U+${code.toString(16)}`);
  }
  assert.equal(accepted.join(""), "\t!\"#$%&'()*+,-./:;<>?@[\\]^`{}~");
});

test("LEEF 2.0 delimiter settings: each refusal says why, at the edges of every class; accepted ones and how the header writes them", () => {
  const refused: Array<[string, string]> = [
    ["", '"" is not one character or a hex code (x09, 0x5E)'],
    ["ab", '"ab" is not one character or a hex code (x09, 0x5E)'],
    ["ax5E", '"ax5E" is not one character or a hex code (x09, 0x5E)'],
    ["x5Ez", '"x5Ez" is not one character or a hex code (x09, 0x5E)'],
    ["x12345", '"x12345" is not one character or a hex code (x09, 0x5E)'],
    [" ", "a space cannot be escaped in LEEF values (it is what the delimiter is replaced with): a value could forge attributes"],
    ["x20", "a space cannot be escaped in LEEF values (it is what the delimiter is replaced with): a value could forge attributes"],
    ["_", "_ cannot be escaped in LEEF keys (it is what the delimiter is replaced with)"],
    ["|", "| is LEEF syntax"],
    ["=", "= is LEEF syntax"],
    ["a", "letters and digits occur in keys and values"],
    ["x30", "letters and digits occur in keys and values"],
    ["x0B", "whitespace (U+000B) other than TAB may be folded or trimmed on the way and cannot be told from the text"],
    ["xA0", "whitespace (U+00A0) other than TAB may be folded or trimmed on the way and cannot be told from the text"],
    ["x00", "control character U+0000 is dropped or escaped by syslog receivers"],
    ["x1F", "control character U+001F is dropped or escaped by syslog receivers"],
    ["x7F", "control character U+007F is dropped or escaped by syslog receivers"],
    ["x9F", "control character U+009F is dropped or escaped by syslog receivers"],
    ["xD800", "U+D800 is half of a surrogate pair and has no UTF-8 form"],
    ["xDFFF", "U+DFFF is half of a surrogate pair and has no UTF-8 form"],
    ["xA1", "U+00A1 is not ASCII: use TAB (x09) or ASCII punctuation such as ^"],
    ["xD7FB", "U+D7FB is not ASCII: use TAB (x09) or ASCII punctuation such as ^"],
    ["xE000", "U+E000 is not ASCII: use TAB (x09) or ASCII punctuation such as ^"],
    ["é", "U+00E9 is not ASCII: use TAB (x09) or ASCII punctuation such as ^"],
  ];
  for (const [spec, why] of refused) {
    assert.equal(leefDelimiterProblem(spec), why, JSON.stringify(spec));
    assert.equal(parseLeefDelimiter(spec), undefined, JSON.stringify(spec));
  }
  const accepted: Array<[string, string, string]> = [
    ["^", "^", "^"],
    ["x5E", "^", "^"],
    ["0x5e", "^", "^"],
    ["\t", "\t", "x09"],
    ["x9", "\t", "x09"],
    ["0x0009", "\t", "x09"],
    ["!", "!", "!"],
    ["x7E", "~", "~"],
  ];
  for (const [spec, char, header] of accepted) {
    assert.equal(leefDelimiterProblem(spec), undefined, JSON.stringify(spec));
    assert.deepEqual(parseLeefDelimiter(spec), { char, header }, JSON.stringify(spec));
  }
  // An accepted delimiter is used without a warning; a refused one is named in the warning.
  for (const [spec, warned] of [
    ["~", []],
    ["x7F", ['LEEF delimiter refused: control character U+007F is dropped or escaped by syslog receivers; using "^"']],
  ] as const) {
    const warnings: string[] = [];
    compileMapper({ format: "leef", leefDelimiter: spec }, (w) => warnings.push(w));
    assert.deepEqual(warnings, warned, spec);
  }
});

test("LEEF: header fallbacks and custom values, values with a lone CR or LF, fields left out, and the keys the encoder writes itself", () => {
  const warnings: string[] = [];
  const m = compileMapper(
    {
      format: "leef",
      leefDevTime: "none",
      severity: "notice",
      vendor: "v",
      vendorType: "field",
      product: "p",
      productType: "field",
      productVersion: "pv",
      productVersionType: "field",
      eventId: "id",
      eventIdType: "field",
    },
    (w) => warnings.push(w),
  );
  assert.equal((m.mapMessage({}, SLS) as SyslogFields).message, "LEEF:2.0|Alibaba Cloud|SLS|1.0|sls-log|^|sev=4");
  assert.deepEqual(warnings, [
    'LEEF vendor: field "v" has no value in some records; using "Alibaba Cloud"',
    'LEEF product: field "p" has no value in some records; using "SLS"',
    'LEEF version: field "pv" has no value in some records; using "1.0"',
    'LEEF event id: field "id" has no value in some records; using "sls-log"',
  ]);
  const cfg = {
    format: "leef",
    leefDevTime: "none",
    severity: "notice",
    vendor: "|",
    product: "P\r",
    productVersion: "9\n",
    eventId: "E",
    eventIdType: "str",
  } as MappingConfig;
  assert.equal(body(cfg, {}), "LEEF:2.0|_|P_|9_|E|^|sev=4", "header fields: | CR LF become _");
  for (const v of ["\nx", "\rx", "a\nb", "a\rb", "^", "x^"]) {
    assert.equal(
      body({ format: "leef", leefDevTime: "none", severity: "notice" }, { k: v }),
      `LEEF:2.0|Alibaba Cloud|SLS|1.0|audit|^|sev=4^k=${v.replace(/[\r\n^]/g, " ")}`,
      JSON.stringify(v),
    );
  }
  assert.equal(
    body(
      { format: "leef", leefDevTime: "none", severity: "notice", attributesIncludeFields: false, attributes: [{ key: "src", type: "field", value: "ip" }] },
      { ip: "1.2.3.4", other: "x" },
    ),
    "LEEF:2.0|Alibaba Cloud|SLS|1.0|audit|^|sev=4^src=1.2.3.4",
  );
  // Record fields never repeat sev, devTime or devTimeFormat; a mapped devTime replaces the encoder's.
  const ts = body({ format: "leef", severity: "notice" }, { sev: "x", devTime: "y", devTimeFormat: "z", a: "1" });
  assert.equal(ts, "LEEF:2.0|Alibaba Cloud|SLS|1.0|audit|^|devTime=2024-05-06T07:08:09.123+0000^devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ^sev=4^a=1");
  assert.equal(
    body({ format: "leef", severity: "notice", attributes: [{ key: "devTime", type: "field", value: "t" }] }, { t: "1714979289000" }),
    "LEEF:2.0|Alibaba Cloud|SLS|1.0|audit|^|sev=4^devTime=1714979289000^t=1714979289000",
  );
  const attrWarnings: string[] = [];
  compileMapper({ format: "leef", attributes: [{ key: "", type: "str", value: "x" }] }, (w) => attrWarnings.push(w));
  assert.deepEqual(attrWarnings, ['LEEF attribute: attribute key "" is not usable and was left out']);
});

test("template: mustache placeholders, raw, metadata, sections, syntax errors", () => {
  const rec = { user: "alice", url: "https://x/a?b=1&c=2", detail: '{"n":{"m":"deep"}}', empty: "" };
  const t = (template: string, extra: MappingConfig = {}) => body({ format: "template", template, ...extra }, rec);
  assert.equal(t("{{user}} at {{ url }}"), "alice at https://x/a?b=1&c=2", "no HTML escaping by default");
  assert.equal(t("{{url}}", { templateEscape: "html" }), "https:&#x2F;&#x2F;x&#x2F;a?b&#x3D;1&amp;c&#x3D;2");
  assert.equal(t("{{{url}}}|{{& url}}", { templateEscape: "html" }), "https://x/a?b=1&c=2|https://x/a?b=1&c=2");
  assert.equal(t("{{detail.n.m}} {{@project}}/{{@logstore}}#{{@shard}} {{@timeIso}}"), "deep p1/audit#3 2024-05-06T07:08:09.123Z");
  assert.equal(t("{{#user}}U={{user}}{{/user}}{{#empty}}E{{/empty}}{{^empty}}noE{{/empty}}{{^missing}}!{{/missing}}"), "U=alicenoE!");
  assert.equal(t("a{{! note }}b{{missing}}c"), "abc");
  const warnings: string[] = [];
  const broken = compileMapper({ format: "template", template: "{{#a}}x" }, (w) => warnings.push(w)).mapMessage(rec, SLS) as SyslogFields;
  assert.equal(broken.message, "{{#a}}x");
  assert.equal(warnings.length, 1);
  assert.equal(t("{{user"), "{{user");
});

test("structured data: chosen fields, sanitised SD-NAMEs with suffixes, dedup key, SD-ID checks", () => {
  const rec = {
    user: "alice",
    "my key": "1",
    'a"b]c=d': "2",
    project: "shadow",
    n: 5,
    ok: true,
    nested: { a: { b: "x" } },
    list: [1, 2],
    __source__: "s",
    long: "y".repeat(3000),
    ["k".repeat(40)]: "long name",
  };
  const out = compileMapper({
    format: "none",
    sdEnabled: true,
    sdFields: "user, my key, a*, project, n, ok, nested, list, __source__, long, k*",
    sdDedup: true,
  }).mapMessage(rec, { ...SLS, index: 7 }) as SyslogFields;
  const sd = out.structuredData!["sls@32473"];
  assert.deepEqual(Object.keys(out.structuredData!), ["sls@32473"]);
  assert.equal(sd.project, "p1");
  assert.equal(sd.logstore, "audit");
  assert.equal(sd.shard, 3);
  assert.equal(sd.cursor, "MTU0Mg==");
  assert.equal(sd.idx, 7);
  assert.equal(sd.project_2, "shadow", "a field clashing with a dedup param gets a suffix");
  assert.equal(sd.my_key, "1");
  assert.equal(sd.a_b_c_d, "2");
  assert.equal(sd.n, 5);
  assert.equal(sd.ok, true);
  assert.equal(sd["nested.a.b"], "x");
  assert.equal(sd.list, "[1,2]");
  assert.equal(sd.__source__, "s", "exact names reach internals");
  assert.equal((sd.long as string).length, 2048);
  assert.equal(sd["k".repeat(32)], "long name");
  for (const k of Object.keys(sd)) {
    assert.match(k, /^[\x21-\x7e]{1,32}$/);
    assert.doesNotMatch(k, /[=\]" ]/);
  }

  const warnings: string[] = [];
  const bad = compileMapper({ format: "none", sdEnabled: true, sdId: "my sd", sdDedup: true }, (t) => warnings.push(t)).mapMessage({}, SLS) as SyslogFields;
  assert.deepEqual(Object.keys(bad.structuredData!), ["my_sd"]);
  assert.equal(warnings.length, 3, "invalid SD-NAME, missing @PEN, no record index");
  const none = compileMapper({ format: "none", sdEnabled: true, sdFields: "absent" }).mapMessage({}, SLS) as SyslogFields;
  assert.equal(none.structuredData, undefined, "no params: no SD element");
});

test("kv, CEF and LEEF bodies from one compiled mapper over records whose fields change order, appear and go: each as a fresh mapper writes it", () => {
  // The encoders remember the last record's field order (a prefix per position); every record
  // must still get its own keys.
  const recs: Array<Record<string, unknown>> = [
    { a: "1", b: "2", c: "3" },
    { a: "1", b: "2", c: "3" },
    { a: "1", c: "3", b: "2" },
    { b: "2", a: "1" },
    { a: "1", b: "2", c: "3", d: "4" },
    { x: "9" },
    {},
    { a: "1", b: "2", c: "3" },
    { a: "1", b: "2", "__tag__:t": "tag", c: "3" },
    { a: 5, b: true, c: null, d: { o: 1 } },
  ];
  for (const c of [
    { format: "kv" },
    { format: "kv", kvEscape: "quote", kvSeparator: " " },
    presetConfig("arcsight-cef")!,
    presetConfig("qradar-leef")!,
  ] as MappingConfig[]) {
    const shared = compileMapper(c);
    for (const rec of recs) {
      const got = (shared.mapMessage(rec, SLS) as SyslogFields).message;
      assert.equal(got, body(c, rec), `${c.format}: ${JSON.stringify(rec)}`);
    }
  }
});

test("CEF and LEEF: fields whose names give the same key are all written, the later ones under key_2, key_3 (no repeated key), with one warning", () => {
  for (const format of ["cef", "leef"] as const) {
    const warnings: string[] = [];
    const m = compileMapper({ format, leefDevTime: "none" } as MappingConfig, (t) => warnings.push(t));
    const read = (rec: Record<string, string>): Array<[string, string]> => {
      const out = m.mapMessage(rec, SLS) as SyslogFields;
      return format === "cef" ? parseCef(String(out.message)).extension : parseLeef(String(out.message)).attributes.filter(([k]) => k !== "sev");
    };
    // The first record that shows the shared key is written with it already resolved.
    const first = read({ "a-b": "1", "a b": "2", a_b_2: "3" });
    assert.deepEqual(
      first.filter(([k]) => k.startsWith("a")),
      format === "cef"
        ? [
            ["a_b", "1"],
            ["a_b_3", "2"],
            ["a_b_2", "3"],
          ]
        : [
            ["a-b", "1"],
            ["a_b", "2"],
            ["a_b_2", "3"],
          ],
      format,
    );
    if (format === "cef") {
      assert.deepEqual(
        read({ "a b": "x", "a-b": "y" }).filter(([k]) => k.startsWith("a")),
        [
          ["a_b", "x"],
          ["a_b_3", "y"],
        ],
      );
      assert.equal(warnings.filter((w) => w.includes("both give the key a_b")).length, 1, warnings.join("\n"));
    }
  }
});

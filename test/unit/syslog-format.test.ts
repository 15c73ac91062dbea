import { test } from "node:test";
import assert from "node:assert/strict";
import { facilityCode, severityCode, priority } from "../../lib/syslog/facility-severity";
import { formatRfc5424 } from "../../lib/syslog/rfc5424";
import { formatRfc3164 } from "../../lib/syslog/rfc3164";
import { formatRfc3339, toInstant, type Instant } from "../../lib/syslog/timestamp";
import { escapeParamValue, formatStructuredData, sdName } from "../../lib/syslog/structured-data";
import { checkSdId } from "../../lib/syslog/sd-id";
import { headerField } from "../../lib/syslog/header-field";
import { utf8Prefix } from "../../lib/syslog/message-body";
import { SyslogFormatError, type StructuredData, type SyslogRecord } from "../../lib/syslog/formatter-input";
import { parseRfc5424, ParseError } from "../support/rfc5424-parser";
// glossy has no types; it is a devDependency used only as an independent cross-check.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const glossy = require("glossy").Parse as { parse(s: string): Record<string, unknown> };

const FIXED: Instant = { ms: Date.UTC(2024, 4, 6, 7, 8, 9, 500), micros: 0, digits: 3, offsetMin: 0 };
const now = (): Instant => FIXED;

/** Formats and re-parses strictly; every test goes through here. */
function fmt(rec: SyslogRecord, opts: Parameters<typeof formatRfc5424>[1] = {}) {
  const buf = formatRfc5424(rec, { now, ...opts });
  const parsed = parseRfc5424(buf, { allowLongSdId: opts.allowLongSdId });
  return { buf, text: buf.toString("utf8"), parsed };
}

test("facility and severity: numbers, numeric strings, names, aliases; 0 is real; unknown → null", () => {
  assert.equal(facilityCode(0), 0);
  assert.equal(facilityCode("0"), 0);
  assert.equal(facilityCode("kern"), 0);
  assert.equal(facilityCode("LOCAL0"), 16);
  assert.equal(facilityCode("local7"), 23);
  assert.equal(facilityCode("authpriv"), 10);
  assert.equal(facilityCode("cron"), 9);
  assert.equal(facilityCode("audit"), 13);
  assert.equal(facilityCode("console"), 14);
  for (const bad of [24, -1, 1.5, "local8", "lokal0", "", NaN, null, undefined, {}, "1e1"]) assert.equal(facilityCode(bad), null, String(bad));
  assert.equal(severityCode(0), 0);
  assert.equal(severityCode("emerg"), 0);
  assert.equal(severityCode("err"), 3);
  assert.equal(severityCode("Error"), 3);
  assert.equal(severityCode("warning"), 4);
  assert.equal(severityCode("informational"), 6);
  assert.equal(severityCode("debug"), 7);
  for (const bad of [8, "8", "loud", true]) assert.equal(severityCode(bad), null);
  assert.equal(priority(23, 7), 191);
});

test("every facility 0..23 × severity 0..7 yields PRI fac*8+sev (no shifted table)", () => {
  for (let f = 0; f < 24; f++)
    for (let s = 0; s < 8; s++) {
      const { parsed } = fmt({ facility: f, severity: s });
      assert.equal(parsed.pri, f * 8 + s);
    }
});

test("facility 0 and severity 0 are not replaced by defaults; bad names fall back to defaults", () => {
  assert.ok(fmt({ facility: 0, severity: 0 }, { defaultFacility: 16, defaultSeverity: 6 }).text.startsWith("<0>1 "));
  assert.ok(fmt({ facility: "bogus", severity: "loud" }, { defaultFacility: 16, defaultSeverity: 6 }).text.startsWith("<134>1 "));
});

test("RFC vector: all fields unknown, no SD, no MSG", () => {
  const buf = formatRfc5424({ facility: 4, severity: 2, timestamp: "-" as unknown as string }, { now: () => FIXED });
  // "-" is not a timestamp we accept, so the clock is used: a sender with a clock must write it.
  assert.equal(buf.toString(), "<34>1 2024-05-06T07:08:09.500Z - - - - -");
  const p = parseRfc5424(buf);
  assert.equal(p.msg, null);
});

test("RFC 5424 §6.5 example 1 and 3 reproduced byte for byte", () => {
  const ex1 = fmt(
    {
      facility: 4,
      severity: 2,
      timestamp: "2003-10-11T22:14:15.003Z",
      hostname: "mymachine.example.com",
      appName: "su",
      msgId: "ID47",
      message: "'su root' failed for lonvick on /dev/pts/8",
    },
    { bom: "always" },
  );
  assert.equal(ex1.text, "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \ufeff'su root' failed for lonvick on /dev/pts/8");
  const ex3 = fmt(
    {
      facility: 20,
      severity: 5,
      timestamp: "2003-10-11T22:14:15.003Z",
      hostname: "mymachine.example.com",
      appName: "evntslog",
      msgId: "ID47",
      structuredData: { "exampleSDID@32473": { iut: "3", eventSource: "Application", eventID: 1011 } },
      message: "An application event log entry...",
    },
    { bom: "always" },
  );
  assert.equal(
    ex3.text,
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \ufeffAn application event log entry...',
  );
  const g = glossy.parse(ex3.text);
  assert.equal(g.prival, 165);
  assert.equal(g.host, "mymachine.example.com");
  assert.deepEqual(g.structuredData, { "exampleSDID@32473": { iut: "3", eventSource: "Application", eventID: "1011" } });
});

test("timestamps: SLS seconds+nanos, Date, epoch ms, strings with offsets; ≤ 6 fraction digits", () => {
  const cases: Array<[unknown, string]> = [
    [{ seconds: 1714979289, nanos: 123456789 }, "2024-05-06T07:08:09.123456Z"],
    [{ seconds: 1714979289 }, "2024-05-06T07:08:09Z"],
    [{ seconds: 1714979289, nanos: 0 }, "2024-05-06T07:08:09Z"],
    [{ seconds: 1714979289, nanos: 999 }, "2024-05-06T07:08:09.000000Z"],
    [new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123)), "2024-05-06T07:08:09.123Z"],
    [1714979289123, "2024-05-06T07:08:09.123Z"],
    [1714979289123.456, "2024-05-06T07:08:09.123456Z"],
    ["2024-05-06T15:08:09.123456+08:00", "2024-05-06T15:08:09.123456+08:00"],
    ["2024-05-06T07:08:09.1234567Z", "2024-05-06T07:08:09.123456Z"],
    ["2024-05-06T15:08:09+0800", "2024-05-06T15:08:09+08:00"],
    ["2024-05-06 07:08:09z", "2024-05-06T07:08:09Z"],
    ["2024-05-06t07:08:09-05:30", "2024-05-06T07:08:09-05:30"],
    ["2024-05-06T07:08:09.5Z", "2024-05-06T07:08:09.500Z"],
  ];
  for (const [input, want] of cases) {
    const { parsed } = fmt({ timestamp: input as SyslogRecord["timestamp"] });
    assert.equal(parsed.timestamp, want, JSON.stringify(input));
  }
  // Offsets keep the instant: +08:00 15:08 == 07:08Z.
  assert.equal(toInstant("2024-05-06T15:08:09+08:00")!.ms, Date.UTC(2024, 4, 6, 7, 8, 9));
  // Invalid: leap second, Feb 30, garbage → the clock.
  for (const bad of ["2024-12-31T23:59:60Z", "2024-02-30T00:00:00Z", "yesterday", new Date(NaN), NaN, { seconds: NaN }]) {
    assert.equal(fmt({ timestamp: bad as SyslogRecord["timestamp"] }).parsed.timestamp, "2024-05-06T07:08:09.500Z", String(bad));
  }
  assert.equal(formatRfc3339({ ms: Date.UTC(2024, 0, 1), micros: 7, digits: 6, offsetMin: -90 }), "2023-12-31T22:30:00.000007-01:30");
});

test("header fields: printable US-ASCII only, length caps 255/48/128/32, '-' when empty", () => {
  const { parsed, text } = fmt({ hostname: "my host", appName: "主机app", procId: 4711, msgId: "a\nb\u0000c" });
  assert.equal(parsed.hostname, "my_host");
  assert.equal(parsed.appName, "__app");
  assert.equal(parsed.procId, "4711");
  assert.equal(parsed.msgId, "a_b_c");
  assert.ok(!text.includes("\n"));
  const long = fmt({ hostname: "h".repeat(300), appName: "a".repeat(60), procId: "p".repeat(200), msgId: "m".repeat(40) }).parsed;
  assert.equal(long.hostname!.length, 255);
  assert.equal(long.appName!.length, 48);
  assert.equal(long.procId!.length, 128);
  assert.equal(long.msgId!.length, 32);
  const empty = fmt({ hostname: "", appName: undefined, procId: "", msgId: undefined });
  assert.equal(empty.text, "<14>1 2024-05-06T07:08:09.500Z - - - - -");
  assert.equal(headerField("😀x", 48), "_x", "one replacement per code point");
  assert.equal(headerField("\x7f", 5), "_", "DEL is not printable");
  assert.equal(headerField(0, 5), "0", "0 is a value");
});

test("structured data: escaping, repeated params, numbers and booleans, IANA IDs, multiple elements", () => {
  const { text, parsed } = fmt({
    structuredData: {
      "x@12345": { v: 'a"b\\c]d' },
      "sls@32473": { tag: ["a", "b"], n: 0, ok: false, skip: null, emoji: "😀 中文 [x]" },
      meta: { sequenceId: 9 },
    },
  });
  assert.ok(text.includes('[x@12345 v="a\\"b\\\\c\\]d"]'), text);
  assert.deepEqual(parsed.structuredData, [
    { id: "x@12345", params: [["v", 'a"b\\c]d']] },
    {
      id: "sls@32473",
      params: [
        ["tag", "a"],
        ["tag", "b"],
        ["n", "0"],
        ["ok", "false"],
        ["emoji", "😀 中文 [x]"],
      ],
    },
    { id: "meta", params: [["sequenceId", "9"]] },
  ]);
  assert.equal(escapeParamValue('\\"'), '\\\\\\"', "backslash escaped once, quote once");
  assert.equal(formatStructuredData({}), "-");
  assert.equal(formatStructuredData({ "a@1": null }), "-");
  assert.equal(formatStructuredData({ "a@1": {} }), "[a@1]");
});

test("SD-NAMEs are sanitised and de-duplicated; SD-IDs are validated", () => {
  assert.equal(sdName('my key=1]"x'), "my_key_1__x");
  assert.equal(sdName(""), "_");
  assert.equal(sdName("k".repeat(40)).length, 32);
  const { parsed } = fmt({ structuredData: { "e@1": { "a b": "1", a_b: "2", "a=b": "3" } } });
  // A key that is already a valid name keeps it; sanitised ones that collide get a suffix.
  assert.deepEqual(parsed.structuredData[0].params, [
    ["a_b_2", "1"],
    ["a_b", "2"],
    ["a_b_3", "3"],
  ]);
  for (const ok of ["sls@32473", "a@1.2.3", "timeQuality", "origin", "meta"]) checkSdId(ok);
  for (const bad of ["mySDID", "@123", "x@abc", "x@", "a b@1", 'a"@1', "a]@1", "a=b@1", "x@1.", "é@1", "s".repeat(30) + "@123"]) {
    assert.throws(() => checkSdId(bad), SyslogFormatError, bad);
    assert.throws(() => formatRfc5424({ structuredData: { [bad]: { a: "1" } } }), SyslogFormatError);
  }
  // Sumo Logic style long token IDs only with the escape hatch.
  const token = "0123456789abcdef0123456789abcdef@41123";
  assert.throws(() => checkSdId(token), /longer than 32/);
  assert.equal(fmt({ structuredData: { [token]: {} } }, { allowLongSdId: true }).parsed.structuredData[0].id, token);
  assert.throws(() => formatRfc5424({ structuredData: { "a@1": "x" as never } }), /must be an object/);
});

test("the strict parser itself rejects invalid lines (so it can fail)", () => {
  for (const bad of [
    "<34> 1 - - - - - -",
    "<192>1 - - - - - -",
    "<034>1 - - - - - -",
    "<34>1 2024-05-06T07:08:09.1234567Z - - - - -",
    "<34>1 2024-05-06T15:08:09+0800 - - - - -",
    "<34>1 -  - - - - -",
    '<34>1 - - - - - [mySDID x="1"]',
    '<34>1 - - - - - [a@1 x="1"][a@1 y="2"]',
    '<34>1 - - - - - [a@1 x="a]"]',
    '<34>1 - - - - - [ a@1 x="1"]',
    '<34>1 - - - - - [a@1 my key="1"]',
    "<34>1 - - - - - - \ufeff\u00ff",
    "<34>1 - - - - -",
  ]) {
    const buf = bad.endsWith("\u00ff") ? Buffer.concat([Buffer.from(bad.slice(0, -2)), Buffer.from([0xef, 0xbb, 0xbf, 0xff])]) : Buffer.from(bad);
    assert.throws(() => parseRfc5424(buf), ParseError, bad);
  }
});

test("MSG: BOM policy auto/always/never; object → JSON; Buffer as UTF-8; invalid UTF-8 and lone surrogates repaired", () => {
  assert.equal(fmt({ message: "plain ascii" }).parsed.bom, false);
  const zh = fmt({ message: "中文" });
  assert.equal(zh.parsed.bom, true);
  assert.deepEqual([...zh.parsed.msg!], [0xef, 0xbb, 0xbf, 0xe4, 0xb8, 0xad, 0xe6, 0x96, 0x87]);
  assert.equal(fmt({ message: "CEF:0|Ali|SLS|1|x|中文|3|" }).parsed.bom, false, "CEF prefix must stay literal");
  assert.equal(fmt({ message: "LEEF:2.0|Ali|SLS|1|x|中文" }).parsed.bom, false);
  assert.equal(fmt({ message: "ascii" }, { bom: "always" }).parsed.bom, true);
  assert.equal(fmt({ message: "中文" }, { bom: "never" }).parsed.bom, false);
  assert.equal(fmt({ message: { a: 1, b: "x" } as unknown as string }).parsed.message, '{"a":1,"b":"x"}');
  assert.equal(fmt({ message: Buffer.from("buf ✓") }).parsed.message, "buf ✓");
  const invalid = fmt({ message: Buffer.from([0x61, 0xff, 0xfe, 0x62]) }, { bom: "always" });
  assert.equal(invalid.parsed.message, "a\ufffd\ufffdb");
  assert.equal(fmt({ message: "x\ud800y" }, { bom: "always" }).parsed.message, "x\ufffdy");
  assert.equal(fmt({ structuredData: { "a@1": { v: "\udc00" } } }).parsed.structuredData[0].params[0][1], "\ufffd");
  assert.equal(fmt({ message: "" }).parsed.msg, null, "empty MSG is omitted, no trailing space");
  const nl = fmt({ message: "line1\nline2\u0000" });
  assert.equal(nl.parsed.message, "line1\nline2\u0000", "octet framing carries control characters as is");
});

test("size policy: MSG cut on a UTF-8 boundary with a marker; header and SD never cut", () => {
  const msg = "é".repeat(40000); // 80,000 bytes
  const { buf, parsed } = fmt({ hostname: "h", structuredData: { "a@1": { k: "v" } }, message: msg }, { maxBytes: 1001, bom: "never" });
  assert.ok(buf.length <= 1001 && buf.length >= 999, String(buf.length));
  assert.ok(parsed.message!.endsWith("é [truncated]"));
  assert.deepEqual(parsed.structuredData, [{ id: "a@1", params: [["k", "v"]] }]);
  for (let max = 60; max < 90; max++) {
    const r = formatRfc5424({ message: "😀😀😀😀😀😀😀😀😀😀" }, { now, maxBytes: max, truncationMarker: "…" });
    assert.ok(r.length <= max);
    assert.equal(Buffer.from(r.toString("utf8"), "utf8").equals(r), true, "valid UTF-8 at " + max);
    parseRfc5424(r);
  }
  assert.throws(() => formatRfc5424({ hostname: "x".repeat(200), message: "m" }, { now, maxBytes: 100 }), SyslogFormatError);
  assert.equal(utf8Prefix(Buffer.from("a€"), 3).toString(), "a");
  const big = "x".repeat(64 * 1024);
  assert.equal(fmt({ message: big }).parsed.message, big, "64 KiB passes untouched without a limit");
  assert.equal(fmt({ message: big }, { maxBytes: 8192 }).buf.length, 8192);
});

test("hostile input cannot forge a second message or shift fields", () => {
  const forged = "x\n<34>1 2024-01-01T00:00:00Z victim sshd - - - Accepted password for root";
  const { parsed } = fmt({
    hostname: forged,
    appName: forged,
    procId: forged,
    msgId: forged,
    structuredData: { "a@1": { [forged]: forged } },
    message: forged,
  });
  assert.equal(parsed.hostname!.includes(" "), false);
  assert.equal(parsed.structuredData[0].params[0][1], forged);
  assert.equal(parsed.message, forged);
});

test("glossy cross-check on 300 generated records (where glossy is correct)", () => {
  for (let i = 0; i < 300; i++) {
    const rec: SyslogRecord = {
      facility: i % 24,
      severity: i % 8,
      timestamp: { seconds: 1714979289 + i, nanos: i * 1000 },
      hostname: `host-${i}.example.com`,
      appName: "aliyun-sls",
      procId: String(i % 7),
      msgId: `AUDIT${i % 3}`,
      structuredData: { "sls@32473": { project: "p1", logstore: "audit", shard: i % 4, q: `say "hi" ${i}` } },
      message: `user u${i} did thing ${i} 中文`,
    };
    const { text, parsed } = fmt(rec, { bom: "never" });
    const g = glossy.parse(text);
    assert.equal(g.prival, parsed.pri);
    assert.equal(g.type, "RFC5424");
    assert.equal(g.host, parsed.hostname);
    assert.equal(g.appName, parsed.appName);
    assert.equal(g.pid, parsed.procId);
    assert.equal(g.msgID, parsed.msgId);
    assert.equal(g.message, parsed.message);
    assert.equal((g.time as Date).getTime(), (1714979289 + i) * 1000 + Math.floor(i / 1000));
    const sd = (g.structuredData as Record<string, Record<string, string>>)["sls@32473"];
    assert.equal(sd.shard, String(i % 4));
    assert.equal(sd.project, "p1");
  }
});

test("RFC 3164: space-padded day, UTC, TAG[PID]: content, sanitised host and tag", () => {
  const ts = { seconds: Date.UTC(2024, 4, 6, 15, 8, 9) / 1000 };
  assert.equal(
    formatRfc3164({ facility: 4, severity: 2, timestamp: ts, hostname: "mymachine", appName: "su", procId: 123, message: "'su root' failed" }).toString(),
    "<34>May  6 15:08:09 mymachine su[123]: 'su root' failed",
  );
  assert.equal(
    formatRfc3164({
      facility: 0,
      severity: 0,
      timestamp: { seconds: Date.UTC(2024, 11, 31, 23, 59, 59) / 1000 },
      hostname: "my host",
      appName: "a:b[c]",
      message: "m",
    }).toString(),
    "<0>Dec 31 23:59:59 my_host a_b_c_: m",
  );
  assert.equal(formatRfc3164({ timestamp: ts, message: "CEF:0|x" }).toString(), "<14>May  6 15:08:09 - CEF:0|x");
  const cut = formatRfc3164({ timestamp: ts, hostname: "h", appName: "t", message: "é".repeat(2000) }, { maxBytes: 1024 });
  assert.ok(cut.length <= 1024 && cut.toString().endsWith(" [truncated]"));
});

test("timestamps outside years 0000..9999 are clamped to the nearest end, in RFC 5424 and RFC 3164; years 0..99 are themselves", () => {
  const both = (timestamp: SyslogRecord["timestamp"]): [string, string] => [
    fmt({ timestamp, hostname: "h", message: "m" }).parsed.timestamp ?? "",
    formatRfc3164({ timestamp, hostname: "h", message: "m" }).toString().slice(4, 19),
  ];
  for (const late of [{ seconds: 1e12 }, { seconds: 1e300 }, 1e300, 8.64e15 + 5]) {
    const [a, b] = both(late);
    assert.match(a, /^9999-12-31T23:59:59(\.999)?Z$/, JSON.stringify(late));
    assert.equal(b, "Dec 31 23:59:59", JSON.stringify(late));
  }
  for (const early of [{ seconds: -1e12 }, { seconds: -1e300 }, -1e300, -8.64e15 - 1]) {
    const [a, b] = both(early);
    assert.match(a, /^0000-01-01T00:00:00(\.000)?Z$/, JSON.stringify(early));
    assert.equal(b, "Jan  1 00:00:00", JSON.stringify(early));
  }
  assert.deepEqual(both("0099-03-01T10:00:00+05:00"), ["0099-03-01T10:00:00+05:00", "Mar  1 05:00:00"]);
  assert.deepEqual(both("0000-02-29T10:00:00Z"), ["0000-02-29T10:00:00Z", "Feb 29 10:00:00"]);
  assert.equal(both("9999-12-31T23:59:59.999-05:00")[0], "9999-12-31T23:59:59.999-05:00", "clamped where it is written, at its offset");
});

test("formatter memos (timestamp per second and offset, the HOSTNAME..MSGID run, SD parameter prefixes) never leak one record's text into the next", () => {
  const ms = Date.UTC(2024, 4, 6, 7, 8, 9, 123);
  const at = (offsetMin: number, digits: 0 | 3 | 6 = 3): string => formatRfc3339({ ms, micros: 456, digits, offsetMin });
  assert.equal(at(0), "2024-05-06T07:08:09.123Z");
  assert.equal(at(480), "2024-05-06T15:08:09.123+08:00");
  assert.equal(at(0, 6), "2024-05-06T07:08:09.123456Z");
  assert.equal(formatRfc3339({ ms: ms + 1000, micros: 0, digits: 0, offsetMin: 0 }), "2024-05-06T07:08:10Z");
  assert.equal(at(-330, 0), "2024-05-06T01:38:09-05:30");
  const line = (r: Partial<SyslogRecord>): string =>
    formatRfc5424({ facility: 1, severity: 6, timestamp: new Date(ms), message: "m", ...r }, { bom: "never" }).toString();
  const a = { hostname: "host a", appName: "app", procId: 7, msgId: "ID" };
  assert.equal(line(a), "<14>1 2024-05-06T07:08:09.123Z host_a app 7 ID - m");
  assert.equal(line({ ...a, procId: 8 }), "<14>1 2024-05-06T07:08:09.123Z host_a app 8 ID - m");
  assert.equal(line({ hostname: "b" }), "<14>1 2024-05-06T07:08:09.123Z b - - - - m");
  assert.equal(line(a), "<14>1 2024-05-06T07:08:09.123Z host_a app 7 ID - m");
  // The run is kept from its second time in a row: the third and later come from the memo.
  for (let i = 0; i < 3; i++) assert.equal(line(a), "<14>1 2024-05-06T07:08:09.123Z host_a app 7 ID - m");
  assert.equal(line({ ...a, msgId: "I" + "D2" }), "<14>1 2024-05-06T07:08:09.123Z host_a app 7 ID2 - m");
  assert.equal(line({ ...a, procId: "7" }), "<14>1 2024-05-06T07:08:09.123Z host_a app 7 ID - m", '7 and "7" write the same');
  assert.equal(line({ ...a, hostname: "host" + " a" }), "<14>1 2024-05-06T07:08:09.123Z host_a app 7 ID - m");
  for (let i = 0; i < 3; i++) assert.equal(line({ ...a, appName: "other" }), "<14>1 2024-05-06T07:08:09.123Z host_a other 7 ID - m");
  assert.equal(line({ ...a, appName: undefined }), "<14>1 2024-05-06T07:08:09.123Z host_a - 7 ID - m");
  assert.equal(line({ structuredData: { "x@1": { k: 'a"b', n: 2 } } }), '<14>1 2024-05-06T07:08:09.123Z - - - - [x@1 k="a\\"b" n="2"] m');
  assert.equal(line({ structuredData: { "x@1": { k: "c", "k ": "d" } } }), '<14>1 2024-05-06T07:08:09.123Z - - - - [x@1 k="c" k_="d"] m');
});

test("SD memo (per SD-ID: parameter order, the bytes up to the first value that changed) writes every record's own values", () => {
  // An independent reference: clean names and scalar values only.
  const ref = (sd: Record<string, Record<string, unknown>>): string =>
    Object.entries(sd)
      .filter(([, p]) => p)
      .map(
        ([id, p]) =>
          `[${id}` +
          Object.entries(p)
            .filter(([, v]) => v !== undefined && v !== null)
            .map(([k, v]) => ` ${k}="${String(v).replace(/["\\\]]/g, "\\$&")}"`)
            .join("") +
          "]",
      )
      .join("") || "-";
  const base = { project: "prod", logstore: "audit", shard: 3, cursor: "MTcx", idx: 0 };
  const seq: Array<Record<string, unknown>> = [
    base,
    { ...base }, // same values, another object
    { ...base, idx: 1 }, // the last value changes
    { ...base, idx: 1 },
    { ...base, shard: 4, idx: 1 }, // a middle value changes: the later prefixes held the old one
    { ...base, shard: 4, idx: 2 },
    { ...base, project: "p" + "rod2", shard: 4, idx: 2 }, // the first value changes
    { ...base, project: "prod2", shard: 4, idx: 2 }, // equal text, another string
    { ...base, cursor: 'a]b"c\\d' }, // escaping after a kept prefix
    { ...base, cursor: "ünï" }, // non-ASCII value
    { ...base, shard: -0, idx: 0.5 },
    { ...base, shard: 0, idx: 1e21 },
    { ...base, shard: true, idx: false },
    { ...base, logstore: null }, // a parameter left out: another shape
    { ...base, logstore: undefined, extra: "x" },
    { project: "prod", shard: 3, logstore: "audit", cursor: "MTcx", idx: 0 }, // another order
    { ...base, idx: [1, 2] }, // an array: the general way
    { ...base, idx: { o: 1 } }, // an object: JSON
    base,
    { ...base, idx: 9 },
  ];
  for (const params of seq) {
    const sd = { "sls@32473": params } as unknown as StructuredData;
    const want = Array.isArray(params.idx)
      ? ref({ "sls@32473": { ...params, idx: undefined } }).replace(/]$/, ' idx="1" idx="2"]')
      : typeof params.idx === "object" && params.idx !== null
        ? ref({ "sls@32473": { ...params, idx: JSON.stringify(params.idx) } })
        : ref({ "sls@32473": params });
    assert.equal(formatStructuredData(sd), want, JSON.stringify(params));
    // Twice in a row, and inside a whole message.
    assert.equal(formatStructuredData(sd), want);
    assert.equal(formatRfc5424({ timestamp: 0, structuredData: sd }).toString(), `<14>1 1970-01-01T00:00:00.000Z - - - - ${want}`);
  }
  // Two SD-IDs in one record, each with its own memo.
  const two = { "a@1": { x: 1, y: "k" }, "b@2": { x: 1, y: "k" } };
  assert.equal(formatStructuredData(two), '[a@1 x="1" y="k"][b@2 x="1" y="k"]');
  assert.equal(formatStructuredData({ "a@1": { x: 2, y: "k" }, "b@2": { x: 1, y: "j" } }), '[a@1 x="2" y="k"][b@2 x="1" y="j"]');
  assert.equal(formatStructuredData(two), '[a@1 x="1" y="k"][b@2 x="1" y="k"]');
});

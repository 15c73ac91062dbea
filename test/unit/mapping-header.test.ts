import { test } from "node:test";
import assert from "node:assert/strict";
import { compileMapper } from "../../lib/mapping";
import { compileSeverityTable, parseFacility, parseSeverity } from "../../lib/mapping/priority";
import { fromEpoch, fromIso, fromValue } from "../../lib/mapping/timestamp";
import type { MappingConfig } from "../../lib/mapping/types";

const SLS = { project: "p1", logstore: "audit", shard: 3, cursor: "MTU0Mg==", time: 1714979289, timeNs: 123456789, source: "10.9.9.9" };
const REC = { __time__: 1714979289, __source__: "10.0.0.5", __topic__: "login", user: "alice", level: "ERROR", ts: "2024-05-06T15:08:09.123456+08:00" };

function map(c: MappingConfig, rec: Record<string, unknown> = REC, sls: object = SLS) {
  const warnings: string[] = [];
  const out = compileMapper(c, (t) => warnings.push(t)).mapMessage(rec, sls);
  assert.ok(!Array.isArray(out));
  return { out, warnings };
}

test("defaults: SLS time with nanoseconds, hostname __source__, app-name logstore, user.info", () => {
  const { out, warnings } = map({ format: "none" });
  assert.deepEqual(out, { facility: 1, severity: 6, timestamp: { seconds: 1714979289, nanos: 123456789 }, hostname: "10.0.0.5", appName: "audit" });
  assert.deepEqual(warnings, []);
  // Without __source__ the hostname falls back to msg.sls.source; without msg.sls.time to __time__.
  const r = map({ format: "none" }, { __time__: "1700000000", __time_ns_part__: "42" }, { logstore: "x", source: "10.9.9.9" });
  assert.equal(r.out.hostname, "10.9.9.9");
  assert.deepEqual(r.out.timestamp, { seconds: 1700000000, nanos: 42 });
});

test("facility and severity: names, aliases, numbers, 0 is valid", () => {
  for (let f = 0; f <= 23; f++) assert.equal(parseFacility(String(f)), f);
  assert.equal(parseFacility("cron"), 9);
  assert.equal(parseFacility("authpriv"), 10);
  assert.equal(parseFacility("audit"), 13);
  assert.equal(parseFacility("security"), 4, "glibc's alias of auth (lib/syslog's table)");
  assert.equal(parseFacility("console"), 14);
  assert.equal(parseFacility("LOCAL7"), 23);
  assert.equal(parseFacility("24"), undefined);
  assert.equal(parseFacility(""), undefined);
  assert.equal(parseSeverity(0), 0);
  assert.equal(parseSeverity("0"), 0);
  assert.equal(parseSeverity("Warning"), 4);
  assert.equal(parseSeverity("fatal"), 2);
  assert.equal(parseSeverity("8"), undefined);
  assert.equal(parseSeverity(undefined), undefined);
  const { out } = map({ format: "none", facility: "kern", severity: 0 });
  assert.equal(out.facility, 0);
  assert.equal(out.severity, 0);
  assert.equal(map({ format: "none", facility: "local4", severity: "emerg" }).out.facility, 20);
});

test("severity from a field through the value table; unknown values default with one warning", () => {
  const lookup = compileSeverityTable(
    [
      { values: "ERROR|error|E|3", severity: "err" },
      { values: "W|5", severity: 4 },
    ],
    () => assert.fail("no bad rows"),
  );
  assert.equal(lookup("E"), 3);
  assert.equal(lookup(" error "), 3);
  assert.equal(lookup(5), 4, "the table may reinterpret digits");
  assert.equal(lookup("5"), 4);
  assert.equal(lookup("debug"), 7, "standard names still work");
  assert.equal(lookup("nonsense"), undefined);
  const warnings: string[] = [];
  const m = compileMapper(
    { format: "none", severityType: "field", severity: "level", severityTable: [{ values: "E", severity: "err" }], severityDefault: "notice" },
    (t) => warnings.push(t),
  );
  const sev = (level: unknown) => (m.mapMessage({ level }, SLS) as { severity: number }).severity;
  assert.equal(sev("E"), 3);
  assert.equal(sev("0"), 0);
  assert.equal(sev(undefined), 5, "missing takes the default");
  for (let i = 0; i < 50; i++) assert.equal(sev("loud" + i), 5);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /severity: field "level" holds "loud0"/);
});

test("timestamps from fields: epoch s/ms/µs/ns exactly, ISO-8601 with offsets", () => {
  assert.deepEqual(fromEpoch(1714979289, "s"), { seconds: 1714979289, nanos: 0 });
  assert.deepEqual(fromEpoch("1714979289.5", "s"), { seconds: 1714979289, nanos: 500000000 });
  assert.deepEqual(fromEpoch(1714979289123, "ms"), { seconds: 1714979289, nanos: 123000000 });
  assert.deepEqual(fromEpoch("1714979289123456", "us"), { seconds: 1714979289, nanos: 123456000 });
  assert.deepEqual(fromEpoch("1714979289123456789", "ns"), { seconds: 1714979289, nanos: 123456789 });
  assert.deepEqual(fromEpoch("1714979289123456", "auto"), { seconds: 1714979289, nanos: 123456000 });
  assert.deepEqual(fromEpoch(1714979289123, "auto"), { seconds: 1714979289, nanos: 123000000 });
  assert.deepEqual(fromEpoch(-1500, "ms"), { seconds: -2, nanos: 500000000 });
  assert.equal(fromEpoch("12ab", "s"), undefined);
  assert.deepEqual(fromIso("2024-05-06T15:08:09.123456+08:00"), { seconds: 1714979289, nanos: 123456000 });
  assert.deepEqual(fromIso("2024-05-06T07:08:09Z"), { seconds: 1714979289, nanos: 0 });
  assert.deepEqual(fromIso("2024-05-06 07:08:09"), { seconds: 1714979289, nanos: 0 }, "no zone = UTC");
  assert.deepEqual(fromIso("2024-05-06T09:08:09.5+0200"), { seconds: 1714979289, nanos: 500000000 });
  assert.equal(fromIso("2024-02-30T00:00:00Z"), undefined);
  assert.equal(fromIso("yesterday"), undefined);
  assert.deepEqual(fromValue("2024-05-06T07:08:09Z", "auto"), { seconds: 1714979289, nanos: 0 });
  const { out } = map({ format: "none", timestampSource: "field", timestampField: "ts", timestampUnit: "iso" });
  assert.deepEqual(out.timestamp, { seconds: 1714979289, nanos: 123456000 });
});

test("a bad timestamp field falls back to the SLS time with one warning", () => {
  const warnings: string[] = [];
  const m = compileMapper({ format: "none", timestampSource: "field", timestampField: "ts", timestampUnit: "ms" }, (t) => warnings.push(t));
  for (let i = 0; i < 10; i++)
    assert.deepEqual((m.mapMessage({ ts: "soon" }, SLS) as { timestamp: unknown }).timestamp, { seconds: 1714979289, nanos: 123456789 });
  assert.deepEqual((m.mapMessage({}, SLS) as { timestamp: unknown }).timestamp, { seconds: 1714979289, nanos: 123456789 });
  assert.equal(warnings.length, 2, "one for the bad value, one for the missing field");
});

test("header text: fixed, field, meta; long values cut; objects rejected", () => {
  const { out, warnings } = map({
    format: "none",
    hostname: "host with space",
    hostnameType: "str",
    appName: "user",
    appNameType: "field",
    procId: "shard",
    procIdType: "meta",
    msgId: "__topic__",
    msgIdType: "field",
  });
  assert.equal(out.hostname, "host with space", "character sanitising is the RFC 5424 formatter's job");
  assert.equal(out.appName, "alice");
  assert.equal(out.procId, "3");
  assert.equal(out.msgId, "login");
  assert.deepEqual(warnings, []);
  const long = map({ format: "none", msgId: "m", msgIdType: "field", appName: "o", appNameType: "field" }, { m: "x".repeat(100), o: { a: 1 } });
  assert.equal(long.out.msgId, "x".repeat(32));
  assert.equal(long.out.appName, undefined);
  assert.equal(long.warnings.length, 2);
});

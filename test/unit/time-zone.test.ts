// Time zones: names and offsets, wall time → instant across DST gaps and overlaps, the mapping's
// zone for field times written without one (the 8-hour shift of Shanghai logs read as UTC), and
// the syslog header written in a chosen zone (RFC 3164 wall time, RFC 5424 offset).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UTC, timeZone, wallToUtc, zoneNames } from "../../lib/time-zone";
import { fromIso, fromValue } from "../../lib/mapping/timestamp";
import { compileMapper } from "../../lib/mapping";
import { formatRfc3164 } from "../../lib/syslog/rfc3164";
import { formatRfc5424 } from "../../lib/syslog/rfc5424";
import { outFormatter } from "../../lib/syslog/out-format";
import { SLS_SYSLOG_OUT, SLS_SYSLOG_MAP, resolve, describe as describeProblem, migrate } from "../../lib/config";

const wall = (iso: string): number => Date.parse(iso + "Z");
const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

describe("time zones", () => {
  it("UTC, fixed offsets and IANA names; unknown names are refused", () => {
    assert.equal(timeZone("UTC"), UTC);
    assert.equal(timeZone("Z"), UTC);
    assert.equal(timeZone("+08:00")!.offsetAt(0), 480);
    assert.equal(timeZone("-0530")!.offsetAt(0), -330);
    assert.equal(timeZone("UTC+8")!.offsetAt(0), 480);
    assert.equal(timeZone("Asia/Shanghai")!.offsetAt(Date.UTC(2026, 6, 1)), 480);
    assert.equal(timeZone("asia/shanghai")!.name, "Asia/Shanghai", "names are matched as Intl resolves them");
    assert.equal(timeZone("Mars/Olympus"), undefined);
    assert.equal(timeZone("+15:00"), undefined);
    assert.equal(timeZone(""), undefined);
    assert.ok(zoneNames().includes("Europe/Berlin") && zoneNames()[0] === "UTC");
  });

  it("Europe/Berlin: offsets switch at 01:00 UTC on the last Sundays of March and October", () => {
    const berlin = timeZone("Europe/Berlin")!;
    assert.equal(berlin.offsetAt(Date.UTC(2026, 2, 29, 0, 59, 59)), 60);
    assert.equal(berlin.offsetAt(Date.UTC(2026, 2, 29, 1, 0, 0)), 120);
    assert.equal(berlin.offsetAt(Date.UTC(2026, 9, 25, 0, 59, 59)), 120);
    assert.equal(berlin.offsetAt(Date.UTC(2026, 9, 25, 1, 0, 0)), 60);
  });

  it("wall time → instant: ordinary times, the spring-forward gap (moved forward), the fall-back overlap (earlier)", () => {
    const berlin = timeZone("Europe/Berlin")!;
    assert.equal(iso(wallToUtc(wall("2026-03-29T01:59:59"), berlin)), "2026-03-29T00:59:59Z");
    assert.equal(iso(wallToUtc(wall("2026-03-29T02:30:00"), berlin)), "2026-03-29T01:30:00Z", "02:30 does not exist: 03:30 CEST");
    assert.equal(iso(wallToUtc(wall("2026-03-29T03:00:00"), berlin)), "2026-03-29T01:00:00Z");
    assert.equal(iso(wallToUtc(wall("2026-03-29T12:00:00"), berlin)), "2026-03-29T10:00:00Z");
    assert.equal(iso(wallToUtc(wall("2026-10-25T02:30:00"), berlin)), "2026-10-25T00:30:00Z", "02:30 happens twice: the first (CEST)");
    assert.equal(iso(wallToUtc(wall("2026-10-25T03:00:00"), berlin)), "2026-10-25T02:00:00Z");
    assert.equal(iso(wallToUtc(wall("2026-10-24T12:00:00"), berlin)), "2026-10-24T10:00:00Z");
    const ny = timeZone("America/New_York")!;
    assert.equal(iso(wallToUtc(wall("2026-03-08T02:30:00"), ny)), "2026-03-08T07:30:00Z", "gap: 03:30 EDT");
    assert.equal(iso(wallToUtc(wall("2026-11-01T01:30:00"), ny)), "2026-11-01T05:30:00Z", "overlap: 01:30 EDT");
    assert.equal(iso(wallToUtc(wall("2026-11-01T02:30:00"), ny)), "2026-11-01T07:30:00Z");
  });
});

describe("mapping: the zone of field times written without one", () => {
  const shanghai = timeZone("Asia/Shanghai")!;
  it("fromIso/fromValue: no zone in the text = the configured zone; a written zone wins", () => {
    assert.equal(fromIso("2026-11-28 08:00:00", shanghai)!.seconds, Date.UTC(2026, 10, 28, 0) / 1000);
    assert.equal(fromIso("2026-11-28 08:00:00")!.seconds, Date.UTC(2026, 10, 28, 8) / 1000, "default: UTC");
    assert.equal(fromIso("2026-11-28T08:00:00Z", shanghai)!.seconds, Date.UTC(2026, 10, 28, 8) / 1000);
    assert.equal(fromIso("2026-11-28T08:00:00-05:00", shanghai)!.seconds, Date.UTC(2026, 10, 28, 13) / 1000);
    assert.deepEqual(fromIso("2026-11-28T08:00:00.123456", shanghai), { seconds: Date.UTC(2026, 10, 28, 0) / 1000, nanos: 123_456_000 });
    assert.equal(fromValue("1795737600", "auto", shanghai)!.seconds, 1795737600, "epoch values have no zone");
    assert.equal(fromValue("2026-10-25 02:30:00", "iso", timeZone("Europe/Berlin"))!.seconds, Date.UTC(2026, 9, 25, 0, 30) / 1000);
  });

  it("the recipe's 8-hour shift: Shanghai local times read as UTC land 8 hours late; with the zone they are right", () => {
    const rec = { __time__: 1795737600, ts: "2026-11-28 08:00:00", msg: "login" };
    const cfg = { format: "none" as const, timestampSource: "field" as const, timestampField: "ts", timestampUnit: "iso" as const };
    const asUtc = compileMapper(cfg, () => undefined).mapRecord(rec, {});
    const asShanghai = compileMapper({ ...cfg, timestampZone: "Asia/Shanghai" }, () => undefined).mapRecord(rec, {});
    assert.equal(asUtc.timestamp!.seconds - asShanghai.timestamp!.seconds, 8 * 3600);
    assert.equal(asShanghai.timestamp!.seconds, Date.UTC(2026, 10, 28, 0) / 1000);
  });

  it("the node's settings refuse an unknown zone", () => {
    const c = migrate(SLS_SYSLOG_MAP, { type: "sls-syslog-map", timestampSource: "field", timestampField: "ts", timestampZone: "China" });
    const r = c.ok ? resolve(SLS_SYSLOG_MAP, c.value) : c;
    assert.ok(!r.ok);
    assert.deepEqual(
      r.problems.map((p) => describeProblem(p)),
      ['timestampZone "China": must be UTC, an offset such as +08:00, or a time zone name such as Asia/Shanghai'],
    );
  });
});

describe("syslog header in a chosen zone", () => {
  const at = (isoUtc: string) => ({ seconds: Date.parse(isoUtc) / 1000 });
  const line3164 = (isoUtc: string, zone?: string) =>
    formatRfc3164({ timestamp: at(isoUtc), hostname: "h", appName: "a", message: "m" }, zone ? { zone: timeZone(zone)! } : {}).toString();

  it("RFC 3164: UTC by default, the zone's wall time when set, across DST switches", () => {
    assert.equal(line3164("2026-11-28T00:00:00Z"), "<14>Nov 28 00:00:00 h a: m");
    assert.equal(line3164("2026-11-28T00:00:00Z", "Asia/Shanghai"), "<14>Nov 28 08:00:00 h a: m");
    assert.equal(line3164("2026-11-27T20:00:00Z", "+08:00"), "<14>Nov 28 04:00:00 h a: m");
    assert.equal(line3164("2026-03-29T00:59:59Z", "Europe/Berlin"), "<14>Mar 29 01:59:59 h a: m");
    assert.equal(line3164("2026-03-29T01:00:00Z", "Europe/Berlin"), "<14>Mar 29 03:00:00 h a: m", "spring forward: 02:xx never shown");
    assert.equal(line3164("2026-10-25T00:30:00Z", "Europe/Berlin"), "<14>Oct 25 02:30:00 h a: m");
    assert.equal(line3164("2026-10-25T01:30:00Z", "Europe/Berlin"), "<14>Oct 25 02:30:00 h a: m", "fall back: 02:30 shown twice, as a local clock does");
    // A timestamp given with its own offset is still the same instant in the chosen zone.
    const given = formatRfc3164({ timestamp: "2026-11-28T08:00:00+08:00", hostname: "h", message: "m" }).toString();
    assert.equal(given, "<14>Nov 28 00:00:00 h m");
  });

  it("RFC 5424: the same instant with the zone's offset; unchanged without a zone", () => {
    const rec = { timestamp: at("2026-11-28T00:00:00Z"), hostname: "h", appName: "a", message: "m" };
    assert.match(formatRfc5424(rec).toString(), /^<14>1 2026-11-28T00:00:00Z h a /);
    assert.match(formatRfc5424(rec, { zone: timeZone("Asia/Shanghai")! }).toString(), /^<14>1 2026-11-28T08:00:00\+08:00 h a /);
    assert.match(
      formatRfc5424({ ...rec, timestamp: at("2026-07-01T12:00:00Z") }, { zone: timeZone("America/New_York")! }).toString(),
      /^<14>1 2026-07-01T08:00:00-04:00 /,
    );
  });

  it("sls-syslog-out's timezone setting: checked, and used by its formatter", () => {
    const f = outFormatter({ format: "rfc3164", hostname: "h", appName: "a", timezone: "Asia/Shanghai" });
    assert.equal(f.format({ ...f.defaults, timestamp: at("2026-11-28T00:00:00Z"), message: "m" }).toString(), "<14>Nov 28 08:00:00 h a: m");
    const c = migrate(SLS_SYSLOG_OUT, { type: "sls-syslog-out", server: "s", timezone: "Beijing" });
    const r = c.ok ? resolve(SLS_SYSLOG_OUT, c.value) : c;
    assert.ok(!r.ok && /timezone "Beijing": must be UTC, an offset/.test(describeProblem(r.problems[0])));
    const ok = migrate(SLS_SYSLOG_OUT, { type: "sls-syslog-out", server: "s" });
    const r2 = ok.ok ? resolve(SLS_SYSLOG_OUT, ok.value) : ok;
    assert.ok(r2.ok && r2.value.timezone === "UTC", "flows saved before the setting: UTC, as before");
  });
});

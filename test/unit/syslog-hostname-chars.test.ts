import { test } from "node:test";
import assert from "node:assert/strict";
import { syslogNgDrops, syslogNgHostname } from "../../lib/syslog/hostname-chars";
import { outFormatter } from "../../lib/syslog/out-format";
import { previewMapping } from "../../lib/mapping";

test("syslogNgDrops: `[` anywhere, `:` outside an IPv6 address", () => {
  for (const h of ["web[1]", "[::1", "host:8080", "a:b", "::1x", "1.2.3.4:514", "[::1]", { toString: () => "[o]" }])
    assert.equal(syslogNgDrops(h), true, String(h));
  for (const h of ["web-01", "web]1", "::1", "fe80::1", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1", "10.0.0.1", "", undefined, null, 42])
    assert.equal(syslogNgDrops(h), false, String(h));
});

test("syslogNgHostname: `[` and non-IPv6 `:` become `_`, IPv6 kept, a bracketed IPv6 literal unbracketed", () => {
  assert.equal(syslogNgHostname("web[1]"), "web_1]");
  assert.equal(syslogNgHostname("host:8080"), "host_8080");
  assert.equal(syslogNgHostname("[2001:db8::1]"), "2001:db8::1");
  assert.equal(syslogNgHostname("[x:1]"), "_x_1]");
  assert.equal(syslogNgHostname("fe80::1"), "fe80::1");
  assert.equal(syslogNgHostname("web-01"), "web-01");
  assert.equal(syslogNgHostname(42), 42);
  assert.equal(syslogNgHostname(undefined), undefined);
  assert.equal(syslogNgHostname({ toString: () => "[o]" }), "_o]");
});

const rec = (hostname: unknown) => ({ hostname, message: "m", timestamp: { seconds: 0, nanos: 0 } }) as never;

test("outFormatter: hostnameChars replace writes the syslog-ng form in RFC 5424 and 3164; keep writes it as is and reports it once per change", () => {
  const r5424 = outFormatter({ hostnameChars: "replace", bom: "never" });
  assert.equal(r5424.format(rec("a:b[c]")).toString(), "<14>1 1970-01-01T00:00:00Z a_b_c] - - - - m");
  assert.equal(r5424.format(rec("::1")).toString(), "<14>1 1970-01-01T00:00:00Z ::1 - - - - m");
  const r3164 = outFormatter({ hostnameChars: "replace", format: "rfc3164" });
  assert.equal(r3164.format(rec("h:1")).toString(), "<14>Jan  1 00:00:00 h_1 m");
  const seen: string[] = [];
  const keep = outFormatter({ bom: "never" }, { onDroppedHostname: (h) => seen.push(h) });
  for (const h of ["ok", "a:b", "a:b", "ok", "fe80::1", "x[1]"]) keep.format(rec(h));
  assert.equal(keep.format(rec("a:b")).toString(), "<14>1 1970-01-01T00:00:00Z a:b - - - - m");
  assert.deepEqual(seen, ["a:b", "x[1]", "a:b"]);
  // The sender's writer takes the same path.
  const w = outFormatter({ hostnameChars: "replace", bom: "never" }).writer;
  const buf = Buffer.alloc(200);
  const end = w.write(rec("z[9]"), buf, 0);
  assert.equal(buf.subarray(0, end).toString(), "<14>1 1970-01-01T00:00:00Z z_9] - - - - m");
});

test("mapping preview warns about a hostname syslog-ng would drop, not with replace", () => {
  const config = { format: "kv", hostname: "host", hostnameType: "field" } as never;
  const sample = JSON.stringify({ payload: { host: "db:5432", a: "1" } });
  const kept = previewMapping(config, sample, {});
  assert.ok(
    kept.warnings.some((w) => w.includes('hostname "db:5432"') && w.includes("syslog-ng")),
    JSON.stringify(kept),
  );
  const replaced = previewMapping(config, sample, { hostnameChars: "replace" });
  assert.ok(!replaced.warnings.some((w) => w.includes("syslog-ng")), JSON.stringify(replaced));
  assert.match(replaced.lines[0], / db_5432 /);
});

// The evidence rule of sls-syslog-out's format failures (lib/syslog/format-triage.ts): a failure is
// a log's own only once a comparable record formatted fine; SD-ID problems never are.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FormatTriage, HeldFailures, failureKey } from "../../lib/syslog/format-triage";
import { SyslogFormatError } from "../../lib/syslog/formatter-input";
import { formatRfc5424 } from "../../lib/syslog/rfc5424";
import type { SyslogRecord } from "../../lib/syslog/formatter-input";

function keyOf(rec: SyslogRecord, maxBytes = 0): string | undefined {
  try {
    formatRfc5424(rec, { maxBytes });
    return undefined;
  } catch (e) {
    return failureKey(e, rec);
  }
}

test("too big: proven a log's own by a record with the same SD elements that fit, not by one with other elements", () => {
  const t = new FormatTriage();
  const big: SyslogRecord = { structuredData: { "a@1": { v: "x".repeat(500) } }, message: "m" };
  const key = keyOf(big, 200)!;
  assert.match(key, /^too-big/);
  assert.equal(t.isOwn(key), false, "no evidence yet");
  t.hold(key);
  assert.equal(t.good({ structuredData: { "b@1": { v: "1" } }, message: "m" }), undefined, "other SD elements prove nothing");
  assert.deepEqual(t.good({ structuredData: { "a@1": { v: "1", other: "2" } }, message: "m" }), [key], "same SD-ID, its own names and values");
  assert.equal(t.isOwn(key), true);
});

test("an invalid SD-ID or SD element that is not an object is never a log's own; any other error is proven by any record", () => {
  const t = new FormatTriage();
  const sdid = keyOf({ structuredData: { mysd: { a: 1 } } })!;
  const params = keyOf({ structuredData: { "a@1": "text" as unknown as Record<string, string> } })!;
  t.good({ message: "fine" });
  t.good({ structuredData: { mysd: {} } });
  assert.equal(t.isOwn(sdid), false);
  assert.equal(t.isOwn(params), false);
  const other = failureKey(new TypeError("Do not know how to serialize a BigInt"), { message: "x" });
  assert.equal(t.isOwn(other), true, "a record formatted fine before");
  const fresh = new FormatTriage();
  assert.equal(fresh.isOwn(other), false, "nothing formatted fine yet");
  fresh.forgetEvidence();
  assert.equal(failureKey(new SyslogFormatError("x", "too-big"), undefined), "too-big\n");
});

test("held failures are taken once every key is proven; takeAll empties the hold; counts follow", () => {
  const t = new FormatTriage();
  const held = new HeldFailures<string>(t);
  const a = failureKey(new SyslogFormatError("big", "too-big"), { structuredData: { "a@1": {} } });
  const other = failureKey(new Error("x"), undefined);
  held.add([a, other], 3, "batch");
  held.add([a], 1, "one");
  assert.equal(held.records, 4);
  assert.deepEqual(t.good({ message: "no SD" }), [other]);
  assert.deepEqual(
    held.takeProven().map((h) => h.item),
    [],
    "the batch still waits for its too-big key",
  );
  assert.ok(t.good({ structuredData: { "a@1": { v: 1 } } })?.includes(a));
  assert.deepEqual(
    held.takeProven().map((h) => h.item),
    ["batch", "one"],
  );
  assert.equal(held.records, 0);
  assert.equal(t.holding(a), false);
  held.add([failureKey(new SyslogFormatError("bad", "sd-id"), undefined)], 2, "sd");
  assert.deepEqual(
    held.takeAll().map((h) => h.item),
    ["sd"],
  );
  assert.equal(held.size, 0);
});

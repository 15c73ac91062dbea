// Golden output of the syslog formatters, the framing and the sender: a varied corpus (Unicode,
// CR/LF/NUL, lone surrogates, invalid UTF-8, long values, SD escaping and sanitising, every timestamp
// form, BOM policies, truncation on character boundaries, RFC 5424 and RFC 3164, octet and LF
// framing, the out node's formatter and msg reader, the sender's buffers) is formatted, and every result must match
// test/unit/syslog-golden.txt byte for byte (length and SHA-256; the file also shows the start of
// each output, so a diff of it reads). It guards the performance work: a faster formatter must send
// the same bytes for the same input.
//
// An intended change of output regenerates the file (and its diff shows which cases changed):
//   npm run build && SYSLOG_GOLDEN_UPDATE=1 node --test dist/test/unit/syslog-golden.test.js

import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { once } from "node:events";
import { formatRfc5424, rfc5424Writer, type Rfc5424Options } from "../../lib/syslog/rfc5424";
import { formatRfc3164, rfc3164Writer, type Rfc3164Options } from "../../lib/syslog/rfc3164";
import { lfFrame, octetFrame, type Wire } from "../../lib/syslog/framing";
import { FrameEncoder, type MessageWriter } from "../../lib/syslog/frame-encoder";
import type { SyslogRecord, StructuredData } from "../../lib/syslog/formatter-input";
import { outFormatter } from "../../lib/syslog/out-format";
import { recordFromMessage, recordsFromMessage, type MessageLike } from "../../lib/syslog/from-node-message";
import { SyslogSender } from "../../lib/syslog/sender";
import { toInstant, type Instant } from "../../lib/syslog/timestamp";
import { prng } from "../../emulator/faults";

const GOLDEN = path.resolve(__dirname, "..", "..", "..", "test", "unit", "syslog-golden.txt");

const LONG_ASCII = "x".repeat(5000) + "END";
const LONG_CJK = "日志".repeat(1500);
const TEXTS: Array<string | Buffer | undefined> = [
  "plain ascii message",
  "",
  undefined,
  "ünïcödé café ß",
  "中文日志 文本",
  "emoji 😀🎉 astral",
  "combining e\u0301 and a\u030a",
  "line one\nline two\r\nline three",
  "nul\u0000inside\u0000",
  "bare CR\rhere",
  "lone high \ud800 and low \udc00 surrogates",
  "\ufeffstarts with a BOM",
  "CEF:0|Vendor|Prod|1.0|100|name é|5|src=10.0.0.1 msg=ünï",
  "LEEF:2.0|Vendor|Prod|1.0|100|cat=é",
  "CEF:0|ascii only|x|1|1|n|1|",
  "trailing spaces   ",
  "  leading spaces",
  "tab\tseparated\tvalues",
  'quote " backslash \\ bracket ] in MSG',
  "<34>1 2024-01-01T00:00:00Z forged - - - - injected",
  "a\n<13>1 2024-01-01T00:00:00Z evil app - - - second event",
  LONG_ASCII,
  LONG_CJK,
  "mixed " + "é".repeat(300) + " 😀".repeat(100),
  Buffer.from("buffer body ascii"),
  Buffer.from("buffer body ünï 😀", "utf8"),
  Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x20, 0xc3, 0x28, 0x20, 0xe2, 0x82]), // invalid UTF-8
  Buffer.alloc(0),
  Buffer.from("buf\nwith\r\ncontrol\u0000", "utf8"),
];

const HOSTS: unknown[] = [
  "ecs-1.cn-hangzhou.internal",
  "ecs-1.cn-hangzhou.internal",
  "host with spaces",
  "höst-ünïcode",
  "emoji😀host",
  "",
  undefined,
  null,
  "h".repeat(300),
  "10.0.0.1",
  "::1",
  "tab\there",
  "ctl\u0001\u007fchars",
];
const APPS: unknown[] = ["aliyun-sls", "app name", "a".repeat(60), "", undefined, "app[1]:x", "ap\u00e9p", "tag:colon"];
const PROCS: unknown[] = ["1234", 0, 42, "", undefined, "p".repeat(140), "[pid]", "sp ace"];
const MSGIDS: unknown[] = ["ActionTrail", "", undefined, "m".repeat(40), "ID 47", "ïd"];
const FACILITIES: unknown[] = [0, 1, 16, 23, 24, -1, "local4", "auth", "AUTHPRIV", " 10 ", "nonsense", undefined, null, 3.5, "007"];
const SEVERITIES: unknown[] = [0, 3, 7, 8, "err", "warning", "Info", "debug", "6", undefined, "bogus"];

const TIMESTAMPS: unknown[] = [
  { seconds: 1714979289, nanos: 0 },
  { seconds: 1714979289, nanos: 123456789 },
  { seconds: 1714979289, nanos: 999999999 },
  { seconds: 1714979290, nanos: 1000 },
  { seconds: 1714979290, nanos: 999 },
  { seconds: 1714979290.7 },
  { seconds: 0, nanos: 5 },
  { seconds: 253402300800 }, // year 10000: clamped
  { seconds: -86400 },
  { seconds: Number.NaN },
  new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
  new Date(Number.NaN),
  1714979289123,
  1714979289123.456,
  // eslint-disable-next-line no-loss-of-precision -- on purpose: a double that rounds up to the next millisecond
  1714979289123.9999,
  -1,
  "2024-05-06T07:08:09Z",
  "2024-05-06T07:08:09.1Z",
  "2024-05-06T07:08:09.123456789+05:30",
  "2024-05-06T07:08:09.5-08:00",
  "2024-05-06 07:08:09.12345z",
  "2024-02-30T00:00:00Z",
  "2024-05-06T24:00:00Z",
  "Mon, 06 May 2024 07:08:09 GMT",
  "not a time",
  "2024-12-31T23:59:59.999999+14:00",
  "1999-01-01T00:00:00-12:00",
  undefined,
];

const SDS: unknown[] = [
  undefined,
  null,
  {},
  { "sls@32473": { project: "prod-audit", logstore: "actiontrail", shard: 3, cursor: "MTcxNDk3OTI4OTk1NjI0" } },
  { "sls@32473": { project: "prod-audit", logstore: "actiontrail", shard: 3, cursor: "MTcxNDk3OTI4OTk1NjI0" } },
  { "x@1": { q: 'say "hi"', b: "back\\slash", r: "close]bracket", all: '"\\]' } },
  { "x@1": { u: "ünï 中文 😀", nl: "a\nb", nul: "a\u0000b" } },
  { "x@1": { n: 0, f: 1.5, t: true, fl: false, neg: -7, big: 1e21 } },
  { "x@1": { arr: ["a", "b", 3, true], empty: [], nulls: null, undef: undefined } },
  { "x@1": { obj: { nested: [1, "two"] } as unknown as string } },
  { "x@1": { "na me": "1", "na=me": "2", 'na"me': "3", "na]me": "4", na_me: "5" } },
  { "x@1": { ["k".repeat(40)]: "long name", ["k".repeat(40) + "2"]: "long name 2", ü: "non-ascii name", "": "empty name" } },
  { timeQuality: { tzKnown: 1, isSynced: 0 }, origin: { ip: ["10.0.0.1", "10.0.0.2"] }, meta: { sequenceId: 7 } },
  { "a@1": { v: "1" }, "b@2.3.4": { v: "2" }, "skip@1": null, "undef@1": undefined },
  { "a@1": {} },
  { "x@1": { v: "y".repeat(3000) } },
];
/** Structured data no sender may emit (SyslogFormatError), or only with allowLongSdId. */
const BAD_SDS: unknown[] = [
  { "long-sd-id-that-is-more-than-32-characters@1": { v: "x" } },
  { "bad id@1": { v: "x" } },
  { noAt: { v: "x" } },
  { "x@notanumber": { v: "x" } },
  { "@1": { v: "x" } },
  { "x@1": "not an object" },
  { "x@1": ["array"] },
];

/** The corpus: generated combinations (repeats included, so the formatters' memos are exercised) and audit-like records. */
function corpus(): SyslogRecord[] {
  const rnd = prng(14);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const out: SyslogRecord[] = [];
  for (let i = 0; i < 180; i++) {
    // Runs of similar records, as a log group gives: the header fields often repeat.
    const same = i > 0 && rnd() < 0.35;
    const prev = out[out.length - 1];
    out.push({
      facility: same ? prev.facility : (pick(FACILITIES) as SyslogRecord["facility"]),
      severity: pick(SEVERITIES) as SyslogRecord["severity"],
      timestamp: pick(TIMESTAMPS) as SyslogRecord["timestamp"],
      hostname: same ? prev.hostname : (pick(HOSTS) as string),
      appName: same ? prev.appName : (pick(APPS) as string),
      procId: same ? prev.procId : (pick(PROCS) as string),
      msgId: same ? prev.msgId : (pick(MSGIDS) as string),
      structuredData: (rnd() < 0.06 ? pick(BAD_SDS) : pick(SDS)) as StructuredData,
      message: pick(TEXTS),
    });
  }
  // Audit-like records in a run: one host and logstore, time moving on, JSON bodies.
  for (let i = 0; i < 24; i++) {
    out.push({
      facility: "local0",
      severity: i % 8,
      timestamp: { seconds: 1714979289 + (i >> 3), nanos: i * 41_000_123 },
      hostname: `ecs-${i % 3}.cn-hangzhou.internal`,
      appName: "aliyun-sls",
      procId: i % 5,
      msgId: "ActionTrail",
      structuredData: { "sls@32473": { project: "prod-audit", logstore: "actiontrail", shard: i % 4, cursor: "MTcxNDk3OTI4" + i } },
      message: JSON.stringify({
        eventId: `${i}-4f2a`,
        eventName: "PutObject",
        sourceIpAddress: `10.0.${i}.7`,
        userIdentity: { userName: `ops-${i}` },
        note: i % 4 === 0 ? "ünï" : "",
      }),
    });
  }
  return out;
}

const NOW: Instant = { ms: 1714979289000, micros: 0, digits: 3, offsetMin: 0 };
const now = (): Instant => NOW;

const OPTS_5424: Array<[string, Rfc5424Options]> = [
  ["defaults", { now }],
  ["never", { bom: "never", now, defaultFacility: 16, defaultSeverity: 5 }],
  ["always", { bom: "always", now }],
  ["max480", { maxBytes: 480, now }],
  ["max200-marker", { maxBytes: 200, truncationMarker: "…", now, bom: "auto" }],
  ["max131-longsd", { maxBytes: 131, truncationMarker: "", now, allowLongSdId: true }],
];
const OPTS_3164: Array<[string, Rfc3164Options]> = [
  ["defaults", { now }],
  ["max160", { maxBytes: 160, now, defaultFacility: 4, defaultSeverity: 2 }],
  ["max64-nomarker", { maxBytes: 64, truncationMarker: "", now }],
];

/** Length and hash of an output; with `preview`, also its start (so a diff of the file reads). */
function describe(bytes: Buffer, preview = false): string {
  const hash = `${bytes.length}\t${crypto.createHash("sha256").update(bytes).digest("hex").slice(0, 16)}`;
  if (!preview) return hash;
  const text = bytes.toString("utf8");
  return `${hash}\t${JSON.stringify(text.length > 100 ? text.slice(0, 100) + "…" : text)}`;
}

function attempt(name: string, lines: string[], fn: () => Buffer, preview = false): Buffer | null {
  try {
    const b = fn();
    lines.push(`${name}\t${describe(b, preview)}`);
    return b;
  } catch (err) {
    lines.push(`${name}\terror\t${(err as Error).name}: ${(err as Error).message}`);
    return null;
  }
}

/** Small slabs, so that messages run past a slab's end, grow it, and move octet counts. */
const encoders = { octet: new FrameEncoder("octet", 512), lf: new FrameEncoder("lf", 512), none: new FrameEncoder("none", 512) };

/** Frames `item` with each encoder (what the sender writes) and checks them against the Buffer framers applied to `want`. */
function checkEncoders<T>(name: string, w: MessageWriter<T>, item: T, want: Buffer | null): void {
  for (const [framing, enc] of Object.entries(encoders)) {
    let got: Buffer | null;
    try {
      enc.encode(w, item);
      got = enc.buf.subarray(enc.start, enc.start + enc.bytes);
    } catch {
      got = null;
    }
    assert.equal(got === null, want === null, `${name}: the writer and the formatter disagree on failing`);
    if (got && want) {
      const framed = framing === "octet" ? octetFrame(want) : framing === "lf" ? lfFrame(want) : want;
      assert.ok(
        got.equals(framed),
        `${name}: the ${framing} frame from the sender's encoder differs:\n${JSON.stringify(got.toString())}\n${JSON.stringify(framed.toString())}`,
      );
    }
  }
}

/** Every formatter output of the corpus, one line per case. Also returns messages for the stream cases. */
function formatCorpus(): { lines: string[]; messages: Wire[] } {
  const lines: string[] = [];
  const messages: Wire[] = [];
  const recs = corpus();
  recs.forEach((rec, i) => {
    for (const [on, o] of OPTS_5424) {
      const b = attempt(`5424 ${i} ${on}`, lines, () => formatRfc5424(rec, o), on === "defaults");
      checkEncoders(`5424 ${i} ${on}`, rfc5424Writer(o), rec, b);
      if (b === null) continue;
      // The sender takes strings (sent as UTF-8) and Buffers alike.
      if (on === "defaults") messages.push(i % 2 ? b : b.toString("utf8"));
      if (on === "max200-marker") messages.push(b);
      if (on === "defaults") lines.push(`lf ${i}\t${describe(lfFrame(b))}`);
    }
    for (const [on, o] of OPTS_3164) {
      const b = attempt(`3164 ${i} ${on}`, lines, () => formatRfc3164(rec, o), on === "defaults");
      checkEncoders(`3164 ${i} ${on}`, rfc3164Writer(o), rec, b);
      if (b && on === "defaults") messages.push(b);
    }
  });
  return { lines, messages };
}

/** The out node's path: msg → records (from-node-message) → outFormatter, per message and in batches. */
function nodePath(): string[] {
  const lines: string[] = [];
  // The node has no pinned clock: only records whose own time is valid (else the output holds now).
  const recs = corpus().filter((r) => toInstant(r.timestamp) !== null);
  const settings = [
    {
      name: "5424-auto",
      s: { format: "rfc5424", facility: "local4", severity: "notice", hostname: "fwd-01", appName: "sls", procId: "", msgId: "", bom: "auto" },
    },
    {
      name: "5424-never-max300",
      s: { format: "rfc5424", facility: "", severity: "", hostname: "fwd-01", appName: "", procId: "7", msgId: "M", bom: "never", maxMessageBytes: 300 },
    },
    {
      name: "3164",
      s: {
        format: "rfc3164",
        facility: "auth",
        severity: "err",
        hostname: "fwd-01",
        appName: "sls",
        procId: "9",
        msgId: "",
        bom: "always",
        maxMessageBytes: "1024",
      },
    },
  ];
  for (const { name, s } of settings) {
    const f = outFormatter(s);
    recs.forEach((rec, i) => {
      // Half the records ride as msg.syslog with the body in payload, half with the body inside.
      const { message, ...header } = rec;
      const msg: MessageLike = i % 2 === 0 ? { payload: message, syslog: header } : { payload: "ignored", syslog: rec };
      const rec2 = recordFromMessage(msg, f.defaults);
      const b = attempt(`node ${name} ${i}`, lines, () => f.format(rec2));
      checkEncoders(`node ${name} ${i}`, f.writer, rec2, b);
    });
    // Batch messages: msg.syslog array, and payload array with SLS record times.
    const batch: MessageLike = { payload: recs.slice(0, 30).map((r) => r.message), syslog: recs.slice(0, 30).map(({ message: _m, ...h }) => h) };
    attempt(`node ${name} batch-syslog`, lines, () => Buffer.concat(recordsFromMessage(batch, f.defaults).map((r) => f.format(r))));
    const timed: MessageLike = {
      payload: ["a", { obj: "é" }, Buffer.from("b"), null, 7],
      sls: { time: 1714979289, timeNs: 5000, records: [{ time: 1714979300, timeNs: 0 }, null, { time: 1714979301, timeNs: 999999999 }] },
    };
    attempt(`node ${name} batch-payload`, lines, () => Buffer.concat(recordsFromMessage(timed, f.defaults).map((r) => f.format(r))));
  }
  return lines;
}

/**
 * Everything the sender writes when `sendAll` sends through it (without waiting in between), as
 * one byte stream.
 */
async function senderStream(framing: "octet" | "lf", sendAll: (s: SyslogSender) => Promise<void>[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let closed!: Promise<void>;
  const server = net.createServer((s) => {
    s.on("data", (d: Buffer) => chunks.push(d));
    closed = once(s, "close").then(() => undefined);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  const sender = new SyslogSender({ protocol: "tcp", framing, endpoints: [{ host: "127.0.0.1", port }], maxBatchBytes: 4096 });
  await Promise.all(sendAll(sender));
  await sender.close();
  await closed;
  server.close();
  return Buffer.concat(chunks);
}

async function allLines(): Promise<string[]> {
  const { lines, messages } = formatCorpus();
  lines.push(...nodePath());
  for (const framing of ["octet", "lf"] as const) {
    const toFrame = framing === "octet" ? octetFrame : lfFrame;
    const joined = Buffer.concat(messages.map((m) => toFrame(typeof m === "string" ? Buffer.from(m, "utf8") : m)));
    lines.push(`frames ${framing}\t${describe(joined)}`);
    // send and sendMany mixed, strings and Buffers.
    const stream = await senderStream(framing, (sender) => {
      const sends: Promise<void>[] = [];
      const rnd = prng(5424);
      for (let i = 0; i < messages.length;) {
        const n = rnd() < 0.5 ? 1 : 1 + Math.floor(rnd() * 40);
        const part = messages.slice(i, i + n);
        sends.push(n === 1 ? sender.send(part[0]) : sender.sendMany(part));
        i += n;
      }
      return sends;
    });
    assert.ok(stream.equals(joined), `the sender's ${framing} byte stream is the frames in order`);
    lines.push(`sender ${framing}\t${describe(stream)}`);
  }
  // Records formatted straight into the sender's buffers (what sls-syslog-out does): sendWith
  // and sendManyWith mixed. A batch with a record that cannot be formatted throws and sends none
  // of its records, and leaves nothing behind in the sender's buffers.
  const recs = corpus();
  const writer = rfc5424Writer(OPTS_5424[0][1]);
  const formatted = recs.map((r) => {
    try {
      return formatRfc5424(r, OPTS_5424[0][1]);
    } catch {
      return null;
    }
  });
  const expected: Buffer[] = [];
  let refused = 0;
  const stream = await senderStream("octet", (sender) => {
    const sends: Promise<void>[] = [];
    const rnd = prng(3164);
    for (let i = 0; i < recs.length;) {
      const n = rnd() < 0.5 ? 1 : 1 + Math.floor(rnd() * 12);
      const part = recs.slice(i, i + n);
      const outs = formatted.slice(i, i + n);
      try {
        sends.push(n === 1 ? sender.sendWith(writer, part[0]) : sender.sendManyWith(writer, part));
        for (const b of outs) expected.push(octetFrame(b!));
      } catch {
        assert.ok(outs.includes(null), "only a batch with a record the formatter refuses throws");
        refused++;
      }
      i += n;
    }
    return sends;
  });
  assert.ok(refused > 0, "the corpus has batches with records that cannot be formatted");
  assert.ok(stream.equals(Buffer.concat(expected)), "records sent with sendWith/sendManyWith arrive as formatRfc5424's bytes, framed, in order");
  return lines;
}

test("golden: formatters, framing, the out node's formatter and the sender write exactly the recorded bytes for a varied corpus", async () => {
  const lines = await allLines();
  const text = lines.join("\n") + "\n";
  if (process.env.SYSLOG_GOLDEN_UPDATE) {
    fs.writeFileSync(GOLDEN, text);
    return;
  }
  const want = fs.readFileSync(GOLDEN, "utf8").split("\n");
  assert.equal(lines.length, want.length - 1, "number of golden cases");
  const diffs: string[] = [];
  lines.forEach((l, i) => {
    if (l !== want[i]) diffs.push(`  want ${want[i]}\n  got  ${l}`);
  });
  assert.equal(diffs.length, 0, `${diffs.length} cases differ from ${path.basename(GOLDEN)}:\n${diffs.slice(0, 10).join("\n")}`);
});

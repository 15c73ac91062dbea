// sls-syslog-map → sls-syslog-out → a real rsyslogd: the bodies SIEMs parse arrive intact.
// - the original recipe's `||k=v` body, byte for byte (expected text built here the way the
//   recipe's Python code builds it, not by our encoder);
// - a QRadar LEEF 2.0 and an ArcSight CEF flow: headers and escaping re-parsed by the strict
//   test parsers from what rsyslog wrote, field by field.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { DeliveryWindow, type Outcome } from "../../lib/delivery";
import { presetConfig, type MappingConfig } from "../../lib/mapping";
import { helper, serverNode, outNode, catchNode } from "../support/node-red";
import { startRsyslog, type Rsyslog, type RsyslogRecord } from "../support/rsyslog";
import { parseCef } from "../support/cef-parser";
import { parseLeef } from "../support/leef-parser";
import { parseRfc5424 } from "../support/rfc5424-parser";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mapNode: unknown = require("../../nodes/sls-syslog-map");

const BASE = 1714979289;
const N = 60;

/** A log group's worth of consumer-shaped messages: contents first, then the SLS fields (as sls-consumer writes them). */
interface Log {
  contents: [string, string][];
  topic: string;
  source: string;
  tags: [string, string][];
}

function logs(hostile: boolean): Log[] {
  const out: Log[] = [];
  for (let i = 0; i < N; i++) {
    const contents: [string, string][] = [
      ["seq", String(i)],
      ["user", `u${i}`],
      ["action", i % 2 ? "login" : "logout"],
      ["url", `/api/v1/session?id=${i}&next=/home`],
      [
        "note",
        hostile ? ["a|b||c", "C:\\tmp\\x", "k=v x=y", "line1\nline2\r\nline3", "tab\there", "caret^here^^", "中文 ✓", " spaced "][i % 8] : `plain note ${i}`,
      ],
    ];
    out.push({
      contents,
      topic: "audit",
      source: `10.0.0.${i % 4}`,
      tags: [
        ["__hostname__", `web-${i % 3}`],
        ["__client_ip__", `203.0.113.${i}`],
      ],
    });
  }
  return out;
}

function message(log: Log, i: number, token: string | null): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const [k, v] of log.contents) payload[k] = v;
  payload.__time__ = BASE + i;
  payload.__topic__ = log.topic;
  payload.__source__ = log.source;
  for (const [k, v] of log.tags) payload[`__tag__:${k}`] = v;
  const tags = Object.fromEntries(log.tags);
  return {
    payload,
    sls: {
      project: "p1",
      logstore: "audit",
      consumerGroup: "cg",
      shard: 1,
      cursor: "MTcxNDk3OTI4OQ==",
      time: BASE + i,
      timeNs: 0,
      topic: log.topic,
      source: log.source,
      tags,
      token,
    },
  };
}

/** The recipe's body (sync_data_to_syslog.py): `||k=v` over the flattened dict minus __time__. */
function recipeBody(log: Log): string {
  const item: [string, string][] = [
    ["__topic__", log.topic],
    ["__source__", log.source],
    ...log.tags.map(([k, v]) => [`__tag__:${k}`, v] as [string, string]),
    ...log.contents,
  ];
  return item.map(([k, v]) => `||${k}=${v}`).join("");
}

let rs: Rsyslog | undefined;
after(async () => {
  await rs?.stop();
});

async function run(mapping: MappingConfig, input: Log[]): Promise<Map<number, RsyslogRecord>> {
  rs ??= await startRsyslog({ protocol: "tcp" });
  const before = rs.readRecords().length;
  await helper.load(
    [mapNode, serverNode, outNode, catchNode],
    [
      { id: "t1", type: "tab" },
      { id: "m1", z: "t1", type: "sls-syslog-map", version: 1, ...mapping, wires: [["out"]] },
      {
        id: "srv",
        type: "sls-syslog-server",
        host: "127.0.0.1",
        port: String(rs.port),
        protocol: "tcp",
        framing: "octet",
        rejectUnauthorized: true,
        servername: "",
        caFile: "",
        certFile: "",
        keyFile: "",
        secondaryHost: "",
        secondaryPort: "",
        maxQueueMessages: "10000",
        maxQueueMB: "16",
        maxMessageBytes: "65536",
        version: 1,
      },
      {
        id: "out",
        z: "t1",
        type: "sls-syslog-out",
        server: "srv",
        format: "rfc5424",
        facility: "user",
        severity: "info",
        hostname: "fwd-01",
        appName: "aliyun-sls",
        procId: "",
        msgId: "",
        bom: "auto",
        version: 1,
        wires: [],
      },
      { id: "c1", z: "t1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "t1", type: "helper" },
    ],
  );
  const errors: unknown[] = [];
  helper.getNode("caught").on("input", (m: unknown) => errors.push(m));
  const window = new DeliveryWindow({ maxInFlight: 100_000, claimTimeoutMs: 0 });
  const outcomes: Outcome[] = [];
  try {
    const settled = new Promise<void>((resolve) => {
      input.forEach((log, i) => {
        const token = window.issue(1, (o) => {
          outcomes.push(o);
          if (outcomes.length === input.length) resolve();
        });
        helper.getNode("m1").receive(message(log, i, token));
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${outcomes.length} of ${input.length} tokens settled after 30 s; rsyslogd: ${rs!.log()}`)), 30_000);
    });
    try {
      await Promise.race([settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(new Set(outcomes), new Set(["delivered"]), "every token settled only after the write");
    const recs = (await rs.waitFor(before + input.length)).slice(before);
    assert.equal(recs.length, input.length);
    const bySeq = new Map<number, RsyslogRecord>();
    for (const r of recs) {
      const m = /(?:^|[|^ \t])seq=(\d+)/.exec(r.msg);
      assert.ok(m, r.raw);
      bySeq.set(Number(m[1]), r);
    }
    assert.equal(bySeq.size, input.length);
    return bySeq;
  } finally {
    window.close();
    await helper.unload();
  }
}

test("the original recipe's ||k=v body arrives byte for byte, header from the SLS record", async () => {
  const input = logs(false);
  const got = await run(presetConfig("recipe")!, input);
  input.forEach((log, i) => {
    const r = got.get(i)!;
    assert.equal(r.msg, recipeBody(log), r.raw);
    assert.equal(r.hostname, log.source);
    assert.equal(r.appName, "audit");
    assert.equal(r.timestamp, new Date((BASE + i) * 1000).toISOString().replace(".000Z", "Z"));
    parseRfc5424(r.raw);
  });
});

test("QRadar LEEF 2.0 flow: header fields and attribute values intact after rsyslog", async () => {
  const input = logs(true);
  const got = await run(presetConfig("qradar-leef")!, input);
  input.forEach((log, i) => {
    const r = got.get(i)!;
    assert.ok(r.msg.startsWith("LEEF:2.0|"), `no BOM or header damage before LEEF: ${r.raw}`);
    const e = parseLeef(r.msg);
    assert.deepEqual([e.vendor, e.product, e.productVersion, e.eventId, e.delimiterSpec], ["Alibaba Cloud", "SLS", "1.0", "audit", "^"]);
    const a = Object.fromEntries(e.attributes);
    assert.equal(a.devTime, new Date((BASE + i) * 1000).toISOString().replace("Z", "+0000"));
    assert.equal(a.devTimeFormat, "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    assert.equal(a.sev, "2");
    assert.equal(a.cat, "audit");
    assert.equal(a.src, `203.0.113.${i}`);
    for (const [k, v] of log.contents) assert.equal(a[k], v.replace(/[\r\n^]/g, " "), `${k} of ${r.raw}`);
  });
});

test("ArcSight CEF flow: header and extension escaping intact after rsyslog", async () => {
  const input = logs(true);
  const got = await run({ ...presetConfig("arcsight-cef")!, eventName: "action", eventNameType: "field" }, input);
  input.forEach((log, i) => {
    const r = got.get(i)!;
    assert.ok(r.msg.startsWith("CEF:0|"), `no BOM or header damage before CEF: ${r.raw}`);
    const e = parseCef(r.msg);
    assert.deepEqual(
      [e.vendor, e.product, e.deviceVersion, e.signatureId, e.name, e.severity],
      ["Alibaba Cloud", "SLS", "1.0", "audit", i % 2 ? "login" : "logout", "1"],
    );
    const x = Object.fromEntries(e.extension);
    assert.equal(x.rt, String((BASE + i) * 1000));
    assert.equal(x.cs1, "p1");
    assert.equal(x.cs2, "audit");
    assert.equal(x.src, `203.0.113.${i}`);
    for (const [k, v] of log.contents) assert.equal(x[k], v, `${k} of ${r.raw}`);
  });
});

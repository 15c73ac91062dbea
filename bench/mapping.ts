// Mapping throughput: records/s on one core for each body format, on SLS-shaped records with 10
// content fields (plus __time__, __topic__, __source__ and two tags), mapped one message per
// record as sls-consumer emits them. Targets (issue 5): key=value ≥ 500k/s, CEF/LEEF ≥ 250k/s.
// Rates are records per CPU-second of this process (process.cpuUsage), i.e. per core, so they
// hold on a shared, busy machine where wall-clock rates would measure the neighbours.
// Usage: npm run bench:mapping [-- --json] [-- --seconds N]

import { compileMapper, presetConfig, type MappingConfig } from "../lib/mapping";

const args = process.argv.slice(2);
const asJson = args.includes("--json");
const secIdx = args.indexOf("--seconds");
const seconds = secIdx >= 0 ? Number(args[secIdx + 1]) : 1.5;

const POOL = 1024;
const users = ["alice", "bob", "carol", "dave", "eve"];
const records = Array.from({ length: POOL }, (_, i) => ({
  __time__: 1714979289 + i,
  __topic__: "audit",
  __source__: "10.0.0." + (i % 250),
  "__tag__:__hostname__": "web-" + (i % 16),
  "__tag__:__client_ip__": "203.0.113." + (i % 200),
  user: users[i % users.length],
  action: i % 3 ? "login" : "logout",
  result: i % 7 ? "success" : "failure",
  level: i % 11 ? "INFO" : "ERROR",
  method: "POST",
  url: "/api/v1/session?id=" + i,
  status: String(200 + (i % 5)),
  latency_ms: String(i % 997),
  user_agent: "Mozilla/5.0 (X11; Linux x86_64) bench/" + i,
  request_id: "req-" + (i * 2654435761).toString(16),
}));
const metas = records.map((r, i) => ({
  project: "p1",
  logstore: "audit",
  consumerGroup: "cg",
  shard: i % 4,
  cursor: "MTcxNDk3OTI4OTEyMzQ1Njc4" + (i >> 4),
  time: r.__time__,
  timeNs: i * 1000,
  topic: "audit",
  source: r.__source__,
  tags: {},
  token: "w.1",
}));

const CASES: Record<string, MappingConfig> = {
  kv: { format: "kv" },
  "kv (recipe, no escaping)": presetConfig("recipe")!,
  json: { format: "json" },
  cef: presetConfig("arcsight-cef")!,
  leef: presetConfig("qradar-leef")!,
  template: { format: "template", template: "{{user}} {{action}} {{result}} from {{__tag__:__client_ip__}} ({{@logstore}}/{{@shard}}) {{url}}" },
  "rfc5424 (json + SD dedup)": presetConfig("rfc5424")!,
};

/** Runs for `seconds` of wall time; done() then gives the CPU seconds this process used. */
function cpuClock(): { done(): number | undefined } {
  const wall0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  return {
    done() {
      if (Number(process.hrtime.bigint() - wall0) / 1e9 < seconds) return undefined;
      const c = process.cpuUsage(cpu0);
      return (c.user + c.system) / 1e6;
    },
  };
}

function run(config: MappingConfig): number {
  const mapper = compileMapper({ ...config, severityType: "field", severity: "level" });
  let sink = 0;
  // Warm-up so the JIT has settled.
  for (let i = 0; i < 200_000; i++) sink += (mapper.mapMessage(records[i & (POOL - 1)], metas[i & (POOL - 1)]) as { message?: string }).message?.length ?? 0;
  let n = 0;
  const clock = cpuClock();
  for (;;) {
    for (let k = 0; k < 10_000; k++, n++)
      sink += (mapper.mapMessage(records[n & (POOL - 1)], metas[n & (POOL - 1)]) as { message?: string }).message?.length ?? 0;
    const cpu = clock.done();
    if (cpu !== undefined) {
      if (sink === -1) console.log(sink);
      return n / cpu;
    }
  }
}

/** Batch mode: messages of 100 records with msg.sls.records, as sls-consumer's batch output. */
function runBatch(config: MappingConfig): number {
  const mapper = compileMapper({ ...config, severityType: "field", severity: "level" });
  const B = 100;
  const batches = Array.from({ length: POOL / 64 }, (_, b) => {
    const idx = Array.from({ length: B }, (_, k) => (b * B + k) & (POOL - 1));
    const { project, logstore, consumerGroup, shard } = metas[idx[0]];
    return {
      payload: idx.map((i) => records[i]),
      sls: {
        project,
        logstore,
        consumerGroup,
        shard,
        cursor: metas[idx[0]].cursor,
        token: "w.1",
        records: idx.map((i) => ({ cursor: metas[i].cursor, time: metas[i].time, timeNs: metas[i].timeNs, topic: "audit", source: metas[i].source, tags: {} })),
      },
    };
  });
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink += (mapper.mapMessage(batches[i % batches.length].payload, batches[i % batches.length].sls) as unknown[]).length;
  let n = 0;
  const clock = cpuClock();
  for (let i = 0; ; i++) {
    const b = batches[i % batches.length];
    sink += (mapper.mapMessage(b.payload, b.sls) as unknown[]).length;
    n += B;
    if ((i & 63) === 0) {
      const cpu = clock.done();
      if (cpu !== undefined) {
        if (sink === -1) console.log(sink);
        return n / cpu;
      }
    }
  }
}

const results: Record<string, number> = {};
const cases: [string, () => number][] = [
  ...Object.entries(CASES).map(([name, c]) => [name, () => run(c)] as [string, () => number]),
  ["kv, batches of 100", () => runBatch({ format: "kv" })],
  ["cef, batches of 100", () => runBatch(presetConfig("arcsight-cef")!)],
];
for (const [name, fn] of cases) {
  results[name] = Math.round(fn());
  if (!asJson) console.log(`${name.padEnd(28)} ${(results[name] / 1000).toFixed(0).padStart(6)} k records/s`);
}
const targets = { kv: 500_000, cef: 250_000, leef: 250_000 };
const ok = Object.entries(targets).every(([k, t]) => results[k] >= t);
if (!asJson) console.log(`targets (kv ≥ 500k, CEF/LEEF ≥ 250k): ${ok ? "met" : "NOT met"}`);
else console.log(JSON.stringify({ bench: "mapping", unit: "records per CPU-second", node: process.version, results, targets, ok }));

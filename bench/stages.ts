// npm run bench:stages [-- --json] [--reps N] [--format kv|cef]
// The pipeline's stages without Node-RED, sockets or waiting: the emulator's realistic log groups
// (4 generators × 10 groups of 100 logs) encoded once, then per round decoded by the consumer's
// decoder, mapped batch by batch as sls-syslog-map does, and formatted and framed (octet counting)
// into the sender's buffers as sls-syslog-out does. Prints CPU nanoseconds per log for each stage (one core, hot caches):
// the split between the stages. Not a lower bound for `npm run bench`: a whole round of 4 000 logs
// is decoded and held before any is mapped, so garbage collection weighs on every stage.
import { benchArgs } from "./support/args";
import { GENERATOR_KINDS, LogGenerator } from "../emulator/generator";
import { compileMapper, type MappingConfig } from "../lib/mapping";
import { encodeLogGroup, encodeLogGroupList } from "../lib/sls/log-group-codec";
import { decodeLogGroupListRecords } from "../lib/sls/pull-decoder";
import { FrameEncoder } from "../lib/syslog/frame-encoder";
import { recordsFromMessage } from "../lib/syslog/from-node-message";
import { outFormatter } from "../lib/syslog/out-format";
import { logger, main } from "./support/report";

const { values } = benchArgs("npm run bench:stages -- [options]", {
  options: { json: { type: "boolean", default: false }, reps: { type: "string", default: "30" }, format: { type: "string", default: "kv" } },
});
const log = logger(values.json!);

const CONFIGS: Record<string, MappingConfig> = {
  kv: { format: "kv", hostname: "nr-1", hostnameType: "str" },
  cef: {
    format: "cef",
    hostname: "nr-1",
    hostnameType: "str",
    attributes: [
      { key: "rt", type: "meta", value: "timeMs" },
      { key: "cs1Label", type: "str", value: "project" },
      { key: "cs1", type: "meta", value: "project" },
    ],
  },
};

main(async () => {
  const config = CONFIGS[values.format!];
  if (!config) throw new Error(`--format must be kv or cef, not ${values.format}`);
  const groups: Buffer[] = [];
  for (const kind of GENERATOR_KINDS) {
    const gen = new LogGenerator(kind, { seed: 7, groupSize: 100 });
    for (let i = 0; i < 10; i++) groups.push(encodeLogGroup(gen.group(1714979289000 + i * 1000)));
  }
  const body = encodeLogGroupList(groups);
  const mapper = compileMapper(config);
  const { defaults, writer } = outFormatter({ format: "rfc5424", facility: "local0", severity: "info", bom: "auto" });
  const encoder = new FrameEncoder("octet");
  const cpu = (): number => {
    const c = process.cpuUsage();
    return (c.user + c.system) * 1000;
  };
  const ns = { decode: 0, map: 0, format: 0 };
  let logs = 0;
  const reps = Number(values.reps);
  for (let rep = 0; rep < reps; rep++) {
    const measured = rep >= 3; // the first rounds warm up the JIT
    let t0 = cpu();
    const pulled = decodeLogGroupListRecords(body);
    let t1 = cpu();
    if (measured) ns.decode += t1 - t0;
    for (const g of pulled) {
      // One batch message per log group, shaped as sls-consumer emits it.
      const tags: Record<string, string> = {};
      for (const [k, v] of g.tags) tags[k] = v;
      const records = g.records.map((p, index) => ({
        cursor: "MTcxNDk3OTI4OTk1NjI0NjAwMA==",
        index,
        time: p.__time__,
        timeNs: g.timeNs[index],
        topic: g.topic,
        source: g.source,
        tags,
      }));
      const msg = {
        payload: g.records,
        sls: { project: "p", logstore: "l", consumerGroup: "g", shard: 0, cursor: records[0]?.cursor, records },
        syslog: undefined as unknown,
      };
      t0 = cpu();
      msg.syslog = mapper.mapMessage(msg.payload, msg.sls);
      t1 = cpu();
      for (const rec of recordsFromMessage(msg, defaults)) encoder.encode(writer, rec);
      const t2 = cpu();
      if (measured) {
        ns.map += t1 - t0;
        ns.format += t2 - t1;
        logs += g.records.length;
      }
    }
  }
  const per = (x: number): number => Math.round(x / logs);
  const r = {
    format: values.format,
    logs,
    nsPerLog: { decode: per(ns.decode), map: per(ns.map), format: per(ns.format) },
    totalNsPerLog: per(ns.decode + ns.map + ns.format),
    rawBytesPerLog: Math.round(body.length / (groups.length * 100)),
  };
  log(
    `${r.format}: ${logs} logs of ${r.rawBytesPerLog} raw bytes; CPU ns per log: decode ${r.nsPerLog.decode}, map ${r.nsPerLog.map}, format and frame ${r.nsPerLog.format}; total ${r.totalNsPerLog} (= ${((r.rawBytesPerLog / r.totalNsPerLog) * 1000).toFixed(0)} MB raw per CPU-second)`,
  );
  if (values.json) console.log(JSON.stringify(r));
});

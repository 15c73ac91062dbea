// The SLS emulator in its own process, driven over IPC (see rpc.ts): preloading benchmark data,
// generating sequence-numbered logs at a rate, splitting/merging shards and injecting faults.
// argv[2] = JSON {maxShardBytes?}. Answers `ready` with the endpoint and the account.
import { start, GENERATOR_KINDS, LogGenerator, type Emulator, type FaultRule, type GeneratorKind, type GeneratorRun } from "../../emulator/index";
import { encodeLogGroup } from "../../lib/sls/log-group-codec";
import { RpcChild, serveRpc } from "./rpc";

export interface EmulatorInfo {
  url: string;
  project: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface Preloaded {
  bytes: number;
  logs: number;
  groups: number;
  ms: number;
}

export interface PreloadOptions {
  logstore: string;
  shards: number;
  mb: number;
  /** Logs per log group (default 100). */
  groupSize?: number;
  /** Generator kinds of the logs, one pool each, taken in turn (default: all of them). */
  kinds?: GeneratorKind[];
}

/**
 * Fills `shards` new shards with >= mb MB of raw log groups. Realistic logs of each kind are
 * encoded (and LZ4-compressed by the store) once into a pool of distinct groups, at least 64 and
 * at least 6 400 logs per kind; the rest of the volume appends those stored groups again (the
 * same buffers), so 1 GB loads in seconds and costs the emulator little memory.
 */
function preload(emu: Emulator, a: PreloadOptions): Preloaded {
  const t0 = Date.now();
  emu.createLogstore(a.logstore, { shards: a.shards });
  const ls = emu.getLogstore(a.logstore);
  const size = a.groupSize ?? 100;
  const pool: Array<{ buf: Buffer; logs: number }> = [];
  const perKind = Math.max(64, Math.ceil(6400 / size));
  for (const kind of a.kinds ?? GENERATOR_KINDS) {
    const gen = new LogGenerator(kind, { seed: 7, groupSize: size });
    for (let i = 0; i < perKind; i++) pool.push({ buf: encodeLogGroup(gen.group(Date.now())), logs: size });
  }
  let bytes = 0;
  let logs = 0;
  let groups = 0;
  const stored: Array<ReturnType<ReturnType<typeof ls.shard>["at"]>> = [];
  for (let i = 0; bytes < a.mb * 1e6; i++, groups++) {
    const shard = i % a.shards;
    const p = i < pool.length ? undefined : stored[i % pool.length];
    if (!p) {
      const r = emu.putEncoded(a.logstore, pool[i].buf, { shard });
      stored.push(ls.shard(r.shard).at(r.seq));
      bytes += stored[i].bytes.length;
    } else {
      ls.shard(shard).append(p.bytes, p.receiveTime, p.lz4);
      bytes += p.bytes.length;
    }
    logs += pool[i % pool.length].logs;
  }
  return { bytes, logs, groups, ms: Date.now() - t0 };
}

function main(): void {
  const opts = JSON.parse(process.argv[2] ?? "{}") as { maxShardBytes?: number };
  let emu: Emulator;
  const runs = new Map<string, GeneratorRun>();
  serveRpc({
    async start(): Promise<EmulatorInfo> {
      emu = await start({ port: 0, maxShardBytes: opts.maxShardBytes ?? 2 ** 31 });
      return { url: emu.url, project: emu.project, accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret };
    },
    preload: (a: PreloadOptions) => preload(emu, a),
    createLogstore: (a: { logstore: string; shards: number }) => emu.createLogstore(a.logstore, { shards: a.shards }),
    generate(a: { logstore: string; kind: GeneratorKind; rate: number; count?: number; groupSize?: number }): void {
      runs.set(a.logstore, emu.generate(a.logstore, a.kind, { rate: a.rate, count: a.count, groupSize: a.groupSize ?? 10, seed: 11 }));
    },
    generated: (a: { logstore: string }) => runs.get(a.logstore)?.written ?? 0,
    stopGenerate(a: { logstore: string }): number {
      const r = runs.get(a.logstore);
      r?.stop();
      return r?.written ?? 0;
    },
    listShards: (a: { logstore: string }) => emu.listShards(a.logstore),
    split: (a: { logstore: string; shard: number }) => emu.split(a.logstore, a.shard),
    merge: (a: { logstore: string; shard: number }) => emu.merge(a.logstore, a.shard),
    /** Deletes a consumer group (a logstore holds at most 30): a drained bench group is done with. */
    deleteGroup: (a: { logstore: string; group: string }) => emu.getLogstore(a.logstore).deleteGroup(a.group),
    consumers: (a: { logstore: string; group: string }) => (emu.getLogstore(a.logstore).groups.has(a.group) ? emu.consumers(a.logstore, a.group) : []),
    addFault: (rule: FaultRule) => emu.faults.add(rule),
    clearFaults: () => emu.faults.clear(),
    faultHits: () => emu.faults.list().map((f) => ({ id: f.id, hits: f.hits })),
  });
}

/** Forks the emulator process and starts the emulator. */
export async function startEmulatorProcess(opts: { maxShardBytes?: number } = {}): Promise<{ proc: RpcChild; info: EmulatorInfo }> {
  const proc = new RpcChild(__filename, opts);
  const info = await proc.call<EmulatorInfo>("start");
  return { proc, info };
}

if (require.main === module) main();

// Library API of the SLS emulator: `start({port: 0, ...})` → a running local Log Service plus
// admin helpers for tests, the demo and benchmarks.

import { decodeLogGroup, encodeLogGroup, LogGroup } from "../lib/sls/log-group-codec";
import { Checkpoint } from "./consumer-group";
import type { ConsumerSnapshot } from "./coordinator";
import { FAULT_ERRORS, FaultRule, Faults } from "./faults";
import { Logstore, LogstoreSettings, PutTarget } from "./logstore";
import { Persistence } from "./persistence";
import { adminHandler } from "./admin";
import { GeneratorKind, GeneratorOptions, GeneratorRun, LogGenerator, runGenerator } from "./generator";
import { SlsHttpServer } from "./server";
import type { ShardDescription } from "./shard";
import { Account } from "./signature";
import { Store } from "./store";
import { CredentialIssuer, MetadataServer, StsServer, type StsOptions } from "./sts";

export { FAULT_ERRORS } from "./faults";
export type { FaultRule } from "./faults";
export type { Account } from "./signature";
export { GENERATOR_KINDS, LogGenerator } from "./generator";
export type { CredentialIssuer, MetadataServer, StsOptions, StsServer, TemporaryCredentials } from "./sts";
export type { GeneratorKind, GeneratorRun } from "./generator";

/** The fixed local AccessKey pair (documented in docs/emulator.md); not a real credential. */
export const DEFAULT_ACCOUNT: Account = {
  accessKeyId: "emulator-access-key-id",
  accessKeySecret: "emulator-access-key-secret",
};
export const DEFAULT_PROJECT = "sls-emulator";

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Default project, served for Hosts without a project (IP, localhost). Created if missing. */
  project?: string;
  /** Logstore to create in the default project if it does not exist yet. */
  logstore?: string;
  /** Shard count of that logstore (default 2). */
  shards?: number;
  /** Directory that keeps logs, groups and checkpoints across restarts; memory only when absent. */
  data?: string;
  /** Accepted keys; default: DEFAULT_ACCOUNT. */
  accounts?: Account[];
  /** Size cap per shard in bytes (oldest groups dropped beyond it); default 1 GiB. */
  maxShardBytes?: number;
  /** LZ4-compress log groups on write so PullLogs only concatenates (default true). */
  precompress?: boolean;
  /** Raw bytes cap of one PullLogs answer; default 16 MiB. */
  maxPullBytes?: number;
  /** Extra host names that address the default project (CNAMEs). */
  cnames?: string[];
  /** Clock (ms) for receive times, consumer timeouts and signatures; default Date.now. */
  now?: () => number;
  /** Seed of the fault-injection PRNG. */
  faultSeed?: number;
  /**
   * Token the `/_emulator/*` admin routes require (`Authorization: Bearer <token>`). Without one
   * they answer only when bound to a loopback address (the default 127.0.0.1).
   */
  adminToken?: string;
  /**
   * Also start loopback stand-ins for STS and the ECS metadata service (sts.ts); the keys they
   * issue are accepted by this emulator until they expire.
   */
  credentialServices?: boolean | StsOptions;
}

export interface PutOptions {
  project?: string;
  /** 32-hex hash key: route like `/shards/route?key=`. */
  hashKey?: string;
  /** Write to this shard directly. */
  shard?: number;
  /** Receive time (unix s) to record instead of now: backdated data, e.g. near its TTL (tests). */
  receiveTime?: number;
}

export interface Emulator {
  /** `127.0.0.1:<port>`: what an SDK takes as endpoint (with protocol http). */
  endpoint: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  host: string;
  port: number;
  accessKeyId: string;
  accessKeySecret: string;
  project: string;
  logstore?: string;
  store: Store;
  close(): Promise<void>;
  createProject(name: string): void;
  createLogstore(name: string, opts?: { shards?: number; project?: string } & Partial<LogstoreSettings>): void;
  deleteLogstore(name: string, project?: string): void;
  getLogstore(name: string, project?: string): Logstore;
  /** Writes log groups (through the same path as PutLogs); returns [shard, seq] per group. */
  putLogs(logstore: string, groups: LogGroup | LogGroup[], opts?: PutOptions): Array<{ shard: number; seq: number }>;
  /** Writes already serialized LogGroups (fast path for benchmarks). */
  putEncoded(logstore: string, encoded: Buffer, opts?: PutOptions): { shard: number; seq: number };
  listShards(logstore: string, project?: string): ShardDescription[];
  split(logstore: string, shard: number, opts?: { key?: string; count?: number; project?: string }): number[];
  merge(logstore: string, shard: number, project?: string): number;
  createConsumerGroup(logstore: string, name: string, opts?: { timeout?: number; order?: boolean; project?: string }): void;
  checkpoints(logstore: string, group: string, project?: string): Checkpoint[];
  consumers(logstore: string, group: string, project?: string): ConsumerSnapshot[];
  /**
   * Writes simulated logs (each with a `seq` field) at `rate` logs/s and/or up to `count` logs.
   * Without `startSeq`, `seq` continues after the highest one already in the logstore.
   */
  generate(logstore: string, kind: GeneratorKind, opts: GeneratorOptions & { rate?: number; count?: number; project?: string; hashKey?: string }): GeneratorRun;
  /** The STS and metadata stand-ins (with `credentialServices`). */
  credentialServices?: { sts: StsServer; metadata: MetadataServer; issuer: CredentialIssuer };
  faults: {
    add(rule: FaultRule): number;
    remove(id: number): boolean;
    clear(): void;
    list(): ReturnType<Faults["list"]>;
    errors: typeof FAULT_ERRORS;
  };
}

/** One past the highest `seq` in the newest group of each shard: generators continue, e.g. after a restart. */
function nextSeqIn(l: Logstore): number {
  let next = 0;
  for (const s of l.listShards()) {
    if (s.groupCount === 0) continue;
    for (const log of decodeLogGroup(s.at(s.endSeq - 1).bytes).logs) {
      const seq = log.contents.find(([k]) => k === "seq");
      if (seq && /^[0-9]+$/.test(seq[1])) next = Math.max(next, Number(seq[1]) + 1);
    }
  }
  return next;
}

export async function start(opts: EmulatorOptions = {}): Promise<Emulator> {
  const now = opts.now ?? Date.now;
  const store = new Store({ now, maxShardBytes: opts.maxShardBytes, precompress: opts.precompress });
  const persistence = opts.data ? Persistence.open(opts.data, store) : undefined;
  const projectName = opts.project ?? DEFAULT_PROJECT;
  if (!store.projects.has(projectName)) store.createProject(projectName, "default project of the SLS emulator");
  if (opts.logstore && !store.project(projectName).logstores.has(opts.logstore)) {
    store.project(projectName).createLogstore(opts.logstore, opts.shards ?? 2);
  }
  const accounts = opts.accounts && opts.accounts.length > 0 ? opts.accounts : [DEFAULT_ACCOUNT];
  const faults = new Faults(opts.faultSeed);
  const accountMap = new Map(accounts.map((a) => [a.accessKeyId, a]));
  const server = new SlsHttpServer({
    store,
    accounts: accountMap,
    defaultProject: projectName,
    faults,
    maxPullBytes: opts.maxPullBytes,
    cnames: opts.cnames,
    now,
    admin: (method, path, query, body) => adminHandler({ store, faults, defaultProject: projectName }, method, path, query, body),
    adminToken: opts.adminToken,
  });
  let addr;
  try {
    addr = await server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1");
  } catch (e) {
    persistence?.close();
    throw e;
  }
  let credentialServices: Emulator["credentialServices"];
  if (opts.credentialServices) {
    const so: StsOptions = opts.credentialServices === true ? {} : opts.credentialServices;
    const issuer = new CredentialIssuer(accountMap, so.lifetimeSec, so.now);
    credentialServices = { issuer, sts: new StsServer(accountMap, issuer, so), metadata: new MetadataServer(issuer) };
    // Loopback only, whatever --host says: the metadata stand-in hands the instance role's keys to
    // anyone who asks, as an instance's own metadata service does.
    await credentialServices.sts.listen("127.0.0.1");
    await credentialServices.metadata.listen("127.0.0.1");
  }
  const hostPart = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const ls = (name: string, project?: string) => store.project(project ?? projectName).logstore(name);
  const target = (o: PutOptions = {}): PutTarget =>
    o.shard !== undefined ? { kind: "shard", id: o.shard } : o.hashKey ? { kind: "hash", key: o.hashKey } : { kind: "lb" };

  const runs = new Set<GeneratorRun>();
  let closing: Promise<void> | undefined;
  const emu: Emulator = {
    endpoint: `${hostPart}:${addr.port}`,
    url: `http://${hostPart}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    accessKeyId: accounts[0].accessKeyId,
    accessKeySecret: accounts[0].accessKeySecret,
    project: projectName,
    logstore: opts.logstore,
    store,
    async close() {
      closing ??= (async () => {
        for (const r of runs) r.stop();
        await server.close();
        await credentialServices?.sts.close();
        await credentialServices?.metadata.close();
        persistence?.close();
      })();
      await closing;
    },
    createProject: (name) => void store.createProject(name),
    createLogstore(name, o = {}) {
      const { shards, project, ...settings } = o;
      store.project(project ?? projectName).createLogstore(name, shards ?? 2, settings);
    },
    deleteLogstore: (name, project) => store.project(project ?? projectName).deleteLogstore(name),
    getLogstore: ls,
    putLogs(logstore, groups, o) {
      const l = ls(logstore, o?.project);
      return (Array.isArray(groups) ? groups : [groups]).map((g) => {
        const r = l.put(target(o), encodeLogGroup(g), undefined, o?.receiveTime);
        return { shard: r.shard.id, seq: r.seq };
      });
    },
    putEncoded(logstore, encoded, o) {
      const r = ls(logstore, o?.project).put(target(o), encoded, undefined, o?.receiveTime);
      return { shard: r.shard.id, seq: r.seq };
    },
    listShards: (logstore, project) =>
      ls(logstore, project)
        .listShards()
        .map((s) => s.describe()),
    split: (logstore, shard, o = {}) =>
      ls(logstore, o.project)
        .split(shard, { key: o.key, count: o.count })
        .slice(1)
        .map((s) => s.id),
    merge: (logstore, shard, project) => ls(logstore, project).merge(shard)[0].id,
    createConsumerGroup(logstore, name, o = {}) {
      ls(logstore, o.project).createGroup(name, o.timeout ?? 60, o.order ?? false);
    },
    checkpoints: (logstore, group, project) => ls(logstore, project).checkpoints(group),
    consumers: (logstore, group, project) => ls(logstore, project).group(group).coordinator.snapshot(),
    generate(logstore, kind, o) {
      const l = ls(logstore, o.project);
      const gen = new LogGenerator(kind, { ...o, startSeq: o.startSeq ?? nextSeqIn(l) });
      const run = runGenerator(gen, (g) => l.put(target({ hashKey: o.hashKey }), encodeLogGroup(g)), { ...o, now });
      runs.add(run);
      void run.done.then(() => runs.delete(run));
      return run;
    },
    credentialServices,
    faults: {
      add: (rule) => faults.add(rule),
      remove: (id) => faults.remove(id),
      clear: () => faults.clear(),
      list: () => faults.list(),
      errors: FAULT_ERRORS,
    },
  };
  return emu;
}

// All emulated state: projects and their logstores. Persistence plugs in through StoreListener.

import { Checkpoint } from "./consumer-group";
import { errors } from "./errors";
import { Logstore, LogstoreListener, LogstoreMeta, LogstoreSettings } from "./logstore";
import { Shard } from "./shard";

export interface ProjectInfo {
  projectName: string;
  description: string;
  createTime: number;
}

export interface StoreListener {
  project(p: ProjectInfo): void;
  dropProject(name: string): void;
  logstore(project: string, meta: LogstoreMeta): void;
  dropLogstore(project: string, name: string): void;
  appended(project: string, logstore: string, shard: number, seq: number, bytes: Buffer, receiveTime: number): void;
  checkpoint(project: string, logstore: string, group: string, cp: Checkpoint): void;
  trimmed(project: string, logstore: string, shard: Shard): void;
}

export interface StoreOptions {
  now?: () => number;
  /** Size cap per shard; the oldest groups are dropped beyond it. */
  maxShardBytes?: number;
  /** LZ4-compress groups on write so PullLogs only concatenates (default true). */
  precompress?: boolean;
}

export class Project {
  readonly logstores = new Map<string, Logstore>();
  constructor(
    readonly info: ProjectInfo,
    private readonly store: Store,
  ) {}

  get name(): string {
    return this.info.projectName;
  }

  logstore(name: string): Logstore {
    const ls = this.logstores.get(name);
    if (!ls) throw errors.logStoreNotExist(name);
    return ls;
  }

  createLogstore(name: string, shardCount: number, settings: Partial<LogstoreSettings> = {}): Logstore {
    if (!/^[a-z0-9][a-z0-9_-]{1,62}$/.test(name)) throw errors.parameterInvalid(`invalid logstore name ${JSON.stringify(name)}`);
    if (this.logstores.has(name)) throw errors.logStoreAlreadyExist(name);
    if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 256) {
      throw errors.parameterInvalid(`shardCount must be an integer in 1..256`);
    }
    const s = this.store;
    const ls = new Logstore(this.name, name, settings, s.nowS(), s.now, s.maxShardBytes, s.logstoreListener, s.precompress);
    ls.initShards(shardCount);
    this.logstores.set(name, ls);
    this.store.listener?.logstore(this.name, ls.meta());
    return ls;
  }

  restoreLogstore(meta: LogstoreMeta): Logstore {
    const s = this.store;
    const ls = Logstore.fromMeta(this.name, meta, s.now, s.maxShardBytes, s.logstoreListener, s.precompress);
    this.logstores.set(ls.name, ls);
    return ls;
  }

  deleteLogstore(name: string): void {
    this.logstore(name);
    this.logstores.delete(name);
    this.store.listener?.dropLogstore(this.name, name);
  }
}

export class Store {
  readonly projects = new Map<string, Project>();
  readonly now: () => number;
  readonly maxShardBytes: number;
  readonly precompress: boolean;
  listener?: StoreListener;
  readonly logstoreListener: LogstoreListener = {
    changed: (ls) => this.listener?.logstore(ls.project, ls.meta()),
    appended: (ls: Logstore, shard: Shard, seq: number, bytes: Buffer, receiveTime: number) =>
      this.listener?.appended(ls.project, ls.name, shard.id, seq, bytes, receiveTime),
    checkpoint: (ls, group, cp) => this.listener?.checkpoint(ls.project, ls.name, group, cp),
    trimmed: (ls, shard) => this.listener?.trimmed(ls.project, ls.name, shard),
  };

  constructor(opts: StoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.maxShardBytes = opts.maxShardBytes ?? 1024 * 1024 * 1024;
    this.precompress = opts.precompress ?? true;
  }

  nowS(): number {
    return Math.floor(this.now() / 1000);
  }

  project(name: string): Project {
    const p = this.projects.get(name);
    if (!p) throw errors.projectNotExist(name);
    return p;
  }

  createProject(name: string, description = ""): Project {
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) throw errors.parameterInvalid(`invalid project name ${JSON.stringify(name)}`);
    if (this.projects.has(name)) throw errors.projectAlreadyExist(name);
    const info = { projectName: name, description, createTime: this.nowS() };
    const p = new Project(info, this);
    this.projects.set(name, p);
    this.listener?.project(info);
    return p;
  }

  restoreProject(info: ProjectInfo): Project {
    const p = new Project(info, this);
    this.projects.set(info.projectName, p);
    return p;
  }

  deleteProject(name: string): void {
    const p = this.project(name);
    for (const ls of [...p.logstores.keys()]) p.deleteLogstore(ls);
    this.projects.delete(name);
    this.listener?.dropProject(name);
  }
}

// `--data DIR`: logs, logstores, consumer groups and checkpoints survive a restart.
//
// Layout: `meta.jsonl`, an append-only journal of metadata events (a full logstore snapshot per
// structural change, one line per checkpoint), compacted on every start; and one append-only file
// per shard, `shards/<project>/<logstore>/<id>.log` = 16-byte header (magic, seq of the first
// record) then records `[u32 length][u32 receive time][LogGroup bytes]`. A torn tail (crash in
// the middle of a write) is cut off on load. TTL and the size cap are re-applied on load.

import * as fs from "node:fs";
import * as path from "node:path";
import type { Checkpoint } from "./consumer-group";
import type { LogstoreMeta } from "./logstore";
import type { Shard } from "./shard";
import type { ProjectInfo, Store, StoreListener } from "./store";

const MAGIC = Buffer.from("SLSEMU01", "latin1");
const HEADER = 16;

type MetaEvent =
  | { t: "project"; info: ProjectInfo }
  | { t: "dropProject"; name: string }
  | { t: "logstore"; project: string; meta: LogstoreMeta }
  | { t: "dropLogstore"; project: string; name: string }
  | { t: "checkpoint"; project: string; logstore: string; group: string; cp: Checkpoint };

interface LoadedProject {
  info: ProjectInfo;
  logstores: Map<string, LogstoreMeta>;
}

export class Persistence implements StoreListener {
  private metaFd: number;
  private readonly fds = new Map<string, number>();
  /** Seq of the first record in each shard file (records before the shard's firstSeq are dead). */
  private readonly fileFirst = new Map<string, number>();

  private constructor(private readonly dir: string) {
    this.metaFd = -1;
  }

  /** Loads DIR into the (empty) store, compacts the files, and starts journaling the store. */
  static open(dir: string, store: Store): Persistence {
    fs.mkdirSync(path.join(dir, "shards"), { recursive: true });
    const p = new Persistence(dir);
    const projects = p.readMeta();
    for (const lp of projects.values()) {
      const project = store.restoreProject(lp.info);
      for (const meta of lp.logstores.values()) {
        const ls = project.restoreLogstore(meta);
        for (const shard of ls.shards.values()) {
          const file = p.shardFile(lp.info.projectName, ls.name, shard.id);
          const loaded = p.loadShard(
            file,
            (first) => (shard.firstSeq = first),
            (bytes, t) => shard.append(bytes, t),
          );
          ls.expire(shard);
          if (loaded && shard.firstSeq > loaded.firstSeq) p.rewriteShard(file, shard);
          if (loaded) p.fileFirst.set(`${lp.info.projectName}/${ls.name}/${shard.id}`, shard.firstSeq);
        }
      }
    }
    p.removeOrphans(projects);
    p.compactMeta(store);
    store.listener = p;
    return p;
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
    if (this.metaFd >= 0) fs.closeSync(this.metaFd);
    this.metaFd = -1;
  }

  // ---- StoreListener

  project(info: ProjectInfo): void {
    this.journal({ t: "project", info });
  }

  dropProject(name: string): void {
    this.journal({ t: "dropProject", name });
    this.closeUnder(name + "/");
    fs.rmSync(path.join(this.dir, "shards", encodeURIComponent(name)), { recursive: true, force: true });
  }

  logstore(project: string, meta: LogstoreMeta): void {
    this.journal({ t: "logstore", project, meta });
  }

  dropLogstore(project: string, name: string): void {
    this.journal({ t: "dropLogstore", project, name });
    this.closeUnder(`${project}/${name}/`);
    fs.rmSync(this.logstoreDir(project, name), { recursive: true, force: true });
  }

  appended(project: string, logstore: string, shard: number, seq: number, bytes: Buffer, receiveTime: number): void {
    const key = `${project}/${logstore}/${shard}`;
    let fd = this.fds.get(key);
    if (fd === undefined) {
      const file = this.shardFile(project, logstore, shard);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fd = fs.openSync(file, "a");
      if (fs.fstatSync(fd).size === 0) {
        fs.writeSync(fd, header(seq));
        this.fileFirst.set(key, seq);
      }
      this.fds.set(key, fd);
    }
    writeRecord(fd, bytes, receiveTime);
  }

  checkpoint(project: string, logstore: string, group: string, cp: Checkpoint): void {
    this.journal({ t: "checkpoint", project, logstore, group, cp });
  }

  /** Rewrites a shard file once its dead prefix outweighs the live records (amortised O(1)). */
  trimmed(project: string, logstore: string, shard: Shard): void {
    const key = `${project}/${logstore}/${shard.id}`;
    const dead = shard.firstSeq - (this.fileFirst.get(key) ?? shard.firstSeq);
    if (dead < 1024 || dead < shard.groupCount) return;
    const fd = this.fds.get(key);
    if (fd !== undefined) fs.closeSync(fd);
    this.fds.delete(key);
    this.rewriteShard(this.shardFile(project, logstore, shard.id), shard);
    this.fileFirst.set(key, shard.firstSeq);
  }

  // ---- files

  private logstoreDir(project: string, logstore: string): string {
    return path.join(this.dir, "shards", encodeURIComponent(project), encodeURIComponent(logstore));
  }

  private shardFile(project: string, logstore: string, shard: number): string {
    return path.join(this.logstoreDir(project, logstore), `${shard}.log`);
  }

  private closeUnder(prefix: string): void {
    for (const [k, fd] of this.fds) {
      if (k.startsWith(prefix)) {
        fs.closeSync(fd);
        this.fds.delete(k);
      }
    }
  }

  private journal(e: MetaEvent): void {
    if (this.metaFd < 0) this.metaFd = fs.openSync(path.join(this.dir, "meta.jsonl"), "a");
    fs.writeSync(this.metaFd, JSON.stringify(e) + "\n");
  }

  private readMeta(): Map<string, LoadedProject> {
    const projects = new Map<string, LoadedProject>();
    const file = path.join(this.dir, "meta.jsonl");
    if (!fs.existsSync(file)) return projects;
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      if (!line.trim()) continue;
      let e: MetaEvent;
      try {
        e = JSON.parse(line) as MetaEvent;
      } catch {
        continue; // torn last line
      }
      switch (e.t) {
        case "project":
          projects.set(e.info.projectName, { info: e.info, logstores: new Map() });
          break;
        case "dropProject":
          projects.delete(e.name);
          break;
        case "logstore":
          projects.get(e.project)?.logstores.set(e.meta.logstoreName, e.meta);
          break;
        case "dropLogstore":
          projects.get(e.project)?.logstores.delete(e.name);
          break;
        case "checkpoint": {
          const g = projects
            .get(e.project)
            ?.logstores.get(e.logstore)
            ?.groups.find((x) => x.name === e.group);
          if (g) g.checkpoints = [...g.checkpoints.filter((c) => c.shard !== e.cp.shard), e.cp];
          break;
        }
      }
    }
    return projects;
  }

  private compactMeta(store: Store): void {
    const lines: string[] = [];
    for (const p of store.projects.values()) {
      lines.push(JSON.stringify({ t: "project", info: p.info } satisfies MetaEvent));
      for (const ls of p.logstores.values()) {
        lines.push(JSON.stringify({ t: "logstore", project: p.name, meta: ls.meta() } satisfies MetaEvent));
      }
    }
    const file = path.join(this.dir, "meta.jsonl");
    fs.writeFileSync(file + ".tmp", lines.map((l) => l + "\n").join(""));
    fs.renameSync(file + ".tmp", file);
  }

  /** Reads a shard file into the shard; cuts a torn tail. Returns the header's first seq. */
  private loadShard(file: string, setFirst: (seq: number) => void, add: (bytes: Buffer, receiveTime: number) => void): { firstSeq: number } | undefined {
    if (!fs.existsSync(file)) return undefined;
    const buf = fs.readFileSync(file);
    if (buf.length < HEADER || !buf.subarray(0, 8).equals(MAGIC)) {
      fs.rmSync(file);
      return undefined;
    }
    const firstSeq = buf.readDoubleLE(8);
    setFirst(firstSeq);
    let pos = HEADER;
    while (pos + 8 <= buf.length) {
      const len = buf.readUInt32LE(pos);
      if (pos + 8 + len > buf.length) break;
      add(buf.subarray(pos + 8, pos + 8 + len), buf.readUInt32LE(pos + 4));
      pos += 8 + len;
    }
    if (pos !== buf.length) fs.truncateSync(file, pos);
    return { firstSeq };
  }

  private rewriteShard(file: string, shard: Shard): void {
    const fd = fs.openSync(file + ".tmp", "w");
    try {
      fs.writeSync(fd, header(shard.firstSeq));
      for (let seq = shard.firstSeq; seq < shard.endSeq; seq++) {
        const g = shard.at(seq);
        writeRecord(fd, g.bytes, g.receiveTime);
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(file + ".tmp", file);
  }

  private removeOrphans(projects: Map<string, LoadedProject>): void {
    const root = path.join(this.dir, "shards");
    for (const pd of fs.readdirSync(root)) {
      const lp = projects.get(decodeURIComponent(pd));
      if (!lp) {
        fs.rmSync(path.join(root, pd), { recursive: true, force: true });
        continue;
      }
      for (const ld of fs.readdirSync(path.join(root, pd))) {
        const meta = lp.logstores.get(decodeURIComponent(ld));
        if (!meta) {
          fs.rmSync(path.join(root, pd, ld), { recursive: true, force: true });
          continue;
        }
        // Files of shards that were retired (readonly and expired).
        const ids = new Set(meta.shards.map((s) => `${s.shardID}.log`));
        for (const f of fs.readdirSync(path.join(root, pd, ld))) if (!ids.has(f)) fs.rmSync(path.join(root, pd, ld, f), { force: true });
      }
    }
  }
}

function writeRecord(fd: number, bytes: Buffer, receiveTime: number): void {
  const rec = Buffer.allocUnsafe(8);
  rec.writeUInt32LE(bytes.length, 0);
  rec.writeUInt32LE(receiveTime >>> 0, 4);
  fs.writevSync(fd, [rec, bytes]);
}

function header(firstSeq: number): Buffer {
  const h = Buffer.alloc(HEADER);
  MAGIC.copy(h, 0);
  h.writeDoubleLE(firstSeq, 8);
  return h;
}

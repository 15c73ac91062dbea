// Server-side shard assignment of one consumer group (docs/sls-protocol.md, "Consumer groups and
// heartbeats"). A pure class: no I/O, the clock is injected, the shard topology is passed in on
// every heartbeat, so property tests can drive it directly.
//
// Model: each live consumer has a *target* (the shards it should own, balanced ±1 and sticky), a
// *grant* (what the last heartbeat response gave it) and a *report* (what its last heartbeat body
// said it still holds or drains). A consumer "owns" report ∪ grant. A target shard is granted only
// when no other live consumer owns it, so a moved shard reaches its new owner only after the old
// owner dropped it from its heartbeat or timed out.

import { errors } from "./errors";

export interface ShardView {
  id: number;
  /** Readonly and consumed to its end (or never had data): never handed out again. */
  finished: boolean;
  /** Split/merge parents; with `order`, a shard is handed out only once all parents are finished. */
  parents: readonly number[];
}

export interface CoordinatorOptions {
  /** Consumers not heard from for longer than this are dropped. */
  timeoutMs: number;
  order: boolean;
  now?: () => number;
}

interface ConsumerState {
  lastSeen: number;
  reported: Set<number>;
  granted: Set<number>;
  target: Set<number>;
}

export interface ConsumerSnapshot {
  name: string;
  lastSeen: number;
  reported: number[];
  granted: number[];
  target: number[];
}

const ascending = (a: number, b: number) => a - b;

export class Coordinator {
  private readonly members = new Map<string, ConsumerState>();
  private timeoutMs: number;
  private order: boolean;
  private readonly now: () => number;

  constructor(opts: CoordinatorOptions) {
    this.timeoutMs = opts.timeoutMs;
    this.order = opts.order;
    this.now = opts.now ?? Date.now;
  }

  configure(opts: { timeoutMs?: number; order?: boolean }): void {
    if (opts.timeoutMs !== undefined) this.timeoutMs = opts.timeoutMs;
    if (opts.order !== undefined) this.order = opts.order;
  }

  /** Drops consumers whose last heartbeat is older than the timeout; returns their names. */
  expire(): string[] {
    const now = this.now();
    const gone: string[] = [];
    for (const [name, c] of this.members) {
      if (now - c.lastSeen > this.timeoutMs) {
        this.members.delete(name);
        gone.push(name);
      }
    }
    return gone;
  }

  isLive(consumer: string): boolean {
    this.expire();
    return this.members.has(consumer);
  }

  /** The live consumer that owns (was granted, or still reports) the shard. */
  owner(shard: number): string | undefined {
    this.expire();
    for (const [name, c] of this.members) if (c.granted.has(shard) || c.reported.has(shard)) return name;
    return undefined;
  }

  /**
   * One heartbeat: registers or refreshes `consumer`, records the shards it still holds, rebalances
   * and returns the shards it may consume now (sorted). Throws `NotExistConsumerWithBody` when an
   * unknown consumer claims shards.
   */
  heartbeat(consumer: string, held: readonly number[], shards: readonly ShardView[]): number[] {
    this.expire();
    let me = this.members.get(consumer);
    if (!me) {
      if (held.length > 0) throw errors.notExistConsumerWithBody(consumer);
      me = { lastSeen: 0, reported: new Set(), granted: new Set(), target: new Set() };
      this.members.set(consumer, me);
    }
    me.lastSeen = this.now();
    me.reported = new Set(held);
    this.rebalance(shards);
    const grant = new Set<number>();
    for (const s of me.target) if (!this.ownedByOther(consumer, s)) grant.add(s);
    me.granted = grant;
    return [...grant].sort(ascending);
  }

  snapshot(): ConsumerSnapshot[] {
    return [...this.members]
      .map(([name, c]) => ({
        name,
        lastSeen: c.lastSeen,
        reported: [...c.reported].sort(ascending),
        granted: [...c.granted].sort(ascending),
        target: [...c.target].sort(ascending),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private ownedByOther(consumer: string, shard: number): boolean {
    for (const [name, c] of this.members) {
      if (name !== consumer && (c.granted.has(shard) || c.reported.has(shard))) return true;
    }
    return false;
  }

  private candidates(shards: readonly ShardView[]): Set<number> {
    const finished = new Map(shards.map((s) => [s.id, s.finished]));
    const out = new Set<number>();
    for (const s of shards) {
      if (s.finished) continue;
      // A parent that no longer exists (expired, deleted) counts as finished.
      if (this.order && s.parents.some((p) => finished.get(p) === false)) continue;
      out.add(s.id);
    }
    return out;
  }

  /** Balanced ±1 and sticky: consumers keep what they have up to their quota; only surplus moves. */
  private rebalance(shards: readonly ShardView[]): void {
    const cand = this.candidates(shards);
    const names = [...this.members.keys()].sort();
    const taken = new Set<number>();
    for (const name of names) {
      const c = this.members.get(name)!;
      for (const s of [...c.target]) {
        if (!cand.has(s) || taken.has(s)) c.target.delete(s);
        else taken.add(s);
      }
    }
    const m = names.length;
    if (m === 0) return;
    const q = Math.floor(cand.size / m);
    let extra = cand.size % m;
    // Those already holding the most get the q+1 slots: that minimises moves.
    const bySize = names.map((name) => ({ name, c: this.members.get(name)! })).sort((a, b) => b.c.target.size - a.c.target.size || (a.name < b.name ? -1 : 1));
    const quota = new Map<string, number>();
    for (const { name, c } of bySize) {
      const qt = extra > 0 ? q + 1 : q;
      if (extra > 0) extra--;
      quota.set(name, qt);
      if (c.target.size > qt) {
        const sorted = [...c.target].sort(ascending);
        for (const s of sorted.slice(qt)) {
          c.target.delete(s);
          taken.delete(s);
        }
      }
    }
    const pool = [...cand].filter((s) => !taken.has(s)).sort(ascending);
    for (const { name, c } of bySize) {
      const qt = quota.get(name)!;
      while (c.target.size < qt && pool.length > 0) c.target.add(pool.shift()!);
    }
  }
}

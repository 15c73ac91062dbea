// 64 consumers joining and leaving one consumer group over 256 shards, against the emulator's
// coordinator (no Node-RED, no network): heartbeats are periodic, each consumer at its own phase,
// as sls-consumer sends them; a revoked shard is handed back (dropped from the heartbeat body)
// once its reader has stopped and committed, which takes a fraction of an interval.
// Checked at every heartbeat: no shard is held (reading or still draining) by two consumers.
// Checked after every membership change: the assignment is complete and balanced (±1 shard)
// within two heartbeat intervals of the change taking effect at the server (a join: the joiner's
// first heartbeat; a stop or crash: the group timeout after its last heartbeat).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Coordinator, type ShardView } from "../../../emulator/coordinator";
import { prng } from "../../../emulator/faults";

const H = 20_000; // sls-consumer's default heartbeat
const T = 3 * H; // its default group timeout
const SHARDS = 256;
const CONSUMERS = 64;

interface Member {
  name: string;
  /** Heartbeats at phase + k·H. */
  phase: number;
  held: Set<number>;
  /** Revoked shards still stopping: shard → time the reader has stopped and committed. */
  draining: Map<number, number>;
  lastBeat: number;
  stopped: boolean;
}

class GroupSim {
  now = 0;
  readonly coord = new Coordinator({ timeoutMs: T, order: false, now: () => this.now });
  readonly members = new Map<string, Member>();
  private readonly views: ShardView[] = Array.from({ length: SHARDS }, (_, id) => ({ id, finished: false, parents: [] }));
  private seq = 0;
  beats = 0;
  maxSimultaneous = 0;

  constructor(private readonly rnd: () => number) {}

  /** A consumer starts: its first heartbeat is at `at`, then every H. */
  join(at: number): string {
    const name = `consumer-${this.seq++}`;
    this.members.set(name, { name, phase: at % H, held: new Set(), draining: new Map(), lastBeat: -Infinity, stopped: false });
    return name;
  }

  /** sls-consumer's stop(): shards released, one empty heartbeat, then silence. */
  stop(name: string): void {
    const m = this.members.get(name)!;
    m.held.clear();
    m.draining.clear();
    this.coord.heartbeat(name, [], this.views);
    m.lastBeat = this.now;
    m.stopped = true;
  }

  /** A crash: silence, its readers die with it. */
  crash(name: string): void {
    const m = this.members.get(name)!;
    m.held.clear();
    m.draining.clear();
    m.stopped = true;
  }

  /** Runs heartbeats in time order until `until`, checking exclusivity after each. */
  runTo(until: number): void {
    for (;;) {
      let next: Member | undefined;
      let at = Infinity;
      for (const m of this.members.values()) {
        if (m.stopped) continue;
        const t = m.lastBeat === -Infinity ? m.phase + Math.ceil((this.now - m.phase) / H) * H : m.lastBeat + H;
        if (t < at) {
          at = t;
          next = m;
        }
      }
      if (!next || at > until) break;
      this.now = Math.max(this.now, at);
      this.beat(next);
    }
    this.now = Math.max(this.now, until);
    for (const [name, m] of this.members) if (m.stopped && this.now - m.lastBeat > T) this.members.delete(name);
  }

  private beat(m: Member): void {
    for (const [s, done] of m.draining) if (done <= this.now) m.draining.delete(s);
    const resp = this.coord.heartbeat(m.name, [...m.held, ...m.draining.keys()], this.views);
    this.beats++;
    m.lastBeat = this.now;
    const granted = new Set(resp);
    for (const s of m.held) if (!granted.has(s)) m.draining.set(s, this.now + Math.floor(this.rnd() * 0.3 * H));
    for (const s of granted) m.draining.delete(s);
    m.held = granted;
    this.checkExclusive();
  }

  checkExclusive(): void {
    const owner = new Map<number, string>();
    for (const m of this.members.values()) {
      for (const s of [...m.held, ...m.draining.keys()]) {
        assert.ok(!owner.has(s), `t=${this.now}: shard ${s} held by ${owner.get(s)} and ${m.name}`);
        owner.set(s, m.name);
      }
    }
    this.maxSimultaneous = Math.max(this.maxSimultaneous, owner.size);
  }

  /** Every shard read by exactly one running consumer, counts within ±1, nothing draining. */
  balanced(): boolean {
    const running = [...this.members.values()].filter((m) => !m.stopped);
    if (running.length === 0) return true;
    const counts = running.map((m) => m.held.size);
    const total = counts.reduce((a, b) => a + b, 0);
    return total === SHARDS && Math.max(...counts) - Math.min(...counts) <= 1 && running.every((m) => m.draining.size === 0);
  }

  spread(): [number, number] {
    const counts = [...this.members.values()].filter((m) => !m.stopped).map((m) => m.held.size);
    return [Math.min(...counts), Math.max(...counts)];
  }

  /** Intervals (of H, in quarters) from `from` until balanced; fails beyond `limit` intervals. */
  settle(from: number, limit: number, what: string): number {
    for (let t = from; t <= from + limit * H; t += H / 4) {
      this.runTo(t);
      if (this.balanced()) return (t - from) / H;
    }
    assert.fail(`${what}: not balanced within ${limit} heartbeat intervals (spread ${this.spread().join("..")})`);
  }
}

describe("consumer group at scale: 64 consumers, 256 shards", () => {
  it("joins, stops and crashes: balanced ±1 within two heartbeats of each change, never a shard in two hands", () => {
    const figures = { join: 0, stop: 0, crash: 0, fleet: 0 };
    for (let seed = 1; seed <= 5; seed++) {
      const rnd = prng(seed);
      const sim = new GroupSim(rnd);

      // A fleet starting together: 64 first heartbeats spread over one interval.
      for (let i = 0; i < CONSUMERS; i++) sim.join(Math.floor(rnd() * H));
      figures.fleet = Math.max(figures.fleet, sim.settle(H, 2, `seed ${seed}: fleet start`));
      assert.deepEqual(sim.spread(), [4, 4]);

      // Churn: one change at a time, each settling before the next.
      for (let step = 0; step < 40; step++) {
        const names = [...sim.members.values()].filter((m) => !m.stopped).map((m) => m.name);
        const r = rnd();
        if ((r < 0.4 && names.length < CONSUMERS) || names.length <= 48) {
          const at = sim.now + Math.floor(rnd() * H);
          sim.join(at);
          figures.join = Math.max(figures.join, sim.settle(at, 2, `seed ${seed} step ${step}: join`));
        } else if (r < 0.7) {
          const victim = names[Math.floor(rnd() * names.length)];
          sim.runTo(sim.now + Math.floor(rnd() * H));
          sim.stop(victim);
          figures.stop = Math.max(figures.stop, sim.settle(sim.now + T, 2, `seed ${seed} step ${step}: stop`));
        } else {
          const victim = names[Math.floor(rnd() * names.length)];
          sim.runTo(sim.now + Math.floor(rnd() * H));
          const last = sim.members.get(victim)!.lastBeat;
          sim.crash(victim);
          figures.crash = Math.max(figures.crash, sim.settle(last + T, 2, `seed ${seed} step ${step}: crash`));
        }
        const [lo, hi] = sim.spread();
        assert.ok(hi - lo <= 1, `seed ${seed} step ${step}: spread ${lo}..${hi}`);
      }
      // Quiet: nothing moves without a membership change.
      const before = JSON.stringify([...sim.members.values()].map((m) => [m.name, [...m.held].sort((a, b) => a - b)]));
      sim.runTo(sim.now + 5 * H);
      assert.equal(
        JSON.stringify([...sim.members.values()].map((m) => [m.name, [...m.held].sort((a, b) => a - b)])),
        before,
        `seed ${seed}: moved while quiet`,
      );
    }
    // Longest time to balance after a change, in heartbeat intervals (test output, for the record).
    console.log(
      `# 64x256: balanced after fleet start ${figures.fleet} H, join ${figures.join} H, stop ${figures.stop} H after the timeout, crash ${figures.crash} H after the timeout`,
    );
  });
});

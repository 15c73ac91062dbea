// Properties of the consumer-group coordinator, driven with a fake clock and simulated clients
// that behave like the reference libraries (report held ∪ draining, drop revoked shards later).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Coordinator, ShardView } from "../../../emulator/coordinator";
import { prng } from "../../../emulator/faults";

const H = 1000; // heartbeat interval
const T = 3000; // group timeout

interface Client {
  name: string;
  held: Set<number>;
  /** Revoked shards still shutting down → tick at which they are released. */
  draining: Map<number, number>;
  lastBeat: number;
  /** Skips heartbeats until this round (a stalled process or a network partition). */
  pausedUntil: number;
}

class Sim {
  now = 0;
  tick = 0;
  readonly coord = new Coordinator({ timeoutMs: T, order: false, now: () => this.now });
  readonly alive = new Map<string, Client>();
  /** Crashed clients: name → (time of last heartbeat, shards it held). */
  readonly dead = new Map<string, { lastBeat: number; held: Set<number> }>();
  private nextId = 0;
  constructor(
    readonly rnd: () => number,
    readonly shards: ShardView[],
  ) {}

  join(): string {
    const name = `c${this.nextId++}`;
    this.alive.set(name, { name, held: new Set(), draining: new Map(), lastBeat: -Infinity, pausedUntil: 0 });
    return name;
  }

  crash(name: string): void {
    const c = this.alive.get(name)!;
    this.alive.delete(name);
    this.dead.set(name, { lastBeat: c.lastBeat, held: new Set([...c.held, ...c.draining.keys()]) });
  }

  pause(name: string, rounds: number): void {
    this.alive.get(name)!.pausedUntil = this.tick + rounds;
  }

  /**
   * A well-behaved client stops its shard consumers once it has not heartbeaten successfully for
   * the group timeout, so it never overlaps with the owner the server picks after expiring it.
   */
  private localTimeouts(): void {
    for (const c of this.alive.values()) {
      if (this.now - c.lastBeat > T) {
        c.held.clear();
        c.draining.clear();
      }
    }
  }

  /** One heartbeat round: every running client beats once, in random order, at slightly spread times. */
  round(): void {
    this.tick++;
    const clients = [...this.alive.values()].filter((c) => c.pausedUntil <= this.tick).sort(() => this.rnd() - 0.5);
    for (const c of clients) {
      this.now += Math.floor((H / (clients.length + 1)) * this.rnd());
      this.localTimeouts();
      for (const [s, at] of c.draining) if (at <= this.tick) c.draining.delete(s);
      let resp: number[];
      try {
        resp = this.coord.heartbeat(c.name, [...c.held, ...c.draining.keys()], this.shards);
      } catch (e) {
        // Expired while paused with shards in its body: it must have dropped them already.
        assert.fail(`${c.name}: ${(e as Error).message}`);
      }
      c.lastBeat = this.now;
      for (const s of c.held) if (!resp.includes(s)) c.draining.set(s, this.tick + Math.floor(this.rnd() * 3));
      for (const s of resp) {
        if (!c.held.has(s)) this.checkGrant(c.name, s);
        c.draining.delete(s);
      }
      c.held = new Set(resp);
      this.checkExclusive();
    }
    this.now += H;
    this.localTimeouts();
  }

  /** A shard last held by a crashed client may only be granted after that client timed out. */
  private checkGrant(to: string, shard: number): void {
    for (const [name, d] of this.dead) {
      if (d.held.has(shard)) {
        assert.ok(this.now - d.lastBeat > T, `shard ${shard} of crashed ${name} granted to ${to} before its timeout`);
        d.held.delete(shard);
      }
    }
  }

  checkExclusive(): void {
    const owner = new Map<number, string>();
    for (const c of this.alive.values()) {
      for (const s of [...c.held, ...c.draining.keys()]) {
        assert.ok(!owner.has(s), `shard ${s} held by ${owner.get(s)} and ${c.name}`);
        owner.set(s, c.name);
      }
    }
  }

  owners(): Map<number, string> {
    const m = new Map<number, string>();
    for (const c of this.alive.values()) for (const s of c.held) m.set(s, c.name);
    return m;
  }

  /** Rounds until every candidate shard is held and counts are balanced ±1; returns rounds used. */
  converge(maxRounds: number): number {
    for (let i = 1; i <= maxRounds; i++) {
      this.round();
      if (this.balanced()) return i;
    }
    assert.fail(`no balance after ${maxRounds} rounds: ${JSON.stringify([...this.alive.values()].map((c) => [c.name, [...c.held]]))}`);
  }

  balanced(): boolean {
    const candidates = this.shards.filter((s) => !s.finished).length;
    const counts = [...this.alive.values()].map((c) => c.held.size);
    if (counts.length === 0) return true;
    const total = counts.reduce((a, b) => a + b, 0);
    const drained = [...this.alive.values()].every((c) => c.draining.size === 0);
    return drained && total === candidates && Math.max(...counts) - Math.min(...counts) <= 1;
  }
}

function shardViews(n: number): ShardView[] {
  return Array.from({ length: n }, (_, id) => ({ id, finished: false, parents: [] }));
}

// Rounds for a crashed consumer to time out, plus drain delays, plus slack.
const CONVERGE_ROUNDS = Math.ceil(T / H) + 8;

describe("consumer-group coordinator", () => {
  it("random join/crash sequences: exclusive, balanced after settling, sticky", () => {
    for (let seed = 1; seed <= 150; seed++) {
      const rnd = prng(seed);
      const nShards = 1 + Math.floor(rnd() * 64);
      const sim = new Sim(rnd, shardViews(nShards));
      for (let i = 1 + Math.floor(rnd() * 8); i > 0; i--) sim.join();
      for (let step = 0; step < 30; step++) {
        const r = rnd();
        const someone = () => [...sim.alive.keys()][Math.floor(rnd() * sim.alive.size)];
        if (r < 0.15 && sim.alive.size < 8) sim.join();
        else if (r < 0.25 && sim.alive.size > 1) sim.crash(someone());
        else if (r < 0.35 && sim.alive.size > 0) sim.pause(someone(), 1 + Math.floor(rnd() * 6)); // some outlive the timeout
        sim.round();
      }
      sim.converge(CONVERGE_ROUNDS);

      // Stable membership: nothing moves any more.
      const settled = sim.owners();
      for (let i = 0; i < 3; i++) sim.round();
      assert.deepEqual(sim.owners(), settled, `seed ${seed}: assignment changed without membership change`);

      // A pause shorter than the timeout moves nothing.
      sim.pause([...sim.alive.keys()][0], Math.floor(T / H) - 2); // beats stay < T apart
      for (let i = 0; i < T / H + 2; i++) sim.round();
      assert.deepEqual(sim.owners(), settled, `seed ${seed}: a short pause moved shards`);

      // A join moves only the shards the newcomer ends up with.
      const newcomer = sim.join();
      sim.converge(CONVERGE_ROUNDS);
      const afterJoin = sim.owners();
      for (const [s, o] of afterJoin) if (o !== newcomer) assert.equal(settled.get(s), o, `seed ${seed}: shard ${s} moved between old consumers on join`);

      // A crash moves only the crashed consumer's shards.
      if (sim.alive.size > 1) {
        const victim = [...sim.alive.keys()][Math.floor(rnd() * sim.alive.size)];
        sim.crash(victim);
        sim.converge(CONVERGE_ROUNDS);
        for (const [s, o] of sim.owners()) {
          if (afterJoin.get(s) !== victim) assert.equal(afterJoin.get(s), o, `seed ${seed}: shard ${s} moved between survivors`);
        }
      }
    }
  });

  it("expires a silent consumer only after the timeout and then hands its shards over", () => {
    let now = 0;
    const c = new Coordinator({ timeoutMs: T, order: false, now: () => now });
    const shards = shardViews(2);
    assert.deepEqual(c.heartbeat("a", [], shards), [0, 1]);
    now = T; // exactly at the timeout: still alive
    assert.deepEqual(c.heartbeat("b", [], shards), []);
    assert.equal(c.owner(0), "a");
    now = T + 1;
    assert.deepEqual(c.heartbeat("b", [], shards), [0, 1]);
    assert.equal(c.isLive("a"), false);
    assert.throws(() => c.heartbeat("a", [0], shards), /NotExistConsumerWithBody|not registered/);
    assert.deepEqual(c.heartbeat("a", [], shards), []);
  });

  it("never hands out finished readonly shards; in order mode children wait for their parents", () => {
    let now = 0;
    const c = new Coordinator({ timeoutMs: T, order: true, now: () => now });
    // 0 was split into 1 and 2; 1 and 2 were merged into 3.
    const views = (f0: boolean, f12: boolean): ShardView[] => [
      { id: 0, finished: f0, parents: [] },
      { id: 1, finished: f12, parents: [0] },
      { id: 2, finished: f12, parents: [0] },
      { id: 3, finished: false, parents: [1, 2] },
    ];
    assert.deepEqual(c.heartbeat("a", [], views(false, false)), [0]);
    now += H;
    assert.deepEqual(c.heartbeat("a", [0], views(true, false)), [1, 2]);
    now += H;
    assert.deepEqual(c.heartbeat("a", [1, 2], views(true, true)), [3]);
    c.configure({ order: false });
    now += H;
    assert.deepEqual(c.heartbeat("a", [3], views(false, false)), [0, 1, 2, 3]);
  });
});

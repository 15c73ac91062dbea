// Scale-out: several Node-RED processes share one consumer group's 8 shards, balanced ±1; a
// SIGKILLed member's shards move to the others after the group timeout; no sequence number is lost.
// Heartbeats every 0.5 s with a 4 s timeout: short, yet a busy CI machine does not expire anyone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, type Emulator } from "../../emulator/index";
import { until } from "../support/red-helper";
import { putSeq } from "../support/sls-fixtures";
import { spawnMember, stopMember, type Member } from "../support/consumer-member";

const LOGSTORE = "scale";
const GROUP = "scale-cg";
let emu: Emulator;

before(async () => {
  emu = await start({ port: 0 });
  emu.createLogstore(LOGSTORE, { shards: 8 });
});
after(async () => {
  await emu.close();
});

function spawn(name: string): Member {
  return spawnMember(emu, name, { logstore: LOGSTORE, group: GROUP, heartbeat: 0.5, timeout: 4, maxInFlight: 400 });
}

/** Shards granted per live consumer, by name. */
function granted(): Map<string, number[]> {
  if (!emu.getLogstore(LOGSTORE).groups.has(GROUP)) return new Map();
  return new Map(emu.consumers(LOGSTORE, GROUP).map((c) => [c.name, c.granted]));
}

function balanced(names: string[]): boolean {
  const g = granted();
  const sizes = names.map((n) => g.get(n)?.length ?? -1);
  const all = names.flatMap((n) => g.get(n) ?? []);
  return all.length === 8 && new Set(all).size === 8 && Math.max(...sizes) - Math.min(...sizes) <= 1 && g.size === names.length;
}

test("two then three processes share 8 shards ±1; a SIGKILLed one's shards are taken over; no seq lost", { timeout: 90_000 }, async () => {
  let next = 0;
  const write = (n: number): void => {
    putSeq(emu, next, next + n, 10, 8, LOGSTORE);
    next += n;
  };
  write(8000);
  const writer = setInterval(() => write(80), 50);
  const members: Member[] = [];
  try {
    members.push(spawn("a"), spawn("b"));
    await Promise.all(members.map((m) => m.ready));
    await until(() => balanced(["a", "b"]), 20_000, "a and b hold 4 shards each");
    members.push(spawn("c"));
    await members[2].ready;
    await until(() => balanced(["a", "b", "c"]), 20_000, "3/3/2 over a, b, c");
    await until(() => members.every((m) => m.seqs.length > 0), 10_000, "every member receives logs");
    const bShards = granted().get("b")!;
    const killedAt = Date.now();
    members[1].child.kill("SIGKILL");
    await until(() => balanced(["a", "c"]), 20_000, "a and c take over b's shards");
    const tookOver = Date.now() - killedAt;
    assert.ok(tookOver >= 3000, `b's shards ${bShards} moved after ${tookOver} ms, before the 4 s timeout`);
    clearInterval(writer);
    const total = next;
    const received = (): Set<number> => new Set(members.flatMap((m) => m.seqs));
    await until(() => received().size >= total, 30_000, `all ${total} seqs`);
    const got = received();
    const missing = [];
    for (let i = 0; i < total; i++) if (!got.has(i)) missing.push(i);
    assert.deepEqual(missing, []);
    assert.equal(got.size, total);
  } finally {
    clearInterval(writer);
    await Promise.all(members.filter((m) => m.child.exitCode === null && m.child.signalCode === null).map(stopMember));
  }
});

// Resetting a consumer group's checkpoints (to begin, end or a time) while its consumers run, in
// this Node-RED or any other, and the lag a reset would discard or replay.
//
// SLS stores a checkpoint per shard and has no compare-and-set: a reset is a forced
// ConsumerGroupUpdateCheckPoint (forceSuccess=true, no consumer), as the official tools do it. Our
// consumers (consumer-group.ts) commit only through a check: they read the group's checkpoints
// and commit their own position only if the server still holds their own last checkpoint;
// otherwise someone moved it, and they adopt it (read from there) instead of writing over it. The
// one gap left is a commit whose check came just before the reset's write and that lands just
// after it. That is closed from both sides:
// - a consumer sends a commit only within COMMIT_CHECK_FRESH_MS of its check, and after adopting
//   a moved checkpoint it commits nothing for RESET_HOLD_MS;
// - the reset waits RESET_FENCE_MS after writing (longer than a check-to-commit), reads every
//   checkpoint back and writes again where one differs: a consumer cannot have legitimately moved
//   on that soon (it holds its commits longer than the fence), so a difference is a commit that
//   slipped in, and the consumer that made it sees the reset at its next check.
// So a live consumer never leaves its old position over a reset, provided its commit reaches SLS
// within the fence of its check (a request stuck for seconds on the network is the limit).

import { Backoff, sleep } from "../backoff";
import type { CheckpointInfo, SlsApi } from "./client";
import { cursorNumber } from "./cursor";
import { SlsError } from "./errors";

/** How long a reset waits before it reads the checkpoints back. */
export const RESET_FENCE_MS = 5_000;
/** A consumer sends a commit only this soon after it checked the server's checkpoint. */
export const COMMIT_CHECK_FRESH_MS = 1_000;
/** After adopting a moved checkpoint a consumer commits nothing for this long (well past the fence). */
export const RESET_HOLD_MS = 3 * RESET_FENCE_MS;
/** Read-back rounds before a reset gives up (each one repairs the commits that slipped in). */
const MAX_ROUNDS = 5;

export type ResetPosition = { to: "begin" } | { to: "end" } | { to: "time"; time: number };

export interface GroupRef {
  project: string;
  logstore: string;
  group: string;
}

/** Where a group stands on one shard. */
export interface ShardLag {
  shard: number;
  status: string;
  /** The stored checkpoint; "" when the group never committed one for this shard. */
  checkpoint: string;
  /** Who stored it ("" for a forced write without a consumer, e.g. a reset). */
  consumer: string;
  /** When (microseconds, as SLS reports it); 0 when none. */
  updateTime: number;
  /** Log groups between the checkpoint and the shard's end (when cursors are numeric). */
  behind?: number;
  /** Receive time (unix s) of the oldest unread log group; undefined when none is unread or unknown. */
  oldestUnread?: number;
  /** Seconds since the oldest unread log group was received; 0 when the group is at the end. */
  lagSec?: number;
}

/** Per shard: the checkpoint, how far behind the end it is, and the age of the oldest unread data. */
export async function groupLag(api: SlsApi, g: GroupRef, now: () => number = Date.now): Promise<ShardLag[]> {
  const { project, logstore, group } = g;
  const [shards, cps] = await Promise.all([api.listShards(project, logstore), api.getCheckpoints(project, logstore, group)]);
  const byShard = new Map(cps.map((c) => [c.shard, c]));
  return Promise.all(
    shards.map(async (s): Promise<ShardLag> => {
      const cp: CheckpointInfo = byShard.get(s.shard) ?? { shard: s.shard, checkpoint: "", consumer: "", updateTime: 0 };
      const out: ShardLag = { shard: s.shard, status: s.status, checkpoint: cp.checkpoint, consumer: cp.consumer, updateTime: cp.updateTime };
      if (!cp.checkpoint) return out;
      const end = await api.getCursor(project, logstore, s.shard, "end");
      const a = cursorNumber(cp.checkpoint);
      const b = cursorNumber(end);
      if (a !== undefined && b !== undefined) out.behind = Number(b > a ? b - a : 0n);
      if (cp.checkpoint === end || out.behind === 0) {
        out.lagSec = 0;
        return out;
      }
      if (api.getCursorTime) {
        try {
          out.oldestUnread = await api.getCursorTime(project, logstore, s.shard, cp.checkpoint);
          out.lagSec = Math.max(0, Math.round(now() / 1000 - out.oldestUnread));
        } catch {
          // expired checkpoint (InvalidCursor) or no answer: the lag stays unknown
        }
      }
      return out;
    }),
  );
}

export interface ResetOptions extends GroupRef {
  position: ResetPosition;
  /** Called once every shard's new checkpoint is written (local consumers look at once). */
  onWritten?: () => void | Promise<void>;
  /** Wait before each read-back (default RESET_FENCE_MS). */
  fenceMs?: number;
  signal?: AbortSignal;
}

export interface ResetShard {
  shard: number;
  /** The checkpoint before the reset ("" when none). */
  previous: string;
  checkpoint: string;
}

export interface ResetResult {
  shards: ResetShard[];
  /** Commits of live consumers that landed just after the reset and were written over again. */
  repaired: number;
}

/**
 * Moves every shard's checkpoint of the group to the position: forced writes, then read-backs
 * that write again over any commit that slipped in (see the top of this file). Throws an SlsError
 * naming the shards when they still differ after MAX_ROUNDS read-backs.
 */
export async function resetGroup(api: SlsApi, o: ResetOptions): Promise<ResetResult> {
  const { project, logstore, group } = o;
  const from = o.position.to === "time" ? o.position.time : o.position.to;
  const shards = await api.listShards(project, logstore);
  const before = new Map((await api.getCheckpoints(project, logstore, group)).map((c) => [c.shard, c.checkpoint]));
  const target = new Map<number, string>();
  for (const s of shards) target.set(s.shard, await api.getCursor(project, logstore, s.shard, from));
  const write = (shard: number): Promise<void> =>
    withRetry(() => api.updateCheckpoint(project, logstore, group, "", shard, target.get(shard)!, true), o.signal);
  for (const shard of target.keys()) await write(shard);
  await o.onWritten?.();
  let repaired = 0;
  for (let round = 1; ; round++) {
    await sleep(o.fenceMs ?? RESET_FENCE_MS, o.signal);
    if (o.signal?.aborted) throw new SlsError("Aborted", "the reset was interrupted before it could check its writes", { retryable: false });
    const now = new Map((await api.getCheckpoints(project, logstore, group)).map((c) => [c.shard, c.checkpoint]));
    const wrong = [...target].filter(([shard, cursor]) => now.get(shard) !== cursor).map(([shard]) => shard);
    if (wrong.length === 0) break;
    if (round >= MAX_ROUNDS) {
      throw new SlsError(
        "ResetOverwritten",
        `the checkpoints of shard(s) ${wrong.join(", ")} of group ${group} kept being written over by other consumers; stop them and reset again`,
        {
          retryable: false,
          context: { project, logstore, consumerGroup: group },
        },
      );
    }
    repaired += wrong.length;
    for (const shard of wrong) await write(shard);
    await o.onWritten?.();
  }
  return { shards: [...target].map(([shard, checkpoint]) => ({ shard, previous: before.get(shard) ?? "", checkpoint })), repaired };
}

/** A write retried on transient errors (a few times, within seconds); others are thrown. */
async function withRetry(fn: () => Promise<void>, signal?: AbortSignal): Promise<void> {
  const backoff = new Backoff({ initialMs: 200, maxMs: 2000 });
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof SlsError) || !e.retryable || attempt >= 4 || signal?.aborted) throw e;
      await sleep(backoff.next(), signal);
    }
  }
}

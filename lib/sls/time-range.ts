// The end of a time range (a backfill): each shard is read from its start position up to the
// cursor SLS gives for the end time (GetCursor with that unix time: the first log group received
// at or after it), so a range [from, to) holds exactly the log groups received in it. Cursors are
// compared as numbers when both are numeric (every SDK relies on that), else only for equality.

import type { SlsApi } from "./client";
import { cursorNumber } from "./cursor";

/** Where a range ends: a server receive time (unix s), exclusive. */
export interface RangeEnd {
  time: number;
  /**
   * Seconds past `time` before its cursor is final. GetCursor answers the shard's current end for
   * a time not yet reached, so until then more data may still come in below it; the margin covers
   * the difference between this machine's clock and SLS's (default 60 s).
   */
  settleSec?: number;
}

export const END_SETTLE_SEC = 60;

/** A shard's end cursor for a range, and whether it can still move (the end time is not past yet). */
export interface ShardEnd {
  cursor: string;
  final: boolean;
}

/** -1, 0 or 1; undefined when the cursors differ and one is not numeric. */
export function compareCursors(a: string, b: string): number | undefined {
  if (a === b) return 0;
  const x = cursorNumber(a);
  const y = cursorNumber(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True when `position` is at or past `end`. */
export function reached(position: string, end: string): boolean {
  const c = compareCursors(position, end);
  return c !== undefined && c >= 0;
}

/** The end cursor of one shard for `end`. Final when the clock was past the end time (plus the margin) before asking. */
export async function shardEnd(api: SlsApi, project: string, logstore: string, shard: number, end: RangeEnd, now: () => number = Date.now): Promise<ShardEnd> {
  const final = now() / 1000 >= end.time + (end.settleSec ?? END_SETTLE_SEC);
  const cursor = await api.getCursor(project, logstore, shard, end.time);
  return { cursor, final };
}

export interface ShardProgress {
  shard: number;
  /** Where the group stands: its checkpoint, or the start position for a shard it never read. */
  position: string;
  end: string;
  done: boolean;
}

/**
 * Where every shard of the logstore stands against the end of the range, as the server sees it:
 * whichever consumer (in any Node-RED instance) read a shard, its checkpoint says how far. A
 * shard without a checkpoint is done when its start position is already at the end (no data in
 * the range). `ends` caches final end cursors between calls.
 */
export async function rangeProgress(
  api: SlsApi,
  o: { project: string; logstore: string; group: string; start: "begin" | "end" | number; end: RangeEnd; ends: Map<number, string>; now?: () => number },
): Promise<{ done: boolean; shards: ShardProgress[] }> {
  const { project, logstore, group } = o;
  const [shards, checkpoints] = await Promise.all([api.listShards(project, logstore), api.getCheckpoints(project, logstore, group)]);
  const cps = new Map(checkpoints.map((c) => [c.shard, c.checkpoint]));
  const out: ShardProgress[] = [];
  for (const { shard } of shards) {
    let end = o.ends.get(shard);
    let final = end !== undefined;
    if (end === undefined) {
      const e = await shardEnd(api, project, logstore, shard, o.end, o.now);
      end = e.cursor;
      final = e.final;
      if (final) o.ends.set(shard, end);
    }
    const position = cps.get(shard) || (await api.getCursor(project, logstore, shard, o.start));
    out.push({ shard, position, end, done: final && reached(position, end) });
  }
  return { done: out.every((s) => s.done), shards: out };
}

// Retention watch: SLS deletes log groups older than the logstore's TTL (by receive time) whether
// or not a consumer group has read them. A consumer that falls behind (a long SIEM outage, too few
// consumers) loses data silently unless someone looks at its lag against the TTL: this does.

import type { SlsApi } from "./client";

/** A shard whose oldest unsettled data has used up most of its retention. */
export interface RetentionRisk {
  shard: number;
  /** Age of the oldest data the consumer has not settled (read and in flight, or unread), seconds. */
  ageSec: number;
  retentionSec: number;
  /** ageSec / retentionSec, in percent (rounded down). */
  percent: number;
}

export interface RetentionWatchOptions {
  api: SlsApi;
  project: string;
  logstore: string;
  /** Warn from this share of the retention (default 0.8)... */
  warnAt?: number;
  /** ...until the shard is back under this one (default 0.7). */
  clearAt?: number;
  /** Repeat the warning for a shard still at risk this often (default 10 min). */
  repeatMs?: number;
  /** Ask SLS for the TTL again this often (default 10 min): it can be changed at any time. */
  refreshMs?: number;
  now?: () => number;
}

/** What the watch needs of a shard reader. */
export interface WatchedShard {
  readonly shard: number;
  /** Receive time (unix s) of its oldest unsettled data, undefined when it has none. */
  readonly unsettledSince: number | undefined;
}

export class RetentionWatch {
  private retentionSec: number | undefined;
  private fetchedAt = -Infinity;
  private fetching: Promise<void> | undefined;
  /** Shards at risk and when they were last warned about. */
  private readonly warned = new Map<number, number>();
  private current: RetentionRisk[] = [];
  private readonly o: Required<Omit<RetentionWatchOptions, "api" | "project" | "logstore">> & Pick<RetentionWatchOptions, "api" | "project" | "logstore">;

  constructor(opts: RetentionWatchOptions) {
    this.o = { warnAt: 0.8, clearAt: 0.7, repeatMs: 600_000, refreshMs: 600_000, now: Date.now, ...opts };
  }

  /** The logstore's retention in seconds once known. */
  get retention(): number | undefined {
    return this.retentionSec;
  }

  /** Asks SLS for the TTL when it is time to; a failure keeps the last known value (no warning without one). */
  refresh(): Promise<void> {
    const { api, project, logstore, now, refreshMs } = this.o;
    if (!api.getLogstore || this.fetching || now() - this.fetchedAt < refreshMs) return this.fetching ?? Promise.resolve();
    this.fetching = api
      .getLogstore(project, logstore)
      .then((info) => {
        this.retentionSec = info.ttlDays > 0 ? info.ttlDays * 86_400 : undefined;
        this.fetchedAt = now();
      })
      .catch(() => {
        // Retried at the next refresh period; reading goes on either way.
        this.fetchedAt = now();
      })
      .finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  /**
   * Re-evaluates the shards; returns the risks to report now: shards that crossed the warning
   * threshold, and those still over it since their last report `repeatMs` ago.
   */
  check(shards: Iterable<WatchedShard>): RetentionRisk[] {
    const retention = this.retentionSec;
    const { now, warnAt, clearAt, repeatMs } = this.o;
    const t = now();
    const risks: RetentionRisk[] = [];
    const report: RetentionRisk[] = [];
    const seen = new Set<number>();
    for (const s of shards) {
      seen.add(s.shard);
      const since = s.unsettledSince;
      if (retention === undefined || since === undefined) {
        this.warned.delete(s.shard);
        continue;
      }
      const ageSec = Math.max(0, Math.round(t / 1000 - since));
      const share = ageSec / retention;
      const last = this.warned.get(s.shard);
      if (share >= warnAt || (last !== undefined && share >= clearAt)) {
        const risk = { shard: s.shard, ageSec, retentionSec: retention, percent: Math.floor(share * 100) };
        risks.push(risk);
        if (share >= warnAt && (last === undefined || t - last >= repeatMs)) {
          this.warned.set(s.shard, t);
          report.push(risk);
        }
      } else this.warned.delete(s.shard);
    }
    for (const shard of [...this.warned.keys()]) if (!seen.has(shard)) this.warned.delete(shard);
    this.current = risks;
    return report;
  }

  /** The shard closest to losing data, if any is at risk. */
  worst(): RetentionRisk | undefined {
    let w: RetentionRisk | undefined;
    for (const r of this.current) if (!w || r.percent > w.percent) w = r;
    return w;
  }
}

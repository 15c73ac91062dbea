// Per-second rates between two snapshots, for the stats message (Prometheus computes its own from
// the counters). A node or target missing from the previous snapshot has no rate yet (null).

import type { ConsumerSnapshot, StatsSnapshot, SyslogTargetSnapshot } from "./hub";

export type RatedConsumer = ConsumerSnapshot & { deliveredLogsPerSecond: number | null; emittedLogsPerSecond: number | null };
export type RatedTarget = SyslogTargetSnapshot & { sentMessagesPerSecond: number | null };

export interface RatedSnapshot extends StatsSnapshot {
  /** Seconds since the previous snapshot the rates are measured over; null for the first. */
  intervalSeconds: number | null;
  summary: StatsSnapshot["summary"] & { deliveredLogsPerSecond: number | null; sentMessagesPerSecond: number | null };
  consumers: RatedConsumer[];
  syslogTargets: RatedTarget[];
}

/** `cur` with the rates since `prev` (rounded to 0.1 per second). */
export function withRates(cur: StatsSnapshot, prev: StatsSnapshot | undefined): RatedSnapshot {
  const secs = prev ? (Date.parse(cur.time) - Date.parse(prev.time)) / 1000 : 0;
  const rate = (now: number, before: number | undefined): number | null =>
    before === undefined || secs <= 0 ? null : Math.round(((now - before) / secs) * 10) / 10;
  const prevConsumers = new Map(prev?.consumers.map((c) => [c.node, c]));
  const prevTargets = new Map(prev?.syslogTargets.map((t) => [`${t.server} ${t.target}`, t]));
  const consumers = cur.consumers.map((c): RatedConsumer => {
    const p = prevConsumers.get(c.node);
    return { ...c, deliveredLogsPerSecond: rate(c.deliveredLogs, p?.deliveredLogs), emittedLogsPerSecond: rate(c.emittedLogs, p?.emittedLogs) };
  });
  const syslogTargets = cur.syslogTargets.map((t): RatedTarget => ({
    ...t,
    sentMessagesPerSecond: rate(t.sentMessages, prevTargets.get(`${t.server} ${t.target}`)?.sentMessages),
  }));
  const total = <T>(xs: T[], f: (x: T) => number | null): number | null =>
    xs.length === 0 || xs.some((x) => f(x) === null) ? (xs.length === 0 && prev ? 0 : null) : Math.round(xs.reduce((n, x) => n + f(x)!, 0) * 10) / 10;
  return {
    ...cur,
    intervalSeconds: prev ? secs : null,
    summary: {
      ...cur.summary,
      deliveredLogsPerSecond: total(consumers, (c) => c.deliveredLogsPerSecond),
      sentMessagesPerSecond: total(syslogTargets, (t) => t.sentMessagesPerSecond),
    },
    consumers,
    syslogTargets,
  };
}

// The consumer's in-memory form of a pulled log group: each log already in the shape sls-consumer
// emits as msg.payload, so a record is built once, straight from the wire, and never copied.

import type { LogGroup } from "./log-group";

export interface RecordGroup {
  topic: string;
  source: string;
  tags: Array<[string, string]>;
  /** Per log: its contents, then `__time__` (unix s), `__topic__`, `__source__`, `__tag__:<key>`. */
  records: Array<Record<string, string | number>>;
  /** Per log: nanosecond part of its time, 0 when absent. */
  timeNs: number[];
  /** Number of logs, when known without building the records (PulledGroup). */
  readonly logCount?: number;
  /**
   * Drops the records built on demand (PulledGroup) once they are taken: they then live only as
   * long as the messages holding them, not as long as the whole pull. Also frees the pull's
   * body once all its groups are released. The group's records must not be read after this.
   */
  release?(): void;
}

/** Number of logs of a group; does not build a pulled group's records. */
export function logsIn(g: RecordGroup): number {
  return g.logCount ?? g.records.length;
}

/** A decoded LogGroup in record form (same keys, same order as the direct decoder produces). */
export function toRecordGroup(g: LogGroup): RecordGroup {
  const topic = g.topic ?? "";
  const source = g.source ?? "";
  const tagKeys = g.tags.map(([k]) => `__tag__:${k}`);
  const records = g.logs.map((log) => {
    const o: Record<string, string | number> = {};
    for (const [k, v] of log.contents) o[k] = v;
    o.__time__ = log.time;
    o.__topic__ = topic;
    o.__source__ = source;
    for (let i = 0; i < tagKeys.length; i++) o[tagKeys[i]] = g.tags[i][1];
    return o;
  });
  return { topic, source, tags: g.tags, records, timeNs: g.logs.map((l) => l.timeNs ?? 0) };
}

// What a consumer did with one shard, as plain numbers: kept by the consumer group across
// re-assignments of the shard (a shard handed back and taken again counts on), bumped by the
// shard's reader a few times per pull or per token, and read only when metrics are collected
// (lib/metrics). Nothing here runs per log.

import { HistogramCounts } from "../metrics/histogram-counts";

/** How a delivery token ended (lib/delivery.ts Outcome). */
export type SettleOutcome = "delivered" | "failed" | "expired" | "returned" | "cancelled";

export const SETTLE_OUTCOMES: readonly SettleOutcome[] = ["delivered", "failed", "expired", "returned", "cancelled"];

export type PerOutcome = Record<SettleOutcome, number>;

const zeroPerOutcome = (): PerOutcome => ({ delivered: 0, failed: 0, expired: 0, returned: 0, cancelled: 0 });

export class ShardCounters {
  /** Successful PullLogs requests, and their latency (request sent .. body decoded), seconds. */
  readonly pullSeconds = new HistogramCounts();
  /** Logs and raw (uncompressed) bytes returned by PullLogs. */
  pulledLogs = 0;
  pulledBytes = 0;
  /** Logs and raw bytes handed to the flow. */
  emittedLogs = 0;
  emittedBytes = 0;
  /** Logs given a delivery token (delivery mode only; a batch message's token counts its logs). */
  issuedLogs = 0;
  /** Logs whose token ended, by outcome; bytes are each token's share of its pull's raw bytes. */
  readonly settledLogs: PerOutcome = zeroPerOutcome();
  readonly settledBytes: PerOutcome = zeroPerOutcome();
  /** Checkpoints stored on the server. */
  commits = 0;
  /** Seconds the reader waited for room in the delivery window (backpressure from the sinks). */
  waitSeconds = 0;

  settle(outcome: SettleOutcome, logs: number, bytes: number): void {
    this.settledLogs[outcome] += logs;
    this.settledBytes[outcome] += bytes;
  }

  /** Logs issued and not settled yet (in flight in the flow, or claimed by a sink that has not written them). */
  get unsettledLogs(): number {
    const s = this.settledLogs;
    return this.issuedLogs - s.delivered - s.failed - s.expired - s.returned - s.cancelled;
  }
}

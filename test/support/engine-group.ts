// A consumer-group engine for engine tests, against the in-memory SLS, with every timer short
// (heartbeats, commits, polls, retries) so a test runs in milliseconds.
import { ConsumerGroup, type ConsumerGroupOptions } from "../../lib/sls/consumer-group";
import type { FakeSls } from "./fake-sls";

export const FAST_TIMERS = {
  heartbeatIntervalMs: 30,
  commitIntervalMs: 40,
  idlePollMs: 5,
  smallBatchDelayMs: 0,
  retryBaseMs: 5,
  retryMaxMs: 20,
  releaseGraceMs: 200,
  stopTimeoutMs: 2000,
};

/** Consumer c1 of group g on project p, logstore l. */
export function engineGroup(api: FakeSls, deliver: ConsumerGroupOptions["deliver"], extra: Partial<ConsumerGroupOptions> = {}): ConsumerGroup {
  return new ConsumerGroup({ api, project: "p", logstore: "l", group: "g", consumer: "c1", deliver, ...FAST_TIMERS, ...extra });
}

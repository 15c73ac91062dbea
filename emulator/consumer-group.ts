// One consumer group: settings, committed checkpoints and the shard coordinator
// (docs/sls-protocol.md, "Consumer groups and heartbeats").

import { Coordinator, ShardView } from "./coordinator";
import { errors } from "./errors";

export interface Checkpoint {
  shard: number;
  checkpoint: string;
  consumer: string;
  /** Microseconds, as the real service reports it. */
  updateTime: number;
}

export interface ConsumerGroupMeta {
  name: string;
  timeout: number;
  order: boolean;
  checkpoints: Checkpoint[];
}

export class ConsumerGroup {
  readonly checkpoints = new Map<number, Checkpoint>();
  readonly coordinator: Coordinator;

  constructor(
    readonly name: string,
    public timeout: number,
    public order: boolean,
    private readonly now: () => number,
  ) {
    this.coordinator = new Coordinator({ timeoutMs: timeout * 1000, order, now });
  }

  meta(): ConsumerGroupMeta {
    return { name: this.name, timeout: this.timeout, order: this.order, checkpoints: [...this.checkpoints.values()] };
  }

  describe(): { name: string; timeout: number; order: boolean } {
    return { name: this.name, timeout: this.timeout, order: this.order };
  }

  update(opts: { timeout?: number; order?: boolean }): void {
    if (opts.timeout !== undefined) this.timeout = opts.timeout;
    if (opts.order !== undefined) this.order = opts.order;
    this.coordinator.configure({ timeoutMs: this.timeout * 1000, order: this.order });
  }

  heartbeat(consumer: string, held: readonly number[], shards: readonly ShardView[]): number[] {
    return this.coordinator.heartbeat(consumer, held, shards);
  }

  /**
   * Commits a checkpoint. Without `force`, the consumer must be live (`ConsumerNotExsit`) and own
   * the shard (`ConsumerNotMatch`); a consumer still draining a revoked shard owns it until it
   * drops it from its heartbeat, so its final flush is accepted.
   */
  commit(shard: number, checkpoint: string, consumer: string, force: boolean): Checkpoint {
    if (!force) {
      if (!consumer || !this.coordinator.isLive(consumer)) throw errors.consumerNotExist(consumer);
      if (this.coordinator.owner(shard) !== consumer) throw errors.consumerNotMatch(consumer, shard);
    }
    const cp: Checkpoint = { shard, checkpoint, consumer, updateTime: Math.floor(this.now() * 1000) };
    this.checkpoints.set(shard, cp);
    return cp;
  }

  restore(cp: Checkpoint): void {
    this.checkpoints.set(cp.shard, cp);
  }
}

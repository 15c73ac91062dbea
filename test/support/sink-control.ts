// Shared state of the test sink node (test/support/settling-sink.ts): what it received and
// whether it settles delivery tokens at once or holds them (a SIEM outage).
import type { Claim } from "../../lib/delivery";

export interface SinkMessage {
  payload: Record<string, unknown> | Array<Record<string, unknown>>;
  sls: Record<string, unknown>;
  /** Arrival time (epoch ms). */
  at?: number;
}

export const sink = {
  received: [] as SinkMessage[],
  held: [] as Claim[],
  hold: false,
  /** Seqs (msg.payload.seq) of every record received, in arrival order. */
  seqs(): number[] {
    const out: number[] = [];
    for (const m of this.received) {
      const ps = Array.isArray(m.payload) ? m.payload : [m.payload];
      for (const p of ps) out.push(Number(p.seq));
    }
    return out;
  },
  releaseHeld(): void {
    for (const c of this.held.splice(0)) c.settle();
  },
  reset(): void {
    this.received = [];
    this.held = [];
    this.hold = false;
  },
};

// Fault injection: rules matched per API action that add latency, answer with an SLS error, or
// drop the connection (before the request is processed, or after, so the effect happened but the
// client never heard of it). Programmable from tests, the admin endpoint and the CLI.

export interface FaultRule {
  /** SLS action names (e.g. "PullLogs", "ConsumerGroupHeartBeat"); every action when absent/empty. */
  actions?: string[];
  /** Probability that a matching request is hit, 0..1 (default 1). */
  rate?: number;
  /** Hit at most this many requests, then the rule disappears (default: unlimited). */
  count?: number;
  latencyMs?: number;
  error?: { status: number; code: string; message?: string };
  /** Destroy the connection without a response: "before" processing (default) or "after". */
  drop?: "before" | "after" | boolean;
}

export interface ActiveFault extends FaultRule {
  id: number;
  hits: number;
}

export interface FaultDecision {
  latencyMs: number;
  error?: { status: number; code: string; message: string };
  drop?: "before" | "after";
}

/** Shorthands for the errors tests ask for most. */
export const FAULT_ERRORS = {
  internal: { status: 500, code: "InternalServerError", message: "internal server error (injected)" },
  busy: { status: 503, code: "ServerBusy", message: "server is busy (injected)" },
  readQuota: { status: 403, code: "ReadQuotaExceed", message: "read quota exceed (injected)" },
  writeQuota: { status: 403, code: "WriteQuotaExceed", message: "write quota exceed (injected)" },
} as const;

/** Small seeded PRNG (mulberry32) so fault sequences are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private rules: ActiveFault[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(seed = 1) {
    this.random = prng(seed);
  }

  add(rule: FaultRule): number {
    if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) throw new RangeError("rate must be in 0..1");
    if (rule.error && !(Number.isInteger(rule.error.status) && rule.error.code)) {
      throw new RangeError("error needs an integer status and a code");
    }
    const id = this.nextId++;
    this.rules.push({ ...rule, id, hits: 0 });
    return id;
  }

  remove(id: number): boolean {
    const n = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== n;
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveFault[] {
    return this.rules.map((r) => ({ ...r }));
  }

  seed(seed: number): void {
    this.random = prng(seed);
  }

  /** Combined effect of every rule that hits this request (latencies add up, first error/drop wins). */
  decide(action: string): FaultDecision | undefined {
    let d: FaultDecision | undefined;
    for (const r of this.rules) {
      if (r.actions && r.actions.length > 0 && !r.actions.includes(action)) continue;
      if (r.rate !== undefined && r.rate < 1 && this.random() >= r.rate) continue;
      r.hits++;
      d ??= { latencyMs: 0 };
      d.latencyMs += r.latencyMs ?? 0;
      if (r.error && !d.error && !d.drop) {
        d.error = { status: r.error.status, code: r.error.code, message: r.error.message ?? `${r.error.code} (injected)` };
      }
      if (r.drop && !d.error && !d.drop) d.drop = r.drop === "after" ? "after" : "before";
    }
    this.rules = this.rules.filter((r) => r.count === undefined || r.hits < r.count);
    return d;
  }
}

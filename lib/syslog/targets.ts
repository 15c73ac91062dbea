// Several collectors behind one syslog server: one SyslogSender per target (each with its own
// connection, queue and backpressure), and the rule that says which of them takes each send.
//
// - failover: everything goes to one target, the first in the list that is up. When it goes
//   down, the next one that is up takes over, and with it the lost target's backlog (queued
//   frames, and for RELP the unanswered ones; TCP/TLS add their replay window). A target earlier
//   in the list that comes back takes over again once it has stayed up for `failbackMs`; the
//   target it replaces finishes its own queue, so each target receives frames in send order.
// - balance: sends go round robin to the targets that are up and have room in their queue;
//   a target that goes down hands its backlog to the next one that is up.
//
// Every sender keeps (re)connecting on its own, standby targets included, so a target coming
// back is noticed without a redeploy, and status can say which targets are down.

import { EventEmitter } from "node:events";
import { SyslogSender, type SendCallback, type SenderOptions, type SenderState, type SenderStats } from "./sender";
import { where, type Endpoint, type TlsSettings } from "./transport";
import type { Wire } from "./framing";
import type { MessageWriter } from "./frame-encoder";

export interface Target extends Endpoint {
  /** TLS name for this target (SNI and certificate check); defaults to the server's. */
  servername?: string;
}

export type TargetMode = "failover" | "balance";

export interface TargetsOptions extends Omit<SenderOptions, "endpoints"> {
  targets: Target[];
  /** Default failover. */
  mode?: TargetMode;
  /** Failover: how long an earlier target must stay up before it takes over again. Default 30 s. */
  failbackMs?: number;
}

export interface TargetStats extends SenderStats {
  /** `host:port`. */
  target: string;
  /** Failover: the target sends go to. Balance: every target that is up. */
  inUse: boolean;
  up: boolean;
  /** Since when it is up or down (ms since the epoch). */
  since: number;
}

/** The counters of every target summed up, and which targets are in use or down. */
export interface TargetsStats extends Omit<SenderStats, "endpoint" | "faults"> {
  mode: TargetMode;
  /** Targets sends go to now (`host:port`). */
  inUse: string[];
  /** Targets that are down. */
  down: string[];
  targets: TargetStats[];
}

export class SyslogTargets extends EventEmitter {
  private readonly senders: SyslogSender[];
  private readonly names: string[];
  private readonly mode: TargetMode;
  private readonly failbackMs: number;
  /** When each target last changed between up and down, and which it is. */
  private readonly since: number[];
  private readonly wasUp: boolean[];
  /** Failover: the target in use. Balance: where round robin goes next. */
  private current = 0;
  private failbackTimer: NodeJS.Timeout | undefined;
  private state: SenderState = "disconnected";
  private closed = false;

  constructor(opts: TargetsOptions) {
    super();
    if (!opts.targets.length) throw new RangeError("at least one syslog target is required");
    const { targets, mode, failbackMs, ...common } = opts;
    this.mode = mode ?? "failover";
    this.failbackMs = failbackMs ?? 30_000;
    this.names = targets.map((t) => where(t));
    this.since = targets.map(() => Date.now());
    this.wasUp = targets.map(() => false);
    this.senders = targets.map((t, i) => {
      const s = new SyslogSender({ ...common, endpoints: [{ host: t.host, port: t.port }], tls: targetTls(common.tls, t.servername) });
      s.on("state", (st: SenderState, err?: Error) => this.onTargetState(i, st, err));
      s.on("fault", (err: Error) => this.emit("fault", err, this.names[i]));
      return s;
    });
  }

  get currentState(): SenderState {
    return this.state;
  }

  /** Connects every target (send() also does this on first use). */
  open(): void {
    for (const s of this.senders) s.open();
  }

  send(msg: Wire): Promise<void> {
    return this.pick().send(msg);
  }

  sendMany(msgs: readonly Wire[]): Promise<void> {
    return this.pick().sendMany(msgs);
  }

  /** SyslogSender.sendWith on the target that takes this send. */
  sendWith<T>(w: MessageWriter<T>, item: T): Promise<void>;
  sendWith<T>(w: MessageWriter<T>, item: T, done: SendCallback): void;
  sendWith<T>(w: MessageWriter<T>, item: T, done?: SendCallback): Promise<void> | void {
    return done ? this.pick().sendWith(w, item, done) : this.pick().sendWith(w, item);
  }

  /** SyslogSender.sendManyWith on the target that takes this send. */
  sendManyWith<T>(w: MessageWriter<T>, items: readonly T[]): Promise<void>;
  sendManyWith<T>(w: MessageWriter<T>, items: readonly T[], done: SendCallback): void;
  sendManyWith<T>(w: MessageWriter<T>, items: readonly T[], done?: SendCallback): Promise<void> | void {
    return done ? this.pick().sendManyWith(w, items, done) : this.pick().sendManyWith(w, items);
  }

  idle(): Promise<void> {
    return Promise.all(this.senders.map((s) => s.idle())).then(() => undefined);
  }

  async close(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    clearTimeout(this.failbackTimer);
    await Promise.all(this.senders.map((s) => s.close(timeoutMs)));
    this.setState("closed");
  }

  /** Per target and summed up (the counters ops exports). */
  stats(): TargetsStats {
    const targets = this.senders.map((s, i): TargetStats => {
      const st = s.stats();
      const up = st.state === "connected";
      return { ...st, target: this.names[i], up, inUse: this.mode === "failover" ? i === this.current : up, since: this.since[i] };
    });
    const sum = (k: "queued" | "queuedBytes" | "waiting" | "sent" | "sentBytes" | "resent" | "connects" | "writes"): number =>
      targets.reduce((n, t) => n + t[k], 0);
    return {
      state: this.state,
      queued: sum("queued"),
      queuedBytes: sum("queuedBytes"),
      waiting: sum("waiting"),
      sent: sum("sent"),
      sentBytes: sum("sentBytes"),
      resent: sum("resent"),
      connects: sum("connects"),
      writes: sum("writes"),
      mode: this.mode,
      inUse: targets.filter((t) => t.inUse).map((t) => t.target),
      down: targets.filter((t) => !t.up).map((t) => t.target),
      targets,
      lastError: targets.find((t) => !t.up && t.lastError)?.lastError,
    };
  }

  private up(i: number): boolean {
    return this.senders[i].currentState === "connected";
  }

  /** The sender that takes the next send. */
  private pick(): SyslogSender {
    if (this.mode === "failover" || this.senders.length === 1) return this.senders[this.current];
    // Round robin over targets that are up and have room; then over those up; then over all.
    const n = this.senders.length;
    for (const ok of [(i: number) => this.up(i) && !this.senders[i].full, (i: number) => this.up(i), () => true]) {
      for (let k = 0; k < n; k++) {
        const i = (this.current + k) % n;
        if (ok(i)) {
          this.current = (i + 1) % n;
          return this.senders[i];
        }
      }
    }
    return this.senders[0];
  }

  private onTargetState(i: number, st: SenderState, err?: Error): void {
    if (this.closed) return;
    const isUp = st === "connected";
    if (this.wasUp[i] !== isUp) {
      this.since[i] = Date.now();
      this.wasUp[i] = isUp;
    }
    this.emit("target", this.names[i], st, err);
    this.route();
    this.aggregate(err);
  }

  /** Picks the target in use (failover) and hands lost targets' backlogs to one that is up. */
  private route(): void {
    const n = this.senders.length;
    if (this.mode === "failover") {
      const now = Date.now();
      const steady = (i: number): boolean => this.up(i) && now - this.since[i] >= this.failbackMs;
      let next = this.current;
      if (this.senders[this.current].currentState === "disconnected") {
        // The target in use failed (not merely still connecting, as at start): the first one up
        // for a while, else the first one up.
        const ups = [...Array(n).keys()].filter((i) => this.up(i));
        next = ups.find(steady) ?? ups[0] ?? this.current;
      } else {
        for (let i = 0; i < this.current; i++) {
          if (steady(i)) {
            next = i;
            break;
          }
        }
      }
      this.current = next;
      this.scheduleFailback();
    }
    // Backlogs of targets that are down move to a target that is up (failover: the one in use).
    for (let i = 0; i < n; i++) {
      if (this.up(i)) continue;
      const to = this.mode === "failover" ? this.current : this.nextUp(i);
      if (to < 0 || !this.up(to)) continue;
      const b = this.senders[i].takeBacklog();
      if (b) this.senders[to].handOver(b);
    }
  }

  private nextUp(from: number): number {
    const n = this.senders.length;
    for (let k = 1; k <= n; k++) if (this.up((from + k) % n)) return (from + k) % n;
    return -1;
  }

  /** Failover: wake up when an earlier target that is up will have been up for failbackMs. */
  private scheduleFailback(): void {
    clearTimeout(this.failbackTimer);
    this.failbackTimer = undefined;
    let due = Infinity;
    for (let i = 0; i < this.current; i++) if (this.up(i)) due = Math.min(due, this.since[i] + this.failbackMs);
    if (due === Infinity) return;
    this.failbackTimer = setTimeout(
      () => {
        this.failbackTimer = undefined;
        if (this.closed) return;
        this.route();
        this.aggregate();
      },
      Math.max(0, due - Date.now()) + 1,
    );
    this.failbackTimer.unref();
  }

  /** One state for all: connected when sends can go out, else connecting or disconnected. */
  private aggregate(err?: Error): void {
    const states = this.senders.map((s) => s.currentState);
    const st: SenderState = (this.mode === "failover" ? states[this.current] === "connected" : states.includes("connected"))
      ? "connected"
      : states.includes("connecting")
        ? "connecting"
        : "disconnected";
    this.setState(st, err);
  }

  private setState(st: SenderState, err?: Error): void {
    if (st === this.state && !err) return;
    this.state = st;
    this.emit("state", st, err);
  }
}

/** The server's TLS settings with a target's own name, if it has one. */
function targetTls(tls: SenderOptions["tls"], servername: string | undefined): SenderOptions["tls"] {
  if (!tls || !servername) return tls;
  return (): TlsSettings => ({ ...(typeof tls === "function" ? tls() : tls), servername });
}

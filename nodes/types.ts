// Types shared by node files (a file using `export =` cannot export types itself).
import type { Node } from "node-red";
import type { SlsClient } from "../lib/sls/client";
import type { RateLimitStats } from "../lib/syslog/rate-limit";
import type { SyslogTargets, TargetsStats } from "../lib/syslog/targets";

/** The sls-connection config node as its users see it. */
export interface SlsConnectionNode extends Node {
  /** One shared client per connection, created on first use. */
  getClient(): SlsClient;
  /** Endpoint without credentials, for status and error texts. */
  readonly endpoint: string;
  /** Set when the endpoint is plain http to another machine: keys, tokens and logs travel in clear. */
  readonly plainHttp?: string;
}

/** What sls-syslog-server offers to the nodes that use it. */
export interface SyslogServerNode extends Node {
  /** Registers a user and returns the one shared sender to the server's targets (created on first use). */
  register(user: Node): SyslogTargets;
  /** Deregisters a user; the senders are flushed and closed when the last user leaves. */
  deregister(user: Node): Promise<void>;
  /** Most bytes of one SYSLOG-MSG for this receiver (0 = no limit). */
  readonly maxMessageBytes: number;
  /** Human-readable target, e.g. `tls://siem.example.com:6514`. */
  readonly target: string;
  /** Counters per target (sent, bytes, faults by kind, reconnects, queue depth); null before the first user. */
  stats(): TargetsStats | null;
}

/** What sls-syslog-out offers to monitoring. */
export interface SyslogOutNode extends Node {
  /** The EPS cap's counters (waiting events, ms held back); null without a cap. */
  rateLimitStats(): RateLimitStats | null;
}

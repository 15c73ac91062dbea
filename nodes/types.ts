// Types shared by node files (a file using `export =` cannot export types itself).
import type { Node } from "node-red";
import type { SlsClient } from "../lib/sls/client";
import type { SyslogSender } from "../lib/syslog/sender";

/** The sls-connection config node as its users see it. */
export interface SlsConnectionNode extends Node {
  /** One shared client per connection, created on first use. */
  getClient(): SlsClient;
  /** Endpoint without credentials, for status and error texts. */
  readonly endpoint: string;
}

/** What sls-syslog-server offers to the nodes that use it. */
export interface SyslogServerNode extends Node {
  /** Registers a user and returns the one shared sender (created on first use). */
  register(user: Node): SyslogSender;
  /** Deregisters a user; the sender is flushed and closed when the last user leaves. */
  deregister(user: Node): Promise<void>;
  /** Most bytes of one SYSLOG-MSG for this receiver (0 = no limit). */
  readonly maxMessageBytes: number;
  /** Human-readable target, e.g. `tls://siem.example.com:6514`. */
  readonly target: string;
}

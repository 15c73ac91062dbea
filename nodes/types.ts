// Types shared by node files (a file using `export =` cannot export types itself).
import type { Node } from "node-red";
import type { SlsClient } from "../lib/sls/client";

/** The sls-connection config node as its users see it. */
export interface SlsConnectionNode extends Node {
  /** One shared client per connection, created on first use. */
  getClient(): SlsClient;
  /** Endpoint without credentials, for status and error texts. */
  readonly endpoint: string;
}

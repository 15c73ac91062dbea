// The SLS SDK always dials `<project>.<endpoint>`, which cannot work for an IP literal or
// `localhost` (sls-protocol.md §9.11). In CNAME mode (as in the Java SDK) the Host is the bare
// endpoint and the server maps it to a project. We plug this in through the SDK's public gateway
// hook, so signing (V1 and V4) still covers the Host actually sent.

import SlsGateway from "@alicloud/gateway-sls";
import { isIP } from "node:net";

export type CnameMode = "auto" | "on" | "off";

export class CnameGateway extends SlsGateway {
  override async getHost(network: string, project: string, endpoint: string): Promise<string> {
    return endpoint;
  }
}

/** "auto" uses CNAME addressing for IP-literal and localhost endpoints only. */
export function usesCname(mode: CnameMode, host: string): boolean {
  if (mode === "on") return true;
  if (mode === "off") return false;
  const name = hostName(host);
  return isIP(name) !== 0 || name === "localhost";
}

/** Host part of `host[:port]` / `[v6]:port`. */
export function hostName(host: string): string {
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]"));
  const colons = host.split(":").length - 1;
  return colons === 1 ? host.slice(0, host.indexOf(":")) : host;
}

// The SLS SDK always dials `<project>.<endpoint>`, which cannot work for an IP literal or
// `localhost` (docs/sls-protocol.md, "Addressing and CNAME"). In CNAME mode (as in the Java SDK)
// the Host is the bare endpoint and the server maps it to a project. We plug this in through the
// SDK's public gateway hook, so signing (V1 and V4) still covers the Host actually sent.

//
// Every SDK client also gets a cap on reply bodies (CappedGateway): the SDK reads a whole body into
// memory, so a broken or hostile endpoint could otherwise make it allocate without bound.

import SlsGateway from "@alicloud/gateway-sls";
import type * as $SPI from "@alicloud/gateway-spi";
import { isIP } from "node:net";
import { Readable } from "node:stream";
import { SlsError } from "./errors";

export type CnameMode = "auto" | "on" | "off";

/** Most bytes of a control-plane reply (JSON: shard lists, checkpoints, consumer groups). */
export const MAX_API_REPLY_BYTES = 8 * 1024 * 1024;

/** The SLS gateway, reading reply bodies at most MAX_API_REPLY_BYTES long (SlsError ReplyTooLarge beyond). */
export class CappedGateway extends SlsGateway {
  override async modifyResponse(context: $SPI.InterceptorContext, attributeMap: $SPI.AttributeMap): Promise<void> {
    const res = context.response;
    if (res?.body) res.body = Readable.from([await readCapped(res.body, MAX_API_REPLY_BYTES)]);
    return super.modifyResponse(context, attributeMap);
  }
}

/** The whole stream, or SlsError ReplyTooLarge (the stream destroyed) once it passes `max` bytes. */
export function readCapped(stream: Readable, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (c: Buffer | string) => {
      const b = typeof c === "string" ? Buffer.from(c) : c;
      size += b.length;
      if (size > max) {
        stream.destroy();
        reject(new SlsError("ReplyTooLarge", `the reply body exceeds ${max} bytes`, { retryable: false }));
        return;
      }
      chunks.push(b);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks, size)));
    stream.on("error", reject);
  });
}

export class CnameGateway extends CappedGateway {
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

// Official SDK clients pointed at the emulator, for conformance tests: `@alicloud/sls20201230` with
// the CNAME-style gateway and PullLogs/PutLogs through execute() (docs/sls-protocol.md, "The SDK").

import dns = require("node:dns");
import Sls from "@alicloud/sls20201230";
import GatewaySls from "@alicloud/gateway-sls";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import * as $dara from "@darabonba/typescript";
import { decodeLogGroupList, encodeLogGroup, LogGroup } from "../../lib/sls/log-group-codec";

/** Sends requests to the endpoint as is (Host without project): the emulator's default project. */
class CnameGateway extends GatewaySls {
  override async getHost(_network: string, _project: string, endpoint: string): Promise<string> {
    return endpoint;
  }
}

export interface SdkOptions {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  v4?: boolean;
}

export function sdkClient(o: SdkOptions): Sls {
  const config = new $OpenApiUtil.Config({
    accessKeyId: o.accessKeyId,
    accessKeySecret: o.accessKeySecret,
    securityToken: o.securityToken,
    endpoint: o.endpoint,
    protocol: "http",
    readTimeout: 10_000,
    connectTimeout: 10_000,
    ...(o.v4 ? { signatureVersion: "v4", regionId: "cn-local" } : {}),
  });
  const client = new Sls(config);
  client.setGatewayClient(new CnameGateway());
  return client;
}

export interface PullResult {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
  groups: LogGroup[];
}

export async function sdkPullLogs(
  client: Sls,
  project: string,
  logstore: string,
  shard: number,
  cursor: string,
  opts: { count?: number; endCursor?: string; acceptEncoding?: string; type?: string } = {},
): Promise<PullResult> {
  const params = new $OpenApiUtil.Params({
    action: "PullLogs",
    version: "2020-12-30",
    protocol: "HTTP",
    pathname: `/logstores/${logstore}/shards/${shard}`,
    method: "GET",
    authType: "AK",
    style: "ROA",
    reqBodyType: "none",
    bodyType: "byte",
  });
  const query: Record<string, string> = { type: opts.type ?? "log", cursor, count: String(opts.count ?? 1000) };
  if (opts.endCursor) query.end_cursor = opts.endCursor;
  const request = new $OpenApiUtil.OpenApiRequest({
    hostMap: { project },
    headers: { accept: "application/x-protobuf", "Accept-Encoding": opts.acceptEncoding ?? "lz4" },
    query,
  });
  const r = (await client.execute(params, request, new $dara.RuntimeOptions({}))) as {
    statusCode: number;
    headers: Record<string, string>;
    body: Buffer;
  };
  return { ...r, groups: r.body.length > 0 ? decodeLogGroupList(r.body) : [] };
}

export async function sdkPutLogs(
  client: Sls,
  project: string,
  logstore: string,
  group: LogGroup | Buffer,
  opts: { hashKey?: string; headers?: Record<string, string> } = {},
): Promise<void> {
  const params = new $OpenApiUtil.Params({
    action: "PutLogs",
    version: "2020-12-30",
    protocol: "HTTP",
    pathname: opts.hashKey ? `/logstores/${logstore}/shards/route` : `/logstores/${logstore}/shards/lb`,
    method: "POST",
    authType: "AK",
    style: "ROA",
    reqBodyType: "binary",
    bodyType: "none",
  });
  const request = new $OpenApiUtil.OpenApiRequest({
    hostMap: { project },
    headers: { "content-type": "application/x-protobuf", ...opts.headers },
    query: opts.hashKey ? { key: opts.hashKey } : {},
    body: Buffer.isBuffer(group) ? group : encodeLogGroup(group),
  });
  await client.execute(params, request, new $dara.RuntimeOptions({}));
}

/** An SDK client with the stock gateway: Host `<project>.127.0.0.1:port` (needs localProjectHosts()). */
export function sdkProjectClient(o: SdkOptions): Sls {
  return new Sls(
    new $OpenApiUtil.Config({
      accessKeyId: o.accessKeyId,
      accessKeySecret: o.accessKeySecret,
      endpoint: o.endpoint,
      protocol: "http",
      readTimeout: 10_000,
      connectTimeout: 10_000,
    }),
  );
}

/**
 * Makes `<anything>.<IPv4>` resolve to that IPv4 in this process (what the Python SDK's IP
 * endpoints amount to), so stock clients can put the project in Host. Returns the undo function.
 */
export function localProjectHosts(): () => void {
  const original = dns.lookup;
  const patched = function (hostname: string, ...rest: unknown[]) {
    const m = /\.(\d{1,3}(?:\.\d{1,3}){3})$/.exec(hostname);
    return (original as (...a: unknown[]) => unknown).call(dns, m ? m[1] : hostname, ...rest);
  };
  (dns as { lookup: unknown }).lookup = patched;
  return () => {
    (dns as { lookup: unknown }).lookup = original;
  };
}

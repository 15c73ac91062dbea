// Raw HTTP requests to the emulator, signed by the official `@alicloud/log` SDK's V1 hmac-sha1
// signer, so tests can tamper with what is sent after signing.

import * as http from "node:http";
import { createHash } from "node:crypto";

interface LogSdkClient {
  _sign(
    verb: string,
    path: string,
    queries: Record<string, string>,
    headers: Record<string, string>,
    cred: { accessKeyId: string; accessKeySecret: string },
  ): string;
  postLogStoreLogs(project: string | undefined, logstore: string, data: unknown): Promise<unknown>;
  getLogStore(project: string | undefined, logstore: string): Promise<Record<string, unknown>>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const LogClient = require("@alicloud/log") as new (cfg: Record<string, unknown>) => LogSdkClient;

export interface Keys {
  url: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export function logSdkClient(k: Keys): LogSdkClient {
  return new LogClient({ accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret, endpoint: k.url });
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function rawRequest(url: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Headers of a V1 hmac-sha1 request for `body`, as @alicloud/log would send them. */
export function signV1(
  k: Keys,
  method: string,
  path: string,
  query: Record<string, string>,
  body: Buffer | undefined,
  extra: Record<string, string> = {},
  date = new Date(),
): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": body ? "application/x-protobuf" : "application/json",
    date: date.toUTCString(),
    "x-log-apiversion": "0.6.0",
    "x-log-signaturemethod": "hmac-sha1",
    "x-log-bodyrawsize": String(body?.length ?? 0),
    ...extra,
  };
  if (body) headers["content-md5"] = createHash("md5").update(body).digest("hex").toUpperCase();
  headers.authorization = logSdkClient(k)._sign(method, path, query, headers, k);
  return headers;
}

// SLS client: the official SDK (@alicloud/sls20201230) for every control-plane call, and PullLogs,
// the hot path, as a V1-signed GET of our own (http-transport.ts; the SDK's typed pullLogs is
// broken, docs/sls-protocol.md, "The SDK"): project in the Host, protobuf accepted, lz4 on the
// wire, log groups decoded by our own codec when they are emitted.

import SdkClient, * as $Sls from "@alicloud/sls20201230";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import type { IncomingHttpHeaders } from "node:http";
import { CappedGateway, CnameGateway, hostName, usesCname, type CnameMode } from "./cname-gateway";
import { CredentialSource, type CredentialsProvider, type SlsCredentials } from "./credentials";
import { SlsError, toSlsError, type SlsErrorContext } from "./errors";
import { HttpTransport, type GetReply } from "./http-transport";
import { scanLogGroupList, type GroupList } from "./pull-decoder";

export type { CredentialsProvider, SlsCredentials } from "./credentials";

export interface SlsClientOptions {
  /** `https://cn-hangzhou.log.aliyuncs.com`, `http://127.0.0.1:8080`; no scheme means https. */
  endpoint: string;
  cname?: CnameMode;
  credentials: SlsCredentials | CredentialsProvider;
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  userAgent?: string;
}

export interface ShardInfo {
  shard: number;
  status: "readwrite" | "readonly" | string;
  inclusiveBeginKey: string;
  exclusiveEndKey: string;
  createTime: number;
}

export interface ConsumerGroupInfo {
  name: string;
  timeout: number;
  order: boolean;
}

export interface LogstoreInfo {
  /** Retention: data older than this (by receive time) is deleted. */
  ttlDays: number;
}

export interface CheckpointInfo {
  shard: number;
  checkpoint: string;
  consumer: string;
  updateTime: number;
}

export interface PullOptions {
  count?: number;
  endCursor?: string;
  /** SPL filter, applied server-side. */
  query?: string;
}

export interface PullResult {
  /** Log groups in record form (each log already the object sls-consumer emits). */
  groups: GroupList;
  /** Cursor after the last returned group (= request cursor when nothing came back). */
  nextCursor: string;
  /** Number of log groups returned. */
  count: number;
  /** Uncompressed size of the protobuf body. */
  rawSize: number;
  /** Server receive time of the data (unix s), 0 when unknown. */
  cursorTime: number;
  /** The read reached the current end of the shard. */
  endOfCursor: boolean;
  /** With an SPL query: log groups and raw bytes read before the statement filtered them. */
  scanned?: { groups: number; bytes: number };
  /** With an SPL query: logs SLS could not process with the statement and left out. */
  failedLogs?: number;
}

/** What the consumer-group engine needs from SLS; the fake in unit tests implements the same. */
export interface SlsApi {
  listShards(project: string, logstore: string): Promise<ShardInfo[]>;
  getCursor(project: string, logstore: string, shard: number, from: "begin" | "end" | number): Promise<string>;
  pullLogs(project: string, logstore: string, shard: number, cursor: string, opts?: PullOptions): Promise<PullResult>;
  listConsumerGroups(project: string, logstore: string): Promise<ConsumerGroupInfo[]>;
  createConsumerGroup(project: string, logstore: string, group: ConsumerGroupInfo): Promise<void>;
  updateConsumerGroup(project: string, logstore: string, group: ConsumerGroupInfo): Promise<void>;
  heartbeat(project: string, logstore: string, group: string, consumer: string, shards: number[]): Promise<number[]>;
  updateCheckpoint(project: string, logstore: string, group: string, consumer: string, shard: number, cursor: string, forceSuccess: boolean): Promise<void>;
  getCheckpoints(project: string, logstore: string, group: string, shard?: number): Promise<CheckpointInfo[]>;
  /** The logstore's retention (for lag warnings); optional: without it no warning is given. */
  getLogstore?(project: string, logstore: string): Promise<LogstoreInfo>;
  /** Server receive time (unix s) of the log group at a cursor (a group's lag); optional. */
  getCursorTime?(project: string, logstore: string, shard: number, cursor: string): Promise<number>;
}

const AUTH_CODES = new Set(["unauthorized", "invalidaccesskeyid", "signaturenotmatch", "securitytokenexpired", "invalidsecuritytoken"]);

export class SlsClient implements SlsApi {
  private readonly sdk: SdkClient;
  private readonly http: HttpTransport;
  private readonly creds: CredentialSource;
  private readonly cname: boolean;
  /** host[:port] without scheme. */
  readonly endpoint: string;
  readonly protocol: "http" | "https";

  constructor(opts: SlsClientOptions) {
    const { protocol, host } = parseEndpoint(opts.endpoint);
    this.endpoint = host;
    this.protocol = protocol;
    this.cname = usesCname(opts.cname ?? "auto", host);
    this.creds = new CredentialSource(opts.credentials);
    const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    const readTimeoutMs = opts.readTimeoutMs ?? 30_000;
    const userAgent = opts.userAgent ?? "node-red-contrib-sls-syslog";
    this.sdk = new SdkClient(
      new $OpenApiUtil.Config({
        endpoint: host,
        protocol,
        // httpx uses the connect timeout as the socket idle timeout too: set both.
        connectTimeout: connectTimeoutMs,
        readTimeout: readTimeoutMs,
        userAgent,
        credential: this.creds as unknown as $OpenApiUtil.Config["credential"],
      }),
    );
    this.http = new HttpTransport({ protocol, connectTimeoutMs, readTimeoutMs, userAgent });
    this.sdk.setGatewayClient(this.cname ? new CnameGateway() : new CappedGateway());
  }

  /** Closes idle PullLogs connections; a request still running finishes. */
  close(): void {
    this.http.close();
  }

  /** Replaces the credentials (e.g. a new STS token); takes effect on the next request. */
  setCredentials(c: SlsCredentials | CredentialsProvider): void {
    this.creds.set(c);
  }

  /** The keys in use and their renewal state (never logged: for tests and status). */
  get credentials(): CredentialSource {
    return this.creds;
  }

  /** The Host header a request for `project` carries. */
  hostFor(project: string): string {
    return this.cname ? this.endpoint : `${project}.${this.endpoint}`;
  }

  async listShards(project: string, logstore: string): Promise<ShardInfo[]> {
    const r = await this.call({ action: "ListShards", project, logstore }, () => this.sdk.listShards(project, logstore));
    return (r.body ?? []).map((s) => ({
      shard: Number(s.shardID),
      status: String(s.status ?? ""),
      inclusiveBeginKey: String(s.inclusiveBeginKey ?? ""),
      exclusiveEndKey: String(s.exclusiveEndKey ?? ""),
      createTime: Number(s.createTime ?? 0),
    }));
  }

  async getCursor(project: string, logstore: string, shard: number, from: "begin" | "end" | number): Promise<string> {
    const r = await this.call({ action: "GetCursor", project, logstore, shard }, () =>
      this.sdk.getCursor(project, logstore, String(shard), new $Sls.GetCursorRequest({ from: String(from) })),
    );
    const cursor = r.body?.cursor;
    if (!cursor)
      throw new SlsError("BadResponse", "GetCursor returned no cursor", { context: this.ctx("GetCursor", project, logstore, shard), retryable: true });
    return cursor;
  }

  async pullLogs(project: string, logstore: string, shard: number, cursor: string, opts: PullOptions = {}): Promise<PullResult> {
    const query: Record<string, string> = { type: "log", cursor, count: String(opts.count ?? 1000) };
    if (opts.endCursor) query.end_cursor = opts.endCursor;
    if (opts.query) {
      query.query = opts.query;
      query.pullMode = "scan_on_stream";
    }
    const get = async (): Promise<GetReply> =>
      this.http.get({
        host: this.hostFor(project),
        path: `/logstores/${logstore}/shards/${shard}`,
        query,
        headers: { accept: "application/x-protobuf", "accept-encoding": "lz4" },
        credentials: await this.creds.getCredential(),
        context: this.ctx("PullLogs", project, logstore, shard),
      });
    const r = await this.call({ action: "PullLogs", project, logstore, shard }, async () => {
      // A reply over the size cap: ask for half as many log groups, down to one.
      for (;;) {
        try {
          return await get();
        } catch (e) {
          const n = Number(query.count);
          if (!(e instanceof SlsError && e.code === "ReplyTooLarge" && n > 1)) throw e;
          query.count = String(Math.ceil(n / 2));
        }
      }
    });
    const h = r.headers;
    const nextCursor = headerOf(h, "x-log-cursor");
    const count = Number(headerOf(h, "x-log-count"));
    if (!nextCursor || !Number.isInteger(count)) {
      throw new SlsError("BadResponse", "PullLogs reply lacks x-log-cursor/x-log-count", {
        context: this.ctx("PullLogs", project, logstore, shard),
        retryable: true,
      });
    }
    const body = r.body.length > 0 ? r.body : undefined;
    let groups: GroupList = [];
    if (body) {
      try {
        groups = scanLogGroupList(body, r.ownBody);
      } catch (e) {
        throw new SlsError("BadResponse", `PullLogs body is not a LogGroupList: ${(e as Error).message}`, {
          context: this.ctx("PullLogs", project, logstore, shard),
          requestId: headerOf(h, "x-log-requestid"),
          retryable: true,
        });
      }
    }
    return {
      groups,
      nextCursor,
      count,
      rawSize: body ? body.length : 0,
      cursorTime: Number(headerOf(h, "x-log-cursor-time") ?? 0) || 0,
      endOfCursor: headerOf(h, "x-log-end-of-cursor") === "1" || (count === 0 && nextCursor === cursor),
      ...(opts.query ? splCounts(h) : {}),
    };
  }

  async getCursorTime(project: string, logstore: string, shard: number, cursor: string): Promise<number> {
    const r = await this.call({ action: "GetCursorTime", project, logstore, shard }, () =>
      this.sdk.getCursorTime(project, logstore, String(shard), new $Sls.GetCursorTimeRequest({ cursor })),
    );
    const t = Number(r.body?.cursorTime);
    if (!Number.isFinite(t))
      throw new SlsError("BadResponse", "GetCursorTime returned no cursor_time", {
        context: this.ctx("GetCursorTime", project, logstore, shard),
        retryable: true,
      });
    return t;
  }

  async getLogstore(project: string, logstore: string): Promise<LogstoreInfo> {
    const r = await this.call({ action: "GetLogStore", project, logstore }, () => this.sdk.getLogStore(project, logstore));
    return { ttlDays: Number(r.body?.ttl ?? 0) };
  }

  async listConsumerGroups(project: string, logstore: string): Promise<ConsumerGroupInfo[]> {
    const r = await this.call({ action: "ListConsumerGroup", project, logstore }, () => this.sdk.listConsumerGroup(project, logstore));
    return (r.body ?? []).map((g) => ({ name: String(g.name), timeout: Number(g.timeout), order: Boolean(g.order) }));
  }

  async createConsumerGroup(project: string, logstore: string, g: ConsumerGroupInfo): Promise<void> {
    await this.call({ action: "CreateConsumerGroup", project, logstore, consumerGroup: g.name }, () =>
      this.sdk.createConsumerGroup(project, logstore, new $Sls.CreateConsumerGroupRequest({ consumerGroup: g.name, timeout: g.timeout, order: g.order })),
    );
  }

  async updateConsumerGroup(project: string, logstore: string, g: ConsumerGroupInfo): Promise<void> {
    await this.call({ action: "UpdateConsumerGroup", project, logstore, consumerGroup: g.name }, () =>
      this.sdk.updateConsumerGroup(project, logstore, g.name, new $Sls.UpdateConsumerGroupRequest({ timeout: g.timeout, order: g.order })),
    );
  }

  async heartbeat(project: string, logstore: string, group: string, consumer: string, shards: number[]): Promise<number[]> {
    const r = await this.call({ action: "ConsumerGroupHeartBeat", project, logstore, consumerGroup: group }, () =>
      this.sdk.consumerGroupHeartBeat(project, logstore, group, new $Sls.ConsumerGroupHeartBeatRequest({ consumer, body: shards })),
    );
    return (r.body ?? []).map(Number);
  }

  async updateCheckpoint(
    project: string,
    logstore: string,
    group: string,
    consumer: string,
    shard: number,
    cursor: string,
    forceSuccess: boolean,
  ): Promise<void> {
    await this.call({ action: "ConsumerGroupUpdateCheckPoint", project, logstore, shard, consumerGroup: group }, () =>
      this.sdk.consumerGroupUpdateCheckPoint(
        project,
        logstore,
        group,
        new $Sls.ConsumerGroupUpdateCheckPointRequest({ consumer, shard, checkpoint: cursor, forceSuccess }),
      ),
    );
  }

  async getCheckpoints(project: string, logstore: string, group: string, shard?: number): Promise<CheckpointInfo[]> {
    const r = await this.call({ action: "GetCheckPoint", project, logstore, shard, consumerGroup: group }, () =>
      this.sdk.getCheckPoint(project, logstore, group, new $Sls.GetCheckPointRequest(shard === undefined ? {} : { shard })),
    );
    return (r.body ?? []).map((c) => ({
      shard: Number(c.shard),
      checkpoint: String(c.checkpoint ?? ""),
      consumer: String(c.consumer ?? ""),
      updateTime: Number(c.updateTime ?? 0),
    }));
  }

  private ctx(action: string, project: string, logstore: string, shard?: number, consumerGroup?: string): SlsErrorContext {
    return { action, host: this.hostFor(project), project, logstore, shard, consumerGroup };
  }

  private async call<T>(c: { action: string; project: string; logstore: string; shard?: number; consumerGroup?: string }, fn: () => Promise<T>): Promise<T> {
    // The keys this request signs with (fn asks the same source): a refusal drops them only.
    const keys = this.creds.peek();
    try {
      return await fn();
    } catch (err) {
      const e = toSlsError(err, this.ctx(c.action, c.project, c.logstore, c.shard, c.consumerGroup));
      // Keys the server refused are asked for again (renewed STS keys, a rotated credentials file).
      if (AUTH_CODES.has(e.code.toLowerCase())) this.creds.invalidate(keys);
      throw e;
    }
  }
}

/** The sizes before an SPL statement and its failed logs, when SLS sends them. */
function splCounts(h: IncomingHttpHeaders): Pick<PullResult, "scanned" | "failedLogs"> {
  const int = (name: string): number | undefined => {
    const v = Number(headerOf(h, name));
    return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  };
  const groups = int("x-log-rawdatacount");
  const failed = int("x-log-failedlines");
  return { ...(groups !== undefined ? { scanned: { groups, bytes: int("x-log-rawdatasize") ?? 0 } } : {}), ...(failed ? { failedLogs: failed } : {}) };
}

function headerOf(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The host of an `http://` endpoint that is not on this machine (loopback), whose keys, STS tokens
 * and logs would cross the network in clear; undefined for https and loopback.
 */
export function plainHttpRemote(endpoint: string): string | undefined {
  let p: { protocol: "http" | "https"; host: string };
  try {
    p = parseEndpoint(endpoint);
  } catch {
    return undefined;
  }
  if (p.protocol !== "http") return undefined;
  const name = hostName(p.host).toLowerCase();
  if (name === "localhost" || name.endsWith(".localhost") || name === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) || /^::ffff:127\./.test(name))
    return undefined;
  return p.host;
}

/** Splits `scheme://host[:port][/]` into protocol and host; https unless http is given. */
export function parseEndpoint(endpoint: string): { protocol: "http" | "https"; host: string } {
  const m = /^\s*(?:(https?):\/\/)?([^/\s]+)\/?\s*$/i.exec(endpoint);
  if (!m) throw new SlsError("InvalidEndpoint", `endpoint "${endpoint}" is not host[:port] with an optional http:// or https://`, { retryable: false });
  return { protocol: m[1]?.toLowerCase() === "http" ? "http" : "https", host: m[2] };
}

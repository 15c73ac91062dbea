// Realistic simulated logs (RDS SQL audit, ActionTrail, WAF and SLB access logs) in the shapes SLS
// delivers them, each log carrying `seq` (0, 1, 2, ... per generator) so tests can prove no loss.

import type { LogGroup, SlsLog } from "../lib/sls/log-group-codec";
import { prng } from "./faults";

export const GENERATOR_KINDS = ["rds-audit", "actiontrail", "waf", "slb"] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

export interface GeneratorOptions {
  seed?: number;
  /** Logs per log group (default 10). */
  groupSize?: number;
  /** First sequence number (default 0). */
  startSeq?: number;
}

type Rnd = () => number;
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rnd, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const ip = (r: Rnd, prefix = "") => (prefix || `${pick(r, [10, 172, 192, 47, 118, 203])}.${int(r, 0, 255)}.`) + `${int(r, 0, 255)}.${int(r, 1, 254)}`;
const hex = (r: Rnd, n: number) => Array.from({ length: n }, () => "0123456789abcdef"[int(r, 0, 15)]).join("");
const uuid = (r: Rnd) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${hex(r, 4)}-${hex(r, 12)}`.toUpperCase();

const USERS = ["app_rw", "app_ro", "report", "dba_admin", "etl_job", "root"];
const DBS = ["orders", "users", "billing", "inventory", "audit"];
const TABLES = ["t_order", "t_user", "t_payment", "t_item", "t_session", "t_coupon"];
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "curl/8.5.0",
  "python-requests/2.31.0",
  "Go-http-client/1.1",
  "sqlmap/1.8#stable (https://sqlmap.org)",
];
const PATHS = ["/", "/login", "/api/v1/orders", "/api/v1/users/me", "/static/app.js", "/admin", "/search?q=shoes", "/wp-login.php", "/.env"];

function rdsAudit(r: Rnd): Array<[string, string]> {
  const table = pick(r, TABLES);
  const sql = pick(r, [
    `SELECT * FROM ${table} WHERE id = ${int(r, 1, 999999)}`,
    `UPDATE ${table} SET status = 'paid' WHERE id = ${int(r, 1, 999999)}`,
    `INSERT INTO ${table} (user_id, amount) VALUES (${int(r, 1, 99999)}, ${int(r, 1, 9999)}.${int(r, 10, 99)})`,
    `DELETE FROM ${table} WHERE created_at < '2024-01-01'`,
    `SELECT COUNT(*) FROM ${table}`,
    `GRANT ALL PRIVILEGES ON *.* TO 'tmp'@'%'`,
    "login failed: Access denied for user",
  ]);
  const fail = sql.startsWith("login failed") || r() < 0.03 ? "1" : "0";
  const write = /^(UPDATE|INSERT|DELETE)/.test(sql);
  return [
    ["instance_id", `rm-bp1${hex(r, 14)}`.slice(0, 20)],
    ["db", pick(r, DBS)],
    ["user", pick(r, USERS)],
    ["client_ip", ip(r, "10.0.")],
    ["thread_id", String(int(r, 1000, 99999))],
    ["sql", sql],
    ["fail", fail],
    ["latency", String(int(r, 50, 250000))],
    ["origin_time", String(Date.now() * 1000 + int(r, 0, 999))],
    ["return_rows", String(write ? 0 : int(r, 0, 500))],
    ["update_rows", String(write ? int(r, 0, 20) : 0)],
    ["check_rows", String(int(r, 0, 5000))],
  ];
}

function actionTrail(r: Rnd, now: number): Array<[string, string]> {
  const eventName = pick(r, [
    "ConsoleSignin",
    "CreateAccessKey",
    "DeleteBucket",
    "RunInstances",
    "StopInstance",
    "AttachPolicyToUser",
    "PutObject",
    "AuthorizeSecurityGroup",
  ]);
  const service =
    eventName === "ConsoleSignin"
      ? "Ram"
      : eventName.includes("Bucket") || eventName === "PutObject"
        ? "Oss"
        : eventName.includes("Policy") || eventName.includes("AccessKey")
          ? "Ram"
          : "Ecs";
  const error = r() < 0.05 ? pick(r, ["Forbidden.RAM", "InvalidAccessKeyId.NotFound", "NoPermission"]) : undefined;
  const event = {
    eventId: uuid(r),
    eventName,
    eventSource: `${service.toLowerCase()}.aliyuncs.com`,
    eventTime: new Date(now).toISOString().replace(/\.\d+Z$/, "Z"),
    eventType: eventName === "ConsoleSignin" ? "ConsoleSignin" : "ApiCall",
    eventVersion: "1",
    acsRegion: pick(r, ["cn-hangzhou", "cn-shanghai", "ap-southeast-1", "eu-central-1"]),
    requestId: uuid(r),
    serviceName: service,
    sourceIpAddress: ip(r),
    userAgent: pick(r, ["AlibabaCloud (Linux; amd64) Terraform/1.7", "aliyun-cli/3.0.190", "console.aliyun.com"]),
    userIdentity: {
      type: pick(r, ["ram-user", "assumed-role", "root-account"]),
      principalId: String(int(r, 100000000, 999999999)),
      accountId: "1234567890123456",
      userName: pick(r, ["alice", "bob", "ci-deployer", "root"]),
      accessKeyId: `LTAI${hex(r, 16)}`.slice(0, 12) + "****",
    },
    ...(error ? { errorCode: error, errorMessage: `${error}: operation denied` } : {}),
  };
  return [
    ["event", JSON.stringify(event)],
    ["event.eventName", eventName],
    ["event.serviceName", service],
    ["event.sourceIpAddress", event.sourceIpAddress],
  ];
}

function waf(r: Rnd, now: number): Array<[string, string]> {
  const blocked = r() < 0.1;
  const status = blocked ? "405" : pick(r, ["200", "200", "200", "301", "404", "500"]);
  return [
    ["time", new Date(now).toISOString()],
    ["host", pick(r, ["www.example.com", "api.example.com", "shop.example.com"])],
    ["real_client_ip", ip(r)],
    ["request_method", pick(r, ["GET", "GET", "POST", "PUT", "DELETE"])],
    ["request_path", pick(r, PATHS)],
    ["request_traceid", hex(r, 32)],
    ["status", status],
    ["upstream_status", blocked ? "-" : status],
    ["request_time_msec", String(int(r, 1, 900))],
    ["body_bytes_sent", String(int(r, 0, 50000))],
    ["user_agent", pick(r, AGENTS)],
    ["http_referer", pick(r, ["-", "https://www.google.com/", "https://www.example.com/"])],
    ["final_plugin", blocked ? pick(r, ["waf", "cc", "acl"]) : "-"],
    ["final_action", blocked ? "block" : "pass"],
    ["final_rule_id", blocked ? String(int(r, 100000, 999999)) : "-"],
  ];
}

function slb(r: Rnd, now: number): Array<[string, string]> {
  const status = pick(r, ["200", "200", "200", "200", "302", "404", "502", "504"]);
  return [
    ["time", new Date(now).toISOString()],
    ["slbid", `lb-bp1${hex(r, 17)}`],
    ["vip_addr", "47.96.12.34"],
    ["slb_vport", pick(r, ["80", "443"])],
    ["client_ip", ip(r)],
    ["client_port", String(int(r, 1024, 65535))],
    ["host", pick(r, ["www.example.com", "api.example.com"])],
    ["request_method", pick(r, ["GET", "POST"])],
    ["request_uri", pick(r, PATHS)],
    ["scheme", pick(r, ["http", "https"])],
    ["status", status],
    ["upstream_addr", `10.0.1.${int(r, 2, 40)}:8080`],
    ["upstream_status", status === "502" || status === "504" ? "-" : status],
    ["request_time", (r() * 2).toFixed(3)],
    ["upstream_response_time", (r() * 2).toFixed(3)],
    ["body_bytes_sent", String(int(r, 0, 80000))],
    ["http_user_agent", pick(r, AGENTS)],
    ["http_x_forwarded_for", ip(r)],
    ["ssl_protocol", pick(r, ["TLSv1.2", "TLSv1.3", "-"])],
  ];
}

const TOPICS: Record<GeneratorKind, { topic: string; source: string }> = {
  "rds-audit": { topic: "rds_audit_log", source: "rds_log" },
  actiontrail: { topic: "actiontrail_audit_event", source: "actiontrail" },
  waf: { topic: "waf_access_log", source: "waf" },
  slb: { topic: "slb_layer7_access_log", source: "slb" },
};

export class LogGenerator {
  private readonly rnd: Rnd;
  private seq: number;
  private readonly groupSize: number;

  constructor(
    readonly kind: GeneratorKind,
    opts: GeneratorOptions = {},
  ) {
    if (!GENERATOR_KINDS.includes(kind)) throw new RangeError(`unknown generator ${kind}; one of ${GENERATOR_KINDS.join(", ")}`);
    this.rnd = prng(opts.seed ?? 42);
    this.seq = opts.startSeq ?? 0;
    this.groupSize = opts.groupSize ?? 10;
  }

  get nextSeq(): number {
    return this.seq;
  }

  log(nowMs: number): SlsLog {
    const r = this.rnd;
    const fields =
      this.kind === "rds-audit" ? rdsAudit(r) : this.kind === "actiontrail" ? actionTrail(r, nowMs) : this.kind === "waf" ? waf(r, nowMs) : slb(r, nowMs);
    return { time: Math.floor(nowMs / 1000), timeNs: (nowMs % 1000) * 1_000_000, contents: [["seq", String(this.seq++)], ...fields] };
  }

  /** One log group of up to `size` logs (default: groupSize). */
  group(nowMs: number, size = this.groupSize): LogGroup {
    const t = TOPICS[this.kind];
    return {
      topic: t.topic,
      source: t.source,
      tags: [
        ["__hostname__", `${t.source}-collector-${1 + (this.seq % 3)}`],
        ["generator", this.kind],
      ],
      logs: Array.from({ length: size }, () => this.log(nowMs)),
    };
  }
}

export interface GeneratorRun {
  /** Logs written so far. */
  readonly written: number;
  stop(): void;
  /** Resolves with the number of logs written once `count` is reached or stop() is called. */
  readonly done: Promise<number>;
}

/**
 * Writes generated groups through `write`: `rate` logs per second (paced every 100 ms), up to
 * `count` logs; with only `count`, as fast as possible in slices that leave the event loop free.
 */
export function runGenerator(
  gen: LogGenerator,
  write: (g: LogGroup) => void,
  opts: { rate?: number; count?: number; groupSize?: number; /** Log timestamps (ms); default Date.now. */ now?: () => number },
): GeneratorRun {
  const now = opts.now ?? Date.now;
  const size = opts.groupSize ?? 10;
  const count = opts.count ?? Infinity;
  if (opts.rate === undefined && !Number.isFinite(count)) throw new RangeError("give a rate, a count, or both");
  let written = 0;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let finish!: (n: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const emit = (upTo: number) => {
    while (written < upTo) {
      const n = Math.min(size, upTo - written);
      write(gen.group(now(), n));
      written += n;
    }
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    if (immediate) clearImmediate(immediate);
    timer = immediate = undefined;
    finish(written);
  };
  if (opts.rate !== undefined) {
    // Paced by the real clock; `now` only stamps the logs (it may be a test's fake clock).
    const rate = opts.rate;
    const t0 = performance.now();
    timer = setInterval(() => {
      emit(Math.min(count, Math.floor(((performance.now() - t0) / 1000) * rate)));
      if (written >= count) stop();
    }, 100);
  } else {
    const slice = () => {
      emit(Math.min(count, written + 10_000));
      if (written >= count) stop();
      else immediate = setImmediate(slice);
    };
    immediate = setImmediate(slice);
  }
  return {
    get written() {
      return written;
    },
    stop,
    done,
  };
}

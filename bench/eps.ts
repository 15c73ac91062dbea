// npm run bench:eps [-- --json] [-- --seconds 5] [-- --rates 1000,10000,50000]
//
// Does the EPS cap of sls-syslog-out hold? For each rate, a source with unlimited demand (always
// 2 000 messages waiting for the cap, as a consumer whose delivery window never empties) sends
// ≈300-byte RFC 5424 messages through the cap (lib/syslog/rate-limit.ts, burst = one second's
// worth) and a SyslogSender over TCP loopback to a receiver in this process that counts whole
// frames by arrival time. The first second (the burst, then the bucket settling) is left out; the
// rate is the frames that arrived in the next --seconds (default 5) divided by that time.
// Prints target, measured and the error in %; with --json the last line is
// {"rows": [{"eps": 1000, "measured": 1000.2, "errorPct": 0.02}, ...]}.

import net from "node:net";
import { RateLimit } from "../lib/syslog/rate-limit";
import { SyslogSender } from "../lib/syslog/sender";

const args = process.argv.slice(2);
const json = args.includes("--json");
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const seconds = Number(arg("--seconds", "5"));
const rates = arg("--rates", "1000,10000,50000").split(",").map(Number);
const SETTLE_MS = 1000;
const IN_FLIGHT = 2000;

/** Counts octet-counted frames as they arrive, with their arrival times (ms). */
function counter(): Promise<{ port: number; arrivals: number[]; close(): Promise<void> }> {
  const arrivals: number[] = [];
  const server = net.createServer((s) => {
    let need = -1; // bytes of the current frame still to come; -1: reading its length
    let len = 0;
    s.on("data", (d: Buffer) => {
      const now = performance.now();
      let i = 0;
      while (i < d.length) {
        if (need < 0) {
          const c = d[i++];
          if (c === 0x20) need = len;
          else len = len * 10 + c - 48;
        } else {
          const take = Math.min(need, d.length - i);
          need -= take;
          i += take;
          if (need === 0) {
            arrivals.push(now);
            need = -1;
            len = 0;
          }
        }
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({ port: (server.address() as net.AddressInfo).port, arrivals, close: () => new Promise<void>((r) => server.close(() => r())) }),
    );
  });
}

async function row(eps: number): Promise<{ eps: number; measured: number; errorPct: number }> {
  const rx = await counter();
  const sender = new SyslogSender({ protocol: "tcp", endpoints: [{ host: "127.0.0.1", port: rx.port }], maxQueueMessages: 100_000 });
  const limit = new RateLimit({ eps });
  const body = "user=alice action=select db=orders rows=42 latency_ms=3 client=10.0.0.7 sql=SELECT * FROM orders WHERE id = ? ".repeat(2);
  let seq = 0;
  let stop = false;
  const start = performance.now();
  const one = (): void => {
    if (stop) return;
    const msg = `<14>1 2026-12-04T00:00:00.000Z host app - AUDIT [sls@32473 seq="${seq++}"] ${body}`;
    const wait = limit.take(1);
    const sent = wait ? wait.then(() => sender.send(msg)) : sender.send(msg);
    void sent.then(one, () => {});
  };
  for (let i = 0; i < IN_FLIGHT; i++) one();
  await new Promise((r) => setTimeout(r, SETTLE_MS + seconds * 1000 + 200));
  stop = true;
  const from = start + SETTLE_MS;
  const to = from + seconds * 1000;
  const n = rx.arrivals.filter((t) => t >= from && t < to).length;
  limit.releaseAll();
  await sender.close(1000);
  await rx.close();
  const measured = n / seconds;
  return { eps, measured: Math.round(measured * 10) / 10, errorPct: Math.round(((measured - eps) / eps) * 10_000) / 100 };
}

async function main(): Promise<void> {
  const log = (s: string): void => void (json ? process.stderr : process.stdout).write(s + "\n");
  log(`EPS cap: unlimited demand, burst = eps, ${seconds} s measured after ${SETTLE_MS} ms`);
  log("target EPS   measured EPS   error");
  const rows = [];
  for (const eps of rates) {
    const r = await row(eps);
    rows.push(r);
    log(`${String(eps).padStart(10)}   ${r.measured.toFixed(1).padStart(12)}   ${(r.errorPct >= 0 ? "+" : "") + r.errorPct.toFixed(2)} %`);
  }
  if (json) process.stdout.write(JSON.stringify({ rows }) + "\n");
}

void main();

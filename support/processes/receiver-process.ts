// A counting syslog receiver (TCP, octet-counted frames) in its own process, driven over IPC.
// Counts frames and bytes; optionally per HOSTNAME (which Node-RED process sent it), the `seq=`
// of each body (lost / duplicated), and put→receive latency from the RFC 5424 TIMESTAMP.
// It can stop listening (a SIEM outage) and listen again on the same port.
import net from "node:net";
import { once } from "node:events";
import { FrameSplitter } from "../syslog-frames";
import { RpcChild, serveRpc } from "./rpc";

export interface ReceiverOptions {
  /** Count frames per HOSTNAME header field. */
  hosts?: boolean;
  /** Track the `seq=<n>` of every frame. */
  seqs?: boolean;
  /** Record now − TIMESTAMP of every frame. */
  latency?: boolean;
}

export interface ReceiverStats {
  frames: number;
  bytes: number;
  firstAt: number;
  lastAt: number;
  connections: number;
  hosts: Record<string, number>;
  duplicates: number;
  unique: number;
}

const SEQ = Buffer.from("seq=");

/** `seq=<digits>` not preceded by a name character; -1 if absent. */
export function seqOf(f: Buffer): number {
  let at = f.indexOf(SEQ);
  while (at >= 0) {
    const b = at > 0 ? f[at - 1] : 0x20;
    const nameChar = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x2e;
    if (!nameChar) {
      let v = 0;
      let j = at + 4;
      for (; j < f.length && f[j] >= 0x30 && f[j] <= 0x39; j++) v = v * 10 + f[j] - 0x30;
      if (j > at + 4) return v;
    }
    at = f.indexOf(SEQ, at + 4);
  }
  return -1;
}

/** HOSTNAME and TIMESTAMP (ms) of an RFC 5424 frame `<PRI>1 TIMESTAMP HOSTNAME ...`. */
export function headerOf(f: Buffer): { time: number; host: string } {
  const s1 = f.indexOf(0x20);
  const s2 = f.indexOf(0x20, s1 + 1);
  const s3 = f.indexOf(0x20, s2 + 1);
  return { time: Date.parse(f.toString("latin1", s1 + 1, s2)), host: f.toString("latin1", s2 + 1, s3) };
}

function main(): void {
  const o = JSON.parse(process.argv[2] ?? "{}") as ReceiverOptions;
  let frames = 0;
  let bytes = 0;
  let firstAt = 0;
  let lastAt = 0;
  let connections = 0;
  let duplicates = 0;
  let unique = 0;
  const hosts: Record<string, number> = {};
  let counts = new Uint8Array(1 << 16);
  let latencies: number[] = [];
  let waiters: Array<{ n: number; resolve: () => void }> = [];
  const sockets = new Set<net.Socket>();
  const wantBody = o.hosts || o.seqs || o.latency;

  const onFrame = (f: Buffer): void => {
    if (o.hosts || o.latency) {
      const h = headerOf(f);
      if (o.hosts) hosts[h.host] = (hosts[h.host] ?? 0) + 1;
      if (o.latency) latencies.push(Date.now() - h.time);
    }
    if (o.seqs) {
      const s = seqOf(f);
      if (s < 0) throw new Error(`frame without seq=: ${f.toString("utf8", 0, 200)}`);
      if (s >= counts.length) {
        const bigger = new Uint8Array(Math.max(counts.length * 2, s + 1));
        bigger.set(counts);
        counts = bigger;
      }
      if (counts[s] === 0) unique++;
      else duplicates++;
      if (counts[s] < 255) counts[s]++;
    }
  };
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    const counter = new FrameSplitter({ framing: "octet", onFrame: wantBody ? onFrame : undefined });
    s.on("data", (d: Buffer) => {
      const before = counter.frames;
      const beforeBytes = counter.bytes;
      counter.push(d);
      const now = Date.now();
      if (counter.frames > before) {
        if (frames === 0) firstAt = now;
        lastAt = now;
      }
      frames += counter.frames - before;
      bytes += counter.bytes - beforeBytes;
      if (waiters.length) waiters = waiters.filter((w) => (frames >= w.n ? (w.resolve(), false) : true));
    });
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  });
  let port = 0;
  const listen = async (): Promise<number> => {
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as net.AddressInfo).port;
    return port;
  };
  serveRpc({
    listen,
    async close(): Promise<void> {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    stats: (): ReceiverStats => ({ frames, bytes, firstAt, lastAt, connections, hosts: { ...hosts }, duplicates, unique }),
    reset(): void {
      frames = bytes = firstAt = lastAt = duplicates = unique = 0;
      for (const k of Object.keys(hosts)) delete hosts[k];
      counts = new Uint8Array(1 << 16);
      latencies = [];
    },
    waitFrames: (a: { n: number }) => (frames >= a.n ? undefined : new Promise<void>((resolve) => waiters.push({ n: a.n, resolve }))),
    /** Percentiles of the recorded latencies (ms), then forgets them. */
    latency(a: { percentiles: number[] }): { count: number; values: number[] } {
      const l = latencies.sort((x, y) => x - y);
      latencies = [];
      return { count: l.length, values: a.percentiles.map((p) => (l.length ? l[Math.min(l.length - 1, Math.floor((p / 100) * l.length))] : NaN)) };
    },
    /** Seqs in [from, to) never received (first `limit` of them) and how many. */
    missing(a: { from: number; to: number; limit?: number }): { count: number; first: number[] } {
      const first: number[] = [];
      let count = 0;
      for (let s = a.from; s < a.to; s++)
        if (s >= counts.length || counts[s] === 0) {
          count++;
          if (first.length < (a.limit ?? 20)) first.push(s);
        }
      return { count, first };
    },
  });
}

/** Forks a receiver process listening on a free loopback port. */
export async function startReceiverProcess(o: ReceiverOptions = {}): Promise<{ proc: RpcChild; port: number }> {
  const proc = new RpcChild(__filename, o);
  const port = await proc.call<number>("listen");
  return { proc, port };
}

if (require.main === module) main();

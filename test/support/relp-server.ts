// An in-process RELP collector for unit tests, written from librelp's specification (not from our
// client): it records the exact bytes it receives, checks that txnrs follow each other within a
// session as librelp's server does, and lets a test decide how each syslog frame is answered.

import net from "node:net";
import tls from "node:tls";
import { once } from "node:events";

export interface ClientFrame {
  txnr: number;
  command: string;
  data: string;
  /** Index of the connection it came on (0 = first). */
  conn: number;
}

/** How to answer a syslog frame: "ok" (200), "error" (500), "hold" (keep for later), "silent" (never). */
export type Answer = "ok" | "error" | "hold" | "silent";

export interface RelpServer {
  port: number;
  /** Every frame received, in order, from all connections. */
  frames: ClientFrame[];
  /** The syslog messages received (all connections, duplicates included). */
  messages(): string[];
  /** Raw bytes per connection. */
  raw: Buffer[][];
  sockets: Set<net.Socket>;
  /** Decides the answer to each syslog frame (default: "ok"). */
  answer: (f: ClientFrame) => Answer;
  /** Answers every held frame with 200, in order. */
  release(n?: number): void;
  /** Sends `0 serverclose 0` on every connection, then closes them. */
  serverClose(): void;
  waitFor(pred: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function relpServer(opts: { tls?: tls.TlsOptions; offers?: string; openAnswer?: string } = {}): Promise<RelpServer> {
  const frames: ClientFrame[] = [];
  const raw: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const held: Array<{ s: net.Socket; txnr: number }> = [];
  const offers = opts.offers ?? "relp_version=0\nrelp_software=test-collector\ncommands=syslog";
  const rsp = (s: net.Socket, txnr: number, data: string): void => {
    if (!s.destroyed) s.write(`${txnr} rsp ${Buffer.byteLength(data)}${data ? " " + data : ""}\n`);
  };
  const srv: RelpServer = {
    port: 0,
    frames,
    raw,
    sockets,
    messages: () => frames.filter((f) => f.command === "syslog").map((f) => f.data),
    answer: () => "ok",
    release(n = Infinity) {
      while (held.length > 0 && n-- > 0) {
        const h = held.shift()!;
        rsp(h.s, h.txnr, "200 OK");
      }
    },
    serverClose() {
      for (const s of sockets) {
        s.write("0 serverclose 0\n");
        s.end();
      }
    },
    async waitFor(pred, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`relp test server: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  const onConn = (s: net.Socket): void => {
    const conn = raw.length;
    const bytes: Buffer[] = [];
    raw.push(bytes);
    sockets.add(s);
    let buf = Buffer.alloc(0);
    let expect = 1;
    s.on("data", (d: Buffer) => {
      bytes.push(d);
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const m = /^(\d{1,9}) ([a-zA-Z]{1,32}) (\d{1,9})(?=[ \n])/.exec(buf.toString("latin1", 0, Math.min(buf.length, 64)));
        if (!m) return;
        const len = Number(m[3]);
        const start = m[0].length + (len > 0 ? 1 : 0);
        if (buf.length < start + len + 1) return;
        if (buf[start + len] !== 0x0a) throw new Error(`relp test server: no trailer after ${m[0]}`);
        const f: ClientFrame = { txnr: Number(m[1]), command: m[2], data: buf.toString("utf8", start, start + len), conn };
        buf = buf.subarray(start + len + 1);
        frames.push(f);
        if (f.txnr !== expect) {
          s.destroy(); // librelp: a txnr out of sequence breaks the session
          return;
        }
        expect = expect === 999_999_999 ? 1 : expect + 1;
        if (f.command === "open") rsp(s, f.txnr, opts.openAnswer ?? "200 OK\n" + offers);
        else if (f.command === "close") {
          rsp(s, f.txnr, "");
          s.end();
        } else if (f.command === "syslog") {
          const a = srv.answer(f);
          if (a === "ok") rsp(s, f.txnr, "200 OK");
          else if (a === "error") rsp(s, f.txnr, "500 not accepted");
          else if (a === "hold") held.push({ s, txnr: f.txnr });
        } else rsp(s, f.txnr, "500 command not supported");
      }
    });
    s.on("error", () => {});
    s.on("close", () => {
      sockets.delete(s);
      for (let i = held.length - 1; i >= 0; i--) if (held[i].s === s) held.splice(i, 1);
    });
  };
  const server = opts.tls ? tls.createServer(opts.tls, onConn) : net.createServer(onConn);
  server.on("tlsClientError", () => {});
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  srv.port = (server.address() as net.AddressInfo).port;
  return srv;
}

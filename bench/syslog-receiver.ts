// Counting syslog receiver for bench/syslog.ts, run as a separate process (fork) so its CPU is not
// charged to the sender. Counts frames on every TCP connection (support/syslog-frames.ts, auto
// framing: octet-counted when a frame starts with a digit, else LF-terminated).
// IPC: {expect: n} → {count, bytes} once the running total reaches n.

import net from "node:net";
import { FrameSplitter } from "../support/syslog-frames";

let count = 0;
let bytes = 0;
let target = Infinity;

function check(): void {
  if (count >= target) {
    process.send?.({ count, bytes });
    target = Infinity;
  }
}

const server = net.createServer((sock) => {
  const splitter = new FrameSplitter({ framing: "auto" });
  sock.on("data", (chunk: Buffer) => {
    const before = splitter.frames;
    try {
      splitter.push(chunk);
    } catch (err) {
      console.error(`syslog-receiver: ${(err as Error).message}; connection closed`);
      sock.destroy();
    }
    bytes += chunk.length;
    count += splitter.frames - before;
    check();
  });
  sock.on("error", () => {});
});

server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as net.AddressInfo).port });
});

process.on("message", (m: { expect?: number; reset?: boolean; exit?: boolean }) => {
  if (m.exit) {
    server.close();
    process.exit(0);
  }
  if (m.reset) {
    count = 0;
    bytes = 0;
  }
  if (typeof m.expect === "number") {
    target = m.expect;
    check();
  }
});

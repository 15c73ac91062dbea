// Counting syslog receiver for bench/syslog.ts, run as a separate process (fork) so its CPU is not
// charged to the sender. Counts frames on every TCP connection: octet-counted when a frame starts
// with a digit, LF-terminated when it starts with `<`. IPC: {expect: n} → {count, bytes} once the
// running total reaches n.

import net from "node:net";

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
  let buf: Buffer = Buffer.alloc(0);
  sock.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let off = 0;
    for (;;) {
      if (off >= buf.length) break;
      const c = buf[off];
      if (c >= 0x30 && c <= 0x39) {
        const sp = buf.indexOf(0x20, off);
        if (sp < 0) break;
        const len = Number(buf.toString("latin1", off, sp));
        if (buf.length < sp + 1 + len) break;
        off = sp + 1 + len;
      } else {
        const nl = buf.indexOf(0x0a, off);
        if (nl < 0) break;
        off = nl + 1;
      }
      count++;
    }
    buf = buf.subarray(off);
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

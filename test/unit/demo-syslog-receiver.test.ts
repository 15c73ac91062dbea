import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startSyslogReceiver } from "../../demo/syslog-receiver";

const frame = (s: string): Buffer => {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from(`${b.length} `), b]);
};

test("receiver: prints and appends every message of two concurrent TCP senders (CRLF tolerated, empty lines skipped)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recv-"));
  const file = path.join(dir, "received.log");
  const seen: string[] = [];
  const errors: string[] = [];
  let gotAll!: () => void;
  const allSeen = new Promise<void>((r) => (gotAll = r));
  const rx = await startSyslogReceiver({
    file,
    onMessage: (m) => seen.push(m) === 3 && gotAll(),
    onError: (e) => errors.push(e.message),
  });
  try {
    const send = (parts: Buffer[]): Promise<void> =>
      new Promise((resolve, reject) => {
        const s = net.connect(rx.port, "127.0.0.1", async () => {
          for (const p of parts) {
            s.write(p);
            await new Promise((r) => setImmediate(r));
          }
          s.end();
        });
        s.on("error", reject);
        s.on("close", () => resolve());
      });
    const a = frame("<134>1 - a - - - - one\nembedded");
    await Promise.all([send([a.subarray(0, 5), a.subarray(5)]), send([frame("<134>1 - b - - - - two"), Buffer.from("<13>plain\r\n\n")])]);
    await allSeen;
    assert.equal(rx.count, 3);
    assert.deepEqual([...seen].sort(), ["<134>1 - a - - - - one\nembedded", "<134>1 - b - - - - two", "<13>plain"].sort());
    assert.deepEqual(errors, []);
  } finally {
    await rx.close();
  }
  const lines = fs.readFileSync(file, "utf8").split("\n");
  assert.equal(lines.pop(), "");
  assert.deepEqual(lines.sort(), ["<134>1 - a - - - - one\\nembedded", "<134>1 - b - - - - two", "<13>plain"].sort());
  fs.rmSync(dir, { recursive: true });
});

test("receiver: bad framing closes only that connection and is reported", async () => {
  const errors: string[] = [];
  const rx = await startSyslogReceiver({ onError: (e) => errors.push(e.message) });
  try {
    await new Promise<void>((resolve) => {
      const s = net.connect(rx.port, "127.0.0.1", () => s.write("12x oops"));
      s.on("close", () => resolve());
      s.on("error", () => {});
    });
    assert.equal(errors.length, 1);
    assert.match(errors[0], /length field "12x"/);
    assert.equal(rx.count, 0);
  } finally {
    await rx.close();
  }
});

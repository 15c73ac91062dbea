import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { SyslogFrameDecoder, startSyslogReceiver } from "../../demo/syslog-receiver";

const frame = (s: string): Buffer => {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from(`${b.length} `), b]);
};

test("decoder: octet-counted frames split at any byte boundary, counted in bytes not chars", () => {
  const msgs = ["<134>1 2026-01-01T00:00:00Z h app - - - héllo wörld", "<13>1 - - - - - - x", "<14>1 - - - - - - multi\nline"];
  const stream = Buffer.concat(msgs.map(frame));
  for (let cut = 1; cut < stream.length; cut++) {
    const d = new SyslogFrameDecoder();
    const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))].map((b) => b.toString("utf8"));
    assert.deepEqual(got, msgs, `cut at ${cut}`);
    assert.equal(d.pending, 0);
  }
});

test("decoder: LF-terminated (non-transparent) frames, CRLF tolerated, empty lines skipped", () => {
  const d = new SyslogFrameDecoder();
  assert.deepEqual(d.push(Buffer.from("<13>hello\r\n\n<14>wor")).map(String), ["<13>hello"]);
  assert.equal(d.pending, 7);
  assert.deepEqual(d.push(Buffer.from("ld\n" + "5 <1>x")).map(String), ["<14>world"]);
  assert.deepEqual(d.push(Buffer.from("y")).map(String), ["<1>xy"]);
});

test("decoder: malformed length fields are rejected", () => {
  assert.throws(() => new SyslogFrameDecoder().push(Buffer.from("12x <13>abc")), /bad octet-counted frame/);
  assert.throws(() => new SyslogFrameDecoder().push(Buffer.from("0 ")), /length 0/);
  assert.throws(() => new SyslogFrameDecoder().push(Buffer.from("99999999 ")), /bad octet-counted frame/);
  assert.throws(() => new SyslogFrameDecoder().push(Buffer.from("2000000 ")), /length 2000000/);
});

test("receiver: prints and appends every message of two concurrent TCP senders", async () => {
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
    await Promise.all([send([a.subarray(0, 5), a.subarray(5)]), send([frame("<134>1 - b - - - - two"), Buffer.from("<13>plain\n")])]);
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

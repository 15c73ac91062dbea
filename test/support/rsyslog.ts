// A real rsyslogd for interop tests, reusable by any suite:
//
//   const rs = await startRsyslog({ protocol: "tcp" });
//   ... send to 127.0.0.1:rs.port ...
//   const recs = await rs.waitFor(100);   // parsed records, one per received message
//   await rs.stop();
//
// Each instance gets its own temp dir (config, work dir, pid file, output, rsyslogd's own log),
// a free loopback port, and writes every parsed field of every message as one JSON line through a
// jsonf list template. TLS uses the OpenSSL netstream driver (Debian's rsyslog-openssl) with
// certificates the caller supplies (see certs.ts); `mutual: true` requires a client certificate
// signed by the CA (StreamDriver.AuthMode x509/certvalid). RELP uses imrelp (Debian's
// rsyslog-relp), plain or with `tls` (librelp's OpenSSL driver, always checking the client certificate).

import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";

export interface RsyslogTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Require and verify a client certificate (mutual TLS). */
  mutual?: boolean;
}

export interface RsyslogOptions {
  protocol: "udp" | "tcp" | "tls" | "relp";
  /** tcp only: imtcp (default) or imptcp. Both accept octet-counted and LF frames. */
  input?: "imtcp" | "imptcp";
  tls?: RsyslogTls;
  /** Reuse a port (e.g. a second instance); default: a free one. */
  port?: number;
  /** rsyslog's maxMessageSize. Default 256k. */
  maxMessageSize?: string;
}

/** One message as rsyslog parsed it. */
export interface RsyslogRecord {
  pri: string;
  facility: string;
  severity: string;
  protocolVersion: string;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  msg: string;
  /** The whole message as received (header included). */
  raw: string;
}

export interface Rsyslog {
  port: number;
  dir: string;
  outFile: string;
  /** Everything written so far. */
  readRecords(): RsyslogRecord[];
  /** Waits until at least n records were written; rejects with rsyslogd's log after timeoutMs. */
  waitFor(n: number, timeoutMs?: number): Promise<RsyslogRecord[]>;
  /** Stops rsyslogd (SIGTERM: drains its queues; SIGKILL: dies at once). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal to the running rsyslogd (SIGSTOP: it stops answering; SIGCONT: it goes on). */
  signal(signal: NodeJS.Signals): void;
  /** Starts rsyslogd again on the same port, appending to the same output. */
  restart(): Promise<void>;
  /** rsyslogd's own stderr/stdout so far (for assertion messages). */
  log(): string;
}

async function freePort(protocol: "udp" | "tcp"): Promise<number> {
  if (protocol === "udp") {
    const s = dgram.createSocket("udp4");
    s.bind(0, "127.0.0.1");
    await once(s, "listening");
    const p = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return p;
  }
  const srv = net.createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const p = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

/** Is something bound to 127.0.0.1:port (udp) / listening on it (tcp)? Read from /proc, no probe traffic. */
function bound(protocol: "udp" | "tcp", port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const f of protocol === "udp" ? ["/proc/net/udp", "/proc/net/udp6"] : ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = fs.readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      if (cols[1].endsWith(":" + hexPort) && (protocol === "udp" || cols[3] === "0A")) return true;
    }
  }
  return false;
}

const q = (s: string): string => JSON.stringify(s);

/** Debian installs it in /usr/sbin, which a non-login PATH may lack. */
const RSYSLOGD = fs.existsSync("/usr/sbin/rsyslogd") ? "/usr/sbin/rsyslogd" : "rsyslogd";

function config(o: RsyslogOptions, port: number, dir: string, outFile: string): string {
  const lines: string[] = [];
  const g = [`workDirectory=${q(path.join(dir, "work"))}`, `maxMessageSize=${q(o.maxMessageSize ?? "256k")}`, `parser.escapeControlCharactersOnReceive="off"`];
  if (o.protocol === "tls") {
    const t = o.tls!;
    g.push(
      `defaultNetstreamDriver="ossl"`,
      `defaultNetstreamDriverCAFile=${q(t.caFile)}`,
      `defaultNetstreamDriverCertFile=${q(t.certFile)}`,
      `defaultNetstreamDriverKeyFile=${q(t.keyFile)}`,
    );
  }
  lines.push(`global(${g.join(" ")})`);
  // Direct main queue: a message is in the output file before rsyslogd reads the next one, so a
  // killed receiver loses only what sat in its socket buffers.
  lines.push(`main_queue(queue.type="Direct")`);
  lines.push(`template(name="jsonl" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="facility" name="syslogfacility" format="jsonf")
  property(outname="severity" name="syslogseverity" format="jsonf")
  property(outname="protocolVersion" name="protocol-version" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="appName" name="app-name" format="jsonf")
  property(outname="procId" name="procid" format="jsonf")
  property(outname="msgId" name="msgid" format="jsonf")
  property(outname="structuredData" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
  property(outname="raw" name="rawmsg" format="jsonf")
}`);
  lines.push(`ruleset(name="out" queue.type="Direct") { action(type="omfile" file=${q(outFile)} template="jsonl" flushOnTXEnd="on" asyncWriting="off") }`);
  if (o.protocol === "udp") {
    lines.push(`module(load="imudp")`, `input(type="imudp" address="127.0.0.1" port="${port}" ruleset="out")`);
  } else if (o.protocol === "tcp" && o.input === "imptcp") {
    lines.push(`module(load="imptcp")`, `input(type="imptcp" address="127.0.0.1" port="${port}" ruleset="out" supportOctetCountedFraming="on")`);
  } else if (o.protocol === "tcp") {
    lines.push(`module(load="imtcp")`, `input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="out" supportOctetCountedFraming="on")`);
  } else if (o.protocol === "relp") {
    // librelp always checks the client's certificate once it has one of its own (there is no
    // server-authenticated-only mode), so RELP over TLS is always mutual here.
    const t = o.tls;
    const tlsParams = t ? ` tls="on" tls.caCert=${q(t.caFile)} tls.myCert=${q(t.certFile)} tls.myPrivKey=${q(t.keyFile)} tls.authMode="certvalid"` : "";
    lines.push(`module(load="imrelp"${t ? ` tls.tlslib="openssl"` : ""})`, `input(type="imrelp" address="127.0.0.1" port="${port}" ruleset="out"${tlsParams})`);
  } else {
    const auth = o.tls!.mutual ? "x509/certvalid" : "anon";
    lines.push(
      `module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="${auth}")`,
      `input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="out")`,
    );
  }
  return lines.join("\n") + "\n";
}

export async function startRsyslog(opts: RsyslogOptions): Promise<Rsyslog> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-rsyslog-"));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, "work"));
  const l4 = opts.protocol === "udp" ? "udp" : "tcp";
  const port = opts.port ?? (await freePort(l4));
  const outFile = path.join(dir, "out.jsonl");
  const confFile = path.join(dir, "rsyslog.conf");
  const pidFile = path.join(dir, "rsyslogd.pid");
  const logFile = path.join(dir, "rsyslogd.log");
  fs.writeFileSync(confFile, config(opts, port, dir, outFile));
  fs.writeFileSync(outFile, "");
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const log = (): string => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");

  async function start(): Promise<void> {
    fs.rmSync(pidFile, { force: true });
    const out = fs.openSync(logFile, "a");
    const c = spawn(RSYSLOGD, ["-n", "-f", confFile, "-i", pidFile], { stdio: ["ignore", out, out] });
    fs.closeSync(out);
    child = c;
    children.add(c);
    c.once("exit", () => children.delete(c));
    let dead = false;
    exited = new Promise<void>((r) => c.once("exit", () => ((dead = true), r())));
    const deadline = Date.now() + 10_000;
    while (!bound(l4, port)) {
      if (dead) throw new Error(`rsyslogd exited at start:\n${log()}\nconfig:\n${fs.readFileSync(confFile, "utf8")}`);
      if (Date.now() > deadline) throw new Error(`rsyslogd did not bind ${l4}/${port} within 10 s:\n${log()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  function readRecords(): RsyslogRecord[] {
    const text = fs.readFileSync(outFile, "utf8");
    const end = text.lastIndexOf("\n");
    if (end < 0) return [];
    return text
      .slice(0, end)
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as RsyslogRecord);
  }

  async function stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    child = null;
    c.kill(signal);
    await exited;
  }

  await start();
  return {
    port,
    dir,
    outFile,
    readRecords,
    log,
    async waitFor(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const recs = readRecords();
        if (recs.length >= n) return recs;
        if (Date.now() > deadline) throw new Error(`rsyslog got ${recs.length} of ${n} records within ${timeoutMs} ms; its log:\n${log()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop,
    signal(sig) {
      child?.kill(sig);
    },
    async restart() {
      await stop();
      await start();
    },
  };
}

// Temp dirs are removed and any rsyslogd still running is killed when the test process ends, so
// a failing test leaves nothing behind, and restart() can reuse a stopped instance's files until then.
const dirs: string[] = [];
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

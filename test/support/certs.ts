// Test PKI made with the openssl CLI: a CA, a server certificate for localhost/127.0.0.1/::1, a
// client certificate (mutual TLS), and an unrelated self-signed "rogue" certificate. Written to a
// temp dir; remove it with cleanup().

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface TestPki {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  rogueCertFile: string;
  rogueKeyFile: string;
  ca: string;
  clientCert: string;
  clientKey: string;
  cleanup(): void;
}

function ssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

export function makePki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-pki-"));
  const days = ["-days", "2"];
  ssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    ...days,
    "-subj",
    "/CN=sls test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const leaf = (name: string, cn: string, ext: string): void => {
    ssl(dir, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    ssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      ...days,
      "-extfile",
      `${name}.ext`,
    ]);
  };
  leaf("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n");
  leaf("client", "sls-forwarder", "subjectAltName=DNS:sls-forwarder\nextendedKeyUsage=clientAuth\n");
  ssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "rogue.key",
    "-out",
    "rogue.pem",
    ...days,
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ]);
  const f = (n: string): string => path.join(dir, n);
  return {
    dir,
    caFile: f("ca.pem"),
    serverCertFile: f("server.pem"),
    serverKeyFile: f("server.key"),
    clientCertFile: f("client.pem"),
    clientKeyFile: f("client.key"),
    rogueCertFile: f("rogue.pem"),
    rogueKeyFile: f("rogue.key"),
    ca: fs.readFileSync(f("ca.pem"), "utf8"),
    clientCert: fs.readFileSync(f("client.pem"), "utf8"),
    clientKey: fs.readFileSync(f("client.key"), "utf8"),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

let shared: TestPki | undefined;
/** One PKI for the whole test process, made on first use and removed at exit. */
export function sharedPki(): TestPki {
  if (!shared) {
    shared = makePki();
    const pki = shared;
    process.once("exit", () => pki.cleanup());
  }
  return shared;
}

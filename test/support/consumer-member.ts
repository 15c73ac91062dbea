// The parent's side of consumer-process.ts: a Node-RED process running one sls-consumer of a group,
// whose received seqs arrive here over IPC.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Emulator } from "../../emulator/index";
import type { ConsumerFlowOptions } from "./sls-fixtures";

export interface Member {
  name: string;
  child: ChildProcess;
  seqs: number[];
  ready: Promise<void>;
}

/** Starts a member (consumer name `name`) with the given consumer-flow options against the emulator. */
export function spawnMember(emu: Emulator, name: string, o: ConsumerFlowOptions): Member {
  const args = { url: emu.url, project: emu.project, accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, consumerName: name, ...o };
  const child = fork(path.join(__dirname, "consumer-process.js"), [JSON.stringify(args)], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const m: Member = { name, child, seqs: [], ready: Promise.resolve() };
  m.ready = new Promise((resolve, reject) => {
    child.on("message", (msg: { seqs?: number[]; ready?: boolean }) => {
      if (msg.seqs) m.seqs.push(...msg.seqs);
      if (msg.ready) resolve();
    });
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
  return m;
}

/** Closes the member's flows (committing what settled) and waits for its process to exit. */
export function stopMember(m: Member): Promise<void> {
  if (m.child.exitCode !== null || m.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    m.child.once("exit", () => resolve());
    m.child.send("stop");
  });
}

// The local stand-in for Alibaba Cloud: the SLS emulator with durable data and a generator writing
// simulated RDS audit logs into a 2-shard logstore.

import fs from "node:fs";
import path from "node:path";
import { start } from "../emulator";
import { LogGenerator, runGenerator } from "../emulator/generator";

export interface LocalSls {
  /** http://127.0.0.1:<port>: the scheme matters, SLS endpoints default to https. */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  project: string;
  logstore: string;
  /** Logs the generator has written in this run. */
  readonly written: number;
  /** Stops the generator, then the emulator (its data stays in dataDir). */
  stop(): Promise<void>;
}

export interface LocalSlsOptions {
  /** Folder for the emulator's durable data. */
  dataDir: string;
  project: string;
  logstore: string;
  shards: number;
  /** Simulated audit log records per second. */
  rate: number;
}

/** Kept beside the emulator data so that `seq` keeps counting up across restarts. */
interface GeneratorState {
  nextSeq: number;
}

export async function startLocalSls(opts: LocalSlsOptions): Promise<LocalSls> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const emu = await start({ port: 0, project: opts.project, logstore: opts.logstore, shards: opts.shards, data: opts.dataDir });
  const stateFile = path.join(opts.dataDir, "generator.json");
  const state: GeneratorState = fs.existsSync(stateFile) ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as GeneratorState) : { nextSeq: 0 };
  // A new seed per run: a resumed demo writes new-looking logs, not a replay of the first run's.
  const gen = new LogGenerator("rds-audit", { startSeq: state.nextSeq, seed: (Date.now() % 2 ** 31) + 1 });
  const saveState = (): void => fs.writeFileSync(stateFile, JSON.stringify({ nextSeq: gen.nextSeq } satisfies GeneratorState));
  const run = runGenerator(gen, (group) => emu.putLogs(opts.logstore, group), { rate: opts.rate });
  // Written now and then too, so that a killed demo does not reuse many sequence numbers.
  const saver = setInterval(saveState, 2000);

  let stopped: Promise<void> | undefined;
  return {
    endpoint: emu.url,
    accessKeyId: emu.accessKeyId,
    accessKeySecret: emu.accessKeySecret,
    project: emu.project,
    logstore: opts.logstore,
    get written() {
      return run.written;
    },
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(saver);
        run.stop();
        saveState();
        await emu.close();
      })()),
  };
}

// The local stand-in for Alibaba Cloud: the SLS emulator with durable data and a generator writing
// simulated RDS audit logs into a 2-shard logstore.

export interface LocalSls {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  project: string;
  logstore: string;
  /** Stops the generator, then the emulator (which flushes its data). */
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

export async function startLocalSls(_opts: LocalSlsOptions): Promise<LocalSls> {
  throw new Error("the SLS emulator is not part of this build yet: set SLS_ENDPOINT and the other SLS_* variables");
}

// What the sls-consumer dialog's "reset checkpoints" may do with a request, decided without
// Node-RED. It is an admin API that writes into SLS with stored credentials, so:
// - it acts only on a deployed sls-consumer node (named by id) and on that node's group: the
//   request repeats the connection, project, logstore and group the dialog shows, and they must be
//   the deployed node's saved values (otherwise the dialog shows settings nobody deployed, and the
//   confirmation would name another group than the one reset);
// - it signs with the credentials of that node's saved sls-connection only, towards that
//   connection's saved endpoint (the runtime uses the connection node's own client: the request
//   cannot name an endpoint, a key or an environment variable);
// - the position is begin, end or a time (ISO 8601 or unix seconds, as the node's start time).

import { parseStartTime } from "../config/start-time";
import type { ResetPosition } from "./checkpoint-reset";
import { SlsError } from "./errors";

/** The body the dialog posts (all optional: the caller is untrusted). */
export interface ResetRequest {
  id?: unknown;
  connection?: unknown;
  project?: unknown;
  logstore?: unknown;
  consumerGroup?: unknown;
  position?: unknown;
  time?: unknown;
}

/** The deployed sls-consumer the request names: its settings as saved, and as the node uses them. */
export interface DeployedConsumer {
  saved: { connection: string; project: string; logstore: string; consumerGroup: string };
  /** After Node-RED's `${VAR}` substitution. */
  resolved: { project: string; logstore: string; consumerGroup: string };
}

const KEYS = ["connection", "project", "logstore", "consumerGroup"] as const;

function refuse(code: string, message: string): SlsError {
  return new SlsError(code, message, { retryable: false });
}

/** The group the request may act on (the deployed node's), or throws DeployFirst / ParameterInvalid. */
export function resetGroupOf(body: ResetRequest, deployed: DeployedConsumer | undefined): DeployedConsumer["resolved"] {
  if (!deployed) throw refuse("DeployFirst", "checkpoints are reset for a deployed sls-consumer that started: deploy this node first");
  for (const k of KEYS) {
    const v = body[k];
    if (typeof v !== "string" || v.trim() !== deployed.saved[k].trim()) {
      throw refuse(
        "DeployFirst",
        `the dialog's ${k} is not the deployed node's: deploy these settings first, then reset (the reset acts on the deployed group)`,
      );
    }
  }
  return deployed.resolved;
}

/** The position a reset moves to: begin, end, or a time. */
export function resetPositionOf(body: ResetRequest): ResetPosition {
  const p = body.position;
  if (p === "begin" || p === "end") return { to: p };
  if (p === "time") {
    const t = parseStartTime(body.time);
    if (t === undefined) throw refuse("ParameterInvalid", "time must be an ISO 8601 time such as 2026-11-28T00:00:00Z (no zone = UTC) or unix seconds");
    return { to: "time", time: t };
  }
  throw refuse("ParameterInvalid", "position must be begin, end or time");
}

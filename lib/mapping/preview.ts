// The editor's live preview: the same compiled mapper the node runs, applied to a pasted sample,
// and the exact syslog line lib/syslog makes of each result: msg.syslog merged over the settings
// of the sls-syslog-out node the map node is wired to (as that node merges them), or over
// sls-syslog-out's defaults (RFC 5424 or 3164, BOM "auto", no size limit). Framing is not shown.
// The sample may be one record (a JSON object of fields), an array of records (batch), or a whole
// message `{payload, sls}` copied from the debug sidebar. Without msg.sls, example metadata is
// used so that logstore/project references show something. Warnings are returned, not logged.

import { recordsFromMessage } from "../syslog/from-node-message";
import { outFormatter, type OutSettings } from "../syslog/out-format";
import { compileMapper } from "./mapper";
import type { MappingConfig, SyslogFields } from "./types";

export type { OutSettings };

export const MAX_PREVIEW_CHARS = 1 << 20;
export const MAX_PREVIEW_RECORDS = 20;

export const EXAMPLE_META = {
  project: "my-project",
  logstore: "my-logstore",
  consumerGroup: "my-group",
  shard: 0,
  cursor: "MTcxNDk3OTI4OTEyMzQ1Njc4OQ==",
  index: 0,
};

export interface PreviewResult {
  syslog: SyslogFields[];
  /** The syslog line of each record (UTF-8 text, without transport framing). */
  lines: string[];
  warnings: string[];
  error?: string;
}

export function previewMapping(config: MappingConfig, sample: unknown, out: OutSettings = {}): PreviewResult {
  const warnings: string[] = [];
  let parsed: unknown = sample;
  if (typeof sample === "string") {
    if (sample.length > MAX_PREVIEW_CHARS) return { syslog: [], lines: [], warnings, error: `the sample is longer than ${MAX_PREVIEW_CHARS} characters` };
    try {
      parsed = JSON.parse(sample);
    } catch (err) {
      return { syslog: [], lines: [], warnings, error: `the sample is not valid JSON: ${(err as Error).message}` };
    }
  }
  let payload: unknown = parsed;
  let sls: unknown = EXAMPLE_META;
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) && "payload" in parsed) {
    payload = (parsed as { payload: unknown }).payload;
    const s = (parsed as { sls?: unknown }).sls;
    if (s !== undefined) sls = s;
  }
  if (Array.isArray(payload) && payload.length > MAX_PREVIEW_RECORDS) payload = payload.slice(0, MAX_PREVIEW_RECORDS);
  const mapper = compileMapper(config, (t) => warnings.push(t));
  const mapped = mapper.mapMessage(payload, sls);
  const syslog = Array.isArray(mapped) ? mapped : [mapped];
  const result: PreviewResult = { syslog, lines: [], warnings };
  // What sls-syslog-out does with the message: its defaults under msg.syslog, then its formatter.
  const { defaults, format } = outFormatter(out, {
    onDroppedHostname: (h) =>
      warnings.push(
        `hostname "${h}" holds [ or a : outside an IPv6 address: syslog-ng drops such messages (sls-syslog-out's hostnameChars "replace" turns them into _)`,
      ),
  });
  const records = recordsFromMessage({ payload, sls: sls as { time?: unknown }, syslog: mapped }, defaults);
  for (const rec of records) {
    try {
      result.lines.push(format(rec).toString("utf8"));
    } catch (err) {
      // e.g. an SD-ID lib/syslog refuses: the flow would report the same error.
      result.lines.push("");
      result.error ??= `sls-syslog-out would refuse this record: ${(err as Error).message}`;
    }
  }
  return result;
}

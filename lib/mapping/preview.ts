// The editor's live preview: the same compiled mapper the node runs, applied to a pasted sample.
// The sample may be one record (a JSON object of fields), an array of records (batch), or a whole
// message `{payload, sls}` copied from the debug sidebar. Without msg.sls, example metadata is
// used so that logstore/project references show something. Warnings are returned, not logged.

import { compileMapper } from "./mapper";
import type { MappingConfig, SyslogFields } from "./types";

export const MAX_PREVIEW_CHARS = 1 << 20;
export const MAX_PREVIEW_RECORDS = 20;

export const EXAMPLE_META = { project: "my-project", logstore: "my-logstore", consumerGroup: "my-group", shard: 0, cursor: "MTcxNDk3OTI4OTEyMzQ1Njc4OQ==", index: 0 };

/** Formats one mapped record as the syslog line sls-syslog-out would send (lib/syslog). */
export type LineFormatter = (fields: SyslogFields) => string;

export interface PreviewResult {
  syslog: SyslogFields[];
  /** One line per record when a formatter is available. */
  lines?: string[];
  warnings: string[];
  error?: string;
}

export function previewMapping(config: MappingConfig, sample: unknown, format?: LineFormatter): PreviewResult {
  const warnings: string[] = [];
  let parsed: unknown = sample;
  if (typeof sample === "string") {
    if (sample.length > MAX_PREVIEW_CHARS) return { syslog: [], warnings, error: `the sample is longer than ${MAX_PREVIEW_CHARS} characters` };
    try {
      parsed = JSON.parse(sample);
    } catch (err) {
      return { syslog: [], warnings, error: `the sample is not valid JSON: ${(err as Error).message}` };
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
  const out = mapper.mapMessage(payload, sls);
  const syslog = Array.isArray(out) ? out : [out];
  const result: PreviewResult = { syslog, warnings };
  if (format) {
    try {
      result.lines = syslog.map(format);
    } catch (err) {
      result.error = `formatting failed: ${(err as Error).message}`;
    }
  }
  return result;
}

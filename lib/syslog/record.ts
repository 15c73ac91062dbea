// The shape of one syslog record as the flow hands it to the formatters (the shared `msg.syslog`
// contract): everything optional, merged over node defaults before formatting.

import type { TimestampInput } from "./timestamp";

export type SdValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;

/** `{ "<SD-ID>": { "<PARAM-NAME>": value } }`; an array value becomes a repeated parameter. */
export type StructuredData = Record<string, Record<string, SdValue> | null | undefined>;

export interface SyslogRecord {
  facility?: number | string;
  severity?: number | string;
  timestamp?: TimestampInput;
  hostname?: string;
  appName?: string;
  procId?: string | number;
  msgId?: string;
  structuredData?: StructuredData | null;
  message?: string | Buffer;
}

/** An input the formatter cannot turn into a valid message; retrying will not help. */
export class SyslogFormatError extends Error {
  override readonly name = "SyslogFormatError";
}

// What the formatters take: the shape of one syslog record as the flow hands it over (the shared
// `msg.syslog` contract: everything optional, merged over node defaults before formatting), the
// options both formats share, and the error for input no retry can fix.

import type { TimeZone } from "../time-zone";
import type { Instant, TimestampInput } from "./timestamp";

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

/** Options both formatters (RFC 5424 and RFC 3164) take. */
export interface FormatOptions {
  /** Used when the record has no (valid) facility. Default 1 (user). */
  defaultFacility?: number;
  /** Used when the record has no (valid) severity. Default 6 (informational). */
  defaultSeverity?: number;
  /** Most bytes of the whole SYSLOG-MSG; only MSG is cut to fit. 0/undefined = no limit. */
  maxBytes?: number;
  /** Appended to a truncated MSG. Default ` [truncated]`. */
  truncationMarker?: string;
  /** Clock for records without a timestamp (tests pin it). */
  now?: () => Instant;
  /**
   * Zone the timestamp is written in. RFC 3164 writes its wall time (default UTC: the BSD header
   * has no zone); RFC 5424 writes the same instant with its offset (default: as given, Z for UTC).
   */
  zone?: TimeZone;
}

/**
 * What made a record unformattable: an invalid SD-ID, structured data that is not an object of
 * parameters, or a header and structured data longer than the size limit (MSG alone is cut to fit).
 */
export type SyslogFormatProblem = "sd-id" | "sd-params" | "too-big";

/** An input the formatter cannot turn into a valid message; retrying will not help. */
export class SyslogFormatError extends Error {
  override readonly name = "SyslogFormatError";

  constructor(
    message: string,
    readonly problem?: SyslogFormatProblem,
  ) {
    super(message);
  }
}

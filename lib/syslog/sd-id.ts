// SD-IDs (RFC 5424 §6.3.2): which ones a sender may emit. Pure (no Node.js): the mapping node's
// settings are checked with it at deploy and in the editor, the formatter on every message.

import { SyslogFormatError } from "./formatter-input";

/** The SD-IDs RFC 5424 registers with IANA; every other ID must be `name@PEN`. */
const IANA_IDS = new Set(["timeQuality", "origin", "meta"]);
const SD_NAME = /^[\x21-\x7e]+$/;
const SD_NAME_FORBIDDEN = /[=\]" ]/;
const PEN = /^\d+(\.\d+)*$/;

export interface SdOptions {
  /** Allow SD-IDs longer than 32 characters (Sumo Logic style tokens). Off by default. */
  allowLongSdId?: boolean;
}

/** IDs already checked (the same few IDs recur on every record). */
const validIds = new Set<string>();

/** Throws SyslogFormatError unless `id` is a valid SD-ID for a sender to emit. */
export function checkSdId(id: string, opts: SdOptions = {}): void {
  if (validIds.has(id) && (id.length <= 32 || opts.allowLongSdId)) return;
  const bad = (why: string): never => {
    throw new SyslogFormatError(`invalid SD-ID "${id}": ${why}`, "sd-id");
  };
  if (!SD_NAME.test(id) || SD_NAME_FORBIDDEN.test(id)) bad('only printable US-ASCII without space, =, ] or "');
  if (id.length > 32 && !opts.allowLongSdId) bad("longer than 32 characters");
  const at = id.indexOf("@");
  if (at < 0) {
    if (!IANA_IDS.has(id)) bad("names without @ are reserved for IANA; use name@<enterprise number>");
  } else {
    if (at === 0) bad("empty name before @");
    if (!PEN.test(id.slice(at + 1))) bad("the part after @ must be an enterprise number (digits, dots)");
  }
  if (validIds.size > 1000) validIds.clear();
  validIds.add(id);
}

// The LEEF 2.0 delimiter setting: which ones the encoder (leef.ts) can use. Pure: the mapping
// settings (settings.ts) and the editor check it with the same code.

/**
 * Why a LEEF 2.0 delimiter spec cannot be used, or undefined when it can. LEEF has no escapes, so a
 * delimiter is only safe when the encoder can take it out of every key and value without writing
 * it back: values lose it to a space and keys to `_`, so neither may be the delimiter; whitespace
 * other than TAB is refused as well (a receiver or a relay may fold or trim it), and so are control
 * characters, `|` and `=` (LEEF syntax), letters and digits (they occur in every key), and lone
 * surrogates (no UTF-8 form). What is left: TAB and the ASCII punctuation except `|`, `=` and `_`.
 */
export function leefDelimiterProblem(spec: string): string | undefined {
  const m = /^(?:0x|x)([0-9a-fA-F]{1,4})$/.exec(spec);
  let char: string;
  if (m) char = String.fromCharCode(parseInt(m[1], 16));
  else if (spec.length === 1) char = spec;
  else return `"${spec}" is not one character or a hex code (x09, 0x5E)`;
  const code = char.charCodeAt(0);
  const shown = "U+" + code.toString(16).toUpperCase().padStart(4, "0");
  if (char === "\t") return undefined;
  if (char === " ") return "a space cannot be escaped in LEEF values (it is what the delimiter is replaced with): a value could forge attributes";
  if (char === "_") return "_ cannot be escaped in LEEF keys (it is what the delimiter is replaced with)";
  if (char === "|" || char === "=") return `${char} is LEEF syntax`;
  if (/[A-Za-z0-9]/.test(char)) return "letters and digits occur in keys and values";
  if (/\s/.test(char)) return `whitespace (${shown}) other than TAB may be folded or trimmed on the way and cannot be told from the text`;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `control character ${shown} is dropped or escaped by syslog receivers`;
  if (code >= 0xd800 && code <= 0xdfff) return `${shown} is half of a surrogate pair and has no UTF-8 form`;
  if (code > 0x7e) return `${shown} is not ASCII: use TAB (x09) or ASCII punctuation such as ^`;
  return undefined;
}

/** Parses a 2.0 delimiter spec (one character, or x/0x + 1–4 hex digits); undefined when leefDelimiterProblem refuses it. */
export function parseLeefDelimiter(spec: string): { char: string; header: string } | undefined {
  if (leefDelimiterProblem(spec) !== undefined) return undefined;
  const m = /^(?:0x|x)([0-9a-fA-F]{1,4})$/.exec(spec);
  const char = m ? String.fromCharCode(parseInt(m[1], 16)) : spec;
  const code = char.charCodeAt(0);
  // Printable characters are written as themselves, TAB as its hex code.
  const header = code > 32 && code < 127 ? char : "x" + code.toString(16).toUpperCase().padStart(2, "0");
  return { char, header };
}

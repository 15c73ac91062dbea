// Protobuf (proto2) wire reading shared by the SLS codecs: the reference codec of LogGroups
// (log-group-codec.ts) and the consumer's PullLogs decoder (pull-decoder.ts). The schema
// (docs/sls-protocol.md, "LogGroupList (protobuf)"):
//
//   Log          { 1 Time uint32; 2 Contents repeated {1 Key string; 2 Value string}; 4 Time_ns fixed32 }
//   LogGroup     { 1 Logs repeated Log; 2 Reserved; 3 Topic; 4 Source; 5 MachineUUID (strings);
//                  6 LogTags repeated {1 Key; 2 Value} }
//   LogGroupList { 1 LogGroups repeated LogGroup }
//
// Hand-written rather than a protobuf library: the schema is tiny and fixed, and PullLogs decoding
// is the consumer's hot path, so it reads straight into plain objects.

export class CodecError extends Error {
  override name = "CodecError";
}

// Buffer's internal slice decoders skip toString's argument checks: about twice as fast per string.
export type FastBuffer = Buffer & { utf8Slice(start: number, end: number): string };

// Field keys repeat in every log ("seq", "client_ip", ...): decode each distinct short key once.
const KEY_CACHE_MAX_LEN = 64;
const KEY_CACHE_SIZE = 1024; // entries, by hash slot; a collision just decodes again
const keyCacheBytes: Array<Uint8Array | undefined> = new Array(KEY_CACHE_SIZE);
const keyCacheStrings: string[] = new Array(KEY_CACHE_SIZE);

export function cachedKey(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len > KEY_CACHE_MAX_LEN) return (buf as FastBuffer).utf8Slice(start, end);
  let h = len;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + buf[i]) | 0;
  const slot = (h >>> 0) % KEY_CACHE_SIZE;
  const bytes = keyCacheBytes[slot];
  if (bytes !== undefined && bytes.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (bytes[i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return keyCacheStrings[slot];
  }
  const str = (buf as FastBuffer).utf8Slice(start, end);
  keyCacheBytes[slot] = Uint8Array.prototype.slice.call(buf, start, end);
  keyCacheStrings[slot] = str;
  return str;
}
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    /** Bound of the message being read; narrowed while a nested message is decoded. */
    public end: number,
    readonly what: string,
  ) {
    this.pos = start;
  }

  fail(msg: string): never {
    throw new CodecError(`${this.what}: ${msg} at byte ${this.pos}`);
  }

  varint(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) this.fail("truncated varint");
      const b = buf[pos++];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
    }
    // Beyond 28 bits: stay exact up to 2^53.
    for (let scale = 2 ** 28; ; scale *= 128) {
      if (pos >= end) this.fail("truncated varint");
      const b = buf[pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      if (scale >= 2 ** 63) this.fail("varint longer than 10 bytes");
    }
  }

  /** Returns the end offset of a length-delimited field whose payload starts at this.pos. */
  lenEnd(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.end) this.fail(`length ${len} runs past the end`);
    return end;
  }

  string(): string {
    const end = this.lenEnd();
    const s = (this.buf as FastBuffer).utf8Slice(this.pos, end);
    this.pos = end;
    return s;
  }

  key(): string {
    const end = this.lenEnd();
    const s = cachedKey(this.buf, this.pos, end);
    this.pos = end;
    return s;
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) this.fail("truncated fixed32");
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) this.fail("truncated fixed64");
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lenEnd();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) this.fail("truncated fixed32");
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }
}

/** Decodes one key/value pair (Log.Contents, LogGroup.LogTags) ending at `end`. */
export function decodePair(r: Reader, end: number): [string, string] {
  const outer = r.end;
  r.end = end;
  let key: string | undefined;
  let value = "";
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_LEN) key = r.key();
    else if (field === 2 && wire === WIRE_LEN) value = r.string();
    else r.skip(wire);
  }
  if (key === undefined) r.fail("key/value pair without a key");
  r.end = outer;
  return [key, value];
}

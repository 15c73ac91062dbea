// Raw LZ4 block codec (no frame, no size prefix), as SLS uses for PutLogs and PullLogs bodies; the
// uncompressed size travels separately in `x-log-bodyrawsize` (docs/sls-protocol.md, "Compression").
//
// Written here rather than taken from npm: the maintained bindings are native add-ons that
// download prebuilt binaries, and the block format is small (lz4 block format description,
// "LZ4 Block Format Description" in the lz4 repository).

const MIN_MATCH = 4;
const LAST_LITERALS = 5; // the last 5 bytes of a block are always literals
const MF_LIMIT = 12; // a match must start at least 12 bytes before the end of the block
const HASH_LOG = 16;
const MAX_OFFSET = 65535;

export class Lz4Error extends Error {
  override name = "Lz4Error";
}

/** Worst-case compressed size of n input bytes. */
export function lz4CompressBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

const hashTable = new Int32Array(1 << HASH_LOG);

function hash4(src: Buffer, i: number): number {
  const v = src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24);
  return Math.imul(v, 2654435761) >>> (32 - HASH_LOG);
}

// Buffer#copy costs a native call plus argument checks; most LZ4 copies are a few bytes long, for
// which a plain loop is several times faster.
const SHORT_COPY = 48;

function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, to: number, len: number): void {
  if (len < SHORT_COPY) {
    for (let i = 0; i < len; i++) dst[to + i] = src[from + i];
  } else {
    dst.set(src.subarray(from, from + len), to);
  }
}

function writeLength(dst: Buffer, pos: number, len: number): number {
  while (len >= 255) {
    dst[pos++] = 255;
    len -= 255;
  }
  dst[pos++] = len;
  return pos;
}

/** Greedy single-pass LZ4 compression of one block. */
export function lz4CompressBlock(src: Buffer): Buffer {
  const n = src.length;
  const dst = Buffer.allocUnsafe(lz4CompressBound(n));
  let op = 0;
  let anchor = 0;
  if (n >= MF_LIMIT + 1) {
    hashTable.fill(-1);
    const matchLimit = n - LAST_LITERALS;
    const searchLimit = n - MF_LIMIT;
    let ip = 0;
    while (ip < searchLimit) {
      const h = hash4(src, ip);
      const ref = hashTable[h];
      hashTable[h] = ip;
      if (
        ref < 0 ||
        ip - ref > MAX_OFFSET ||
        src[ref] !== src[ip] ||
        src[ref + 1] !== src[ip + 1] ||
        src[ref + 2] !== src[ip + 2] ||
        src[ref + 3] !== src[ip + 3]
      ) {
        ip++;
        continue;
      }
      let mEnd = ip + MIN_MATCH;
      let rEnd = ref + MIN_MATCH;
      while (mEnd < matchLimit && src[mEnd] === src[rEnd]) {
        mEnd++;
        rEnd++;
      }
      const litLen = ip - anchor;
      const matchLen = mEnd - ip - MIN_MATCH;
      const tokenPos = op++;
      dst[tokenPos] = ((litLen >= 15 ? 15 : litLen) << 4) | (matchLen >= 15 ? 15 : matchLen);
      if (litLen >= 15) op = writeLength(dst, op, litLen - 15);
      copyBytes(src, anchor, dst, op, litLen);
      op += litLen;
      const offset = ip - ref;
      dst[op++] = offset & 0xff;
      dst[op++] = offset >>> 8;
      if (matchLen >= 15) op = writeLength(dst, op, matchLen - 15);
      ip = mEnd;
      anchor = ip;
      if (ip < searchLimit) hashTable[hash4(src, ip - 2)] = ip - 2;
    }
  }
  const litLen = n - anchor;
  dst[op++] = (litLen >= 15 ? 15 : litLen) << 4;
  if (litLen >= 15) op = writeLength(dst, op, litLen - 15);
  copyBytes(src, anchor, dst, op, litLen);
  op += litLen;
  return dst.subarray(0, op);
}

/** Decompresses one block; the output must be exactly rawSize bytes. */
export function lz4DecompressBlock(src: Buffer, rawSize: number): Buffer {
  if (!Number.isSafeInteger(rawSize) || rawSize < 0) throw new Lz4Error(`invalid raw size ${rawSize}`);
  const dst = Buffer.allocUnsafe(rawSize);
  const n = src.length;
  let ip = 0;
  let op = 0;
  while (ip < n) {
    const token = src[ip++];
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (ip >= n) throw new Lz4Error("truncated literal length");
        b = src[ip++];
        litLen += b;
      } while (b === 255);
    }
    if (ip + litLen > n) throw new Lz4Error("literals run past the end of the input");
    if (op + litLen > rawSize) throw new Lz4Error(`output larger than x-log-bodyrawsize ${rawSize}`);
    copyBytes(src, ip, dst, op, litLen);
    ip += litLen;
    op += litLen;
    if (ip >= n) break; // the last sequence has literals only
    if (ip + 2 > n) throw new Lz4Error("truncated match offset");
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw new Lz4Error(`invalid match offset ${offset} at output ${op}`);
    let matchLen = (token & 15) + MIN_MATCH;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (ip >= n) throw new Lz4Error("truncated match length");
        b = src[ip++];
        matchLen += b;
      } while (b === 255);
    }
    if (op + matchLen > rawSize) throw new Lz4Error(`output larger than x-log-bodyrawsize ${rawSize}`);
    let from = op - offset;
    if (offset >= matchLen) {
      copyBytes(dst, from, dst, op, matchLen);
      op += matchLen;
    } else {
      // Overlapping match: copy byte by byte so the run repeats.
      const end = op + matchLen;
      while (op < end) dst[op++] = dst[from++];
    }
  }
  if (op !== rawSize) throw new Lz4Error(`decompressed ${op} bytes, x-log-bodyrawsize says ${rawSize}`);
  return dst;
}

/** Spare bytes lz4DecompressAfterScratch wants in front of the compressed block. */
export const LZ4_SCRATCH = 4;

type NativeUncompress = (sizePrefixed: Buffer) => Buffer;

/**
 * lz4-napi's block decoder, about 2.5 times faster than lz4DecompressBlock. The SLS SDK installs
 * it as an optional dependency; without it (no prebuilt binary for the platform) we decode in JS.
 */
const nativeUncompress: NativeUncompress | undefined = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("lz4-napi") as { uncompressSync: NativeUncompress }).uncompressSync;
  } catch {
    return undefined;
  }
})();

/**
 * Decompresses the block held in buf[LZ4_SCRATCH..] (the bytes before it are overwritten: the
 * native decoder reads the raw size from there); the output must be exactly rawSize bytes.
 */
export function lz4DecompressAfterScratch(buf: Buffer, rawSize: number, native = nativeUncompress): Buffer {
  // A block expands at most about 255-fold: refuse to allocate for a size no block could reach.
  if (rawSize > (buf.length - LZ4_SCRATCH) * 255 + 16)
    throw new Lz4Error(`x-log-bodyrawsize ${rawSize} is impossible for ${buf.length - LZ4_SCRATCH} compressed bytes`);
  if (native === undefined || !Number.isSafeInteger(rawSize) || rawSize < 0 || rawSize > 0xffffffff)
    return lz4DecompressBlock(buf.subarray(LZ4_SCRATCH), rawSize);
  buf.writeUInt32LE(rawSize, 0);
  let out: Buffer;
  try {
    out = native(buf);
  } catch (e) {
    throw new Lz4Error(`invalid LZ4 block: ${(e as Error).message}`);
  }
  if (out.length !== rawSize) throw new Lz4Error(`decompressed ${out.length} bytes, x-log-bodyrawsize says ${rawSize}`);
  return out;
}

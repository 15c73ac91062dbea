// Body compression as SLS uses it (docs/sls-protocol.md, "Compression"): raw LZ4 blocks, zlib
// "deflate", and zstd where the running Node has it (zlib.zstd* arrived in Node 22.15; Node 20 has
// none).

import * as zlib from "node:zlib";
import { lz4CompressBlock, lz4DecompressBlock } from "../lib/sls/lz4";
import { errors } from "./errors";

export type CompressType = "lz4" | "deflate" | "zstd" | "none";

type ZstdZlib = { zstdCompressSync(b: Buffer): Buffer; zstdDecompressSync(b: Buffer, o?: { maxOutputLength?: number }): Buffer };
const zstd: ZstdZlib | undefined = typeof (zlib as unknown as Partial<ZstdZlib>).zstdCompressSync === "function" ? (zlib as unknown as ZstdZlib) : undefined;

/** Request body → raw bytes; checks the announced raw size. */
export function decompressBody(type: string, body: Buffer, rawSize: number): Buffer {
  let out: Buffer;
  try {
    switch (type) {
      case "lz4":
        return lz4DecompressBlock(body, rawSize);
      // Never more output than announced (the server caps rawSize): a bomb stops there.
      case "deflate":
      case "gzip":
        out = zlib.inflateSync(body, { maxOutputLength: Math.max(1, rawSize) });
        break;
      case "zstd":
        if (!zstd) throw errors.parameterInvalid("x-log-compresstype zstd is not supported by this emulator: its Node.js has no zstd");
        out = zstd.zstdDecompressSync(body, { maxOutputLength: Math.max(1, rawSize) });
        break;
      default:
        throw errors.parameterInvalid(`unsupported x-log-compresstype ${type}`);
    }
  } catch (e) {
    if (e instanceof Error && e.name === "SlsError") throw e;
    throw errors.postBodyUncompressError(`cannot decompress the ${type} body: ${(e as Error).message}`);
  }
  if (out.length !== rawSize) {
    throw errors.postBodyUncompressError(`decompressed ${out.length} bytes but x-log-bodyrawsize says ${rawSize}`);
  }
  return out;
}

/** PullLogs negotiation: lz4 unless zstd/deflate is asked for; none only for an empty/identity header. */
export function negotiate(acceptEncoding: string | undefined): CompressType {
  if (acceptEncoding === undefined) return "lz4";
  const asked = acceptEncoding
    .toLowerCase()
    .split(",")
    .map((s) => s.split(";")[0].trim())
    .filter((s) => s.length > 0);
  if (asked.length === 0 || asked.every((s) => s === "identity")) return "none";
  for (const a of asked) {
    if (a === "lz4") return "lz4";
    if (a === "zstd" && zstd) return "zstd";
    if (a === "deflate" || a === "gzip") return "deflate";
  }
  return "none";
}

export function compress(type: CompressType, raw: Buffer): Buffer {
  switch (type) {
    case "lz4":
      return lz4CompressBlock(raw);
    case "deflate":
      return zlib.deflateSync(raw, { level: 1 });
    case "zstd":
      return zstd!.zstdCompressSync(raw);
    case "none":
      return raw;
  }
}

// Chunk compression. New chunks are zstd frames (level 1: on chunks this small, 128 KiB
// (CHUNK_SIZE in local.ts), it stores as little as level 3 and runs faster); chunks written
// before zstd are Brotli. Each chunk file says which by its first bytes: a zstd frame starts
// with the magic 28 B5 2F FD, while Node's Brotli streams (22-bit window, never changed)
// start with a byte whose low nibble is 0xB, so the two can never be confused.
import "server-only";
import zlib from "node:zlib";
import * as zstd from "zstd-napi";
import { DCtx, getFrameContentSize } from "zstd-napi/binding";

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const dctx = new DCtx();

export function packChunk(data: Buffer): Buffer {
  return zstd.compress(data, { compressionLevel: 1 });
}

/**
 * Decompresses a chunk of either format into `dst`, which must be exactly its length;
 * throws on anything else (never inflates past it).
 */
export function unpackChunkInto(packed: Buffer, dst: Buffer): void {
  if (packed.subarray(0, 4).equals(ZSTD_MAGIC)) {
    // The frame header states the size: refuse a damaged one before decoding it.
    if (getFrameContentSize(packed) !== dst.length) throw new Error("zstd frame of the wrong size");
    if (dctx.decompress(dst, packed) !== dst.length) throw new Error("zstd frame ended early");
    return;
  }
  const size = Math.max(dst.length, 64);
  const data = zlib.brotliDecompressSync(packed, { chunkSize: size, maxOutputLength: size });
  if (data.length !== dst.length) throw new Error("Brotli chunk of the wrong size");
  data.copy(dst);
}

/** The largest chunk any version wrote (1 MiB Brotli chunks of the first stores). */
const MAX_CHUNK = 1024 * 1024;

/** Decompresses a chunk of either format whose length is not known beforehand (store copy). */
export function unpackChunk(packed: Buffer): Buffer {
  if (packed.subarray(0, 4).equals(ZSTD_MAGIC)) {
    const size = getFrameContentSize(packed);
    if (typeof size !== "number" || size > MAX_CHUNK) throw new Error("zstd frame without a valid size");
    const dst = Buffer.allocUnsafe(size);
    unpackChunkInto(packed, dst);
    return dst;
  }
  return zlib.brotliDecompressSync(packed, { maxOutputLength: MAX_CHUNK });
}

// Chunk compression. New chunks are zstd frames (level 1: on 64 KiB chunks it stores as
// little as level 3 and runs faster); chunks written before zstd are Brotli. Each chunk
// file says which by its first bytes: a zstd frame starts with the magic 28 B5 2F FD,
// while Node's Brotli streams (22-bit window, never changed) start with a byte whose low
// nibble is 0xB, so the two can never be confused.
import { promisify } from "node:util";
import zlib from "node:zlib";
import * as zstd from "zstd-napi";
import { getFrameContentSize } from "zstd-napi/binding";

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const brotliDecompress = promisify(zlib.brotliDecompress);

export function packChunk(data: Buffer): Buffer {
  return zstd.compress(data, { compressionLevel: 1 });
}

/** Decompresses a chunk of either format; never inflates past `expectedLength`. */
export async function unpackChunk(packed: Buffer, expectedLength: number): Promise<Buffer> {
  if (packed.subarray(0, 4).equals(ZSTD_MAGIC)) {
    // The frame header states the size: refuse a damaged one before allocating it.
    if (getFrameContentSize(packed) !== expectedLength) throw new Error("zstd frame of the wrong size");
    return zstd.decompress(packed);
  }
  const size = Math.max(expectedLength, 64);
  return brotliDecompress(packed, { chunkSize: size, maxOutputLength: size });
}

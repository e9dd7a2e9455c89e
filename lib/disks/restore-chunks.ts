// A restore's write pipeline: a manifest's chunks into an open (truncated, sparse) file.
// Profiled before (bench --profile, strace -c): the main thread was idle more than half
// the time, waiting on two thread-pool round trips per 128 KiB chunk (hash, then write).
// Now the main thread reads and decompresses a block of consecutive chunks straight into
// one buffer, then hands the whole block to the thread pool, where its SHA-256 checks and
// one positional write per run of non-zero chunks run while the main thread decodes the
// next blocks. Every chunk is still verified byte for byte: a mismatch rejects, and the
// caller discards the file (it is only renamed into place after everything succeeded).
import "server-only";
import type { FileHandle } from "node:fs/promises";
import { CorruptChunkError, sha256Async, type Manifest } from "@/lib/disks/chunk-store";
import { unpackChunkInto } from "@/lib/disks/chunk-codec";
import type { Throttle } from "@/lib/disks/throttle";

const BLOCK_BYTES = 4 * 1024 * 1024;
/** Blocks handed to the thread pool and not yet finished; one more buffer is being decoded. */
const DEPTH = 3;

/** Resolves when every job settled; rejects with the first failure. */
async function allOrFirstError(jobs: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(jobs)).find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

export async function writeChunks(args: {
  manifest: Manifest;
  /** The stored (compressed) bytes of a chunk; throws CorruptChunkError when it is missing. */
  readPacked: (hash: string) => Promise<Buffer>;
  /** Chunks read ahead of the one being decoded (a network store's latency hides behind them). */
  readAhead?: number;
  out: FileHandle;
  throttle: Throttle;
  signal?: AbortSignal;
  onBytes: (done: number) => void;
}): Promise<void> {
  const { manifest, out } = args;
  const size = manifest.chunkSize;
  const perBlock = Math.max(1, Math.floor(BLOCK_BYTES / size));
  const buffers = Array.from({ length: DEPTH + 1 }, () => Buffer.allocUnsafe(perBlock * size));
  const inFlight: Promise<void>[] = [];
  // Reads of the next `readAhead` stored chunks, started before they are needed.
  const ahead = new Map<number, Promise<Buffer>>();
  let requested = 0;
  const packedAt = (i: number): Promise<Buffer> => {
    for (; requested < manifest.chunks.length && requested <= i + (args.readAhead ?? 0); requested++) {
      const hash = manifest.chunks[requested];
      if (!hash) continue;
      const read = args.readPacked(hash);
      read.catch(() => {}); // awaited in order below; a failure meanwhile is not unhandled
      ahead.set(requested, read);
    }
    const read = ahead.get(i)!;
    ahead.delete(i);
    return read;
  };
  try {
    for (let first = 0, n = 0; first < manifest.chunks.length; first += perBlock, n++) {
      args.signal?.throwIfAborted();
      // FIFO: once the oldest block is done, the buffer used DEPTH + 1 blocks ago is free.
      if (inFlight.length >= DEPTH) await inFlight.shift();
      const block = buffers[n % buffers.length]!;
      const jobs: Promise<unknown>[] = [];
      const base = first * size;
      let run = -1; // start (in the block) of the current run of non-zero chunks
      const end = Math.min(first + perBlock, manifest.chunks.length);
      const flush = (to: number) => {
        if (run >= 0) jobs.push(out.write(block, run, to - run, base + run));
        run = -1;
      };
      for (let i = first; i < end; i++) {
        const hash = manifest.chunks[i];
        const at = (i - first) * size;
        if (!hash) {
          flush(at); // an all-zero chunk stays a hole of the truncated file
          continue;
        }
        const chunk = block.subarray(at, at + Math.min(size, manifest.diskBytes - base - at));
        const packed = await packedAt(i); // a store that fails is not a damaged chunk
        try {
          unpackChunkInto(packed, chunk);
        } catch (err) {
          if (err instanceof CorruptChunkError) throw err;
          throw new CorruptChunkError(`chunk ${hash.slice(0, 12)}… cannot be decompressed`);
        }
        jobs.push(
          sha256Async(chunk).then((actual) => {
            if (actual !== hash) throw new CorruptChunkError(`chunk ${hash.slice(0, 12)}… does not match its SHA-256`);
          }),
        );
        if (run < 0) run = at;
        if (i === end - 1) flush(at + chunk.length);
      }
      const job = allOrFirstError(jobs);
      job.catch(() => {}); // awaited later; a failure meanwhile is not unhandled
      inFlight.push(job);
      const done = Math.min(manifest.diskBytes, end * size);
      await args.throttle(done - base, args.signal);
      args.onBytes(done);
    }
    await allOrFirstError(inFlight);
  } catch (err) {
    await Promise.allSettled(inFlight); // no write may still run when the caller closes the file
    throw err;
  }
}

// The default driver, pure Node: each server's disk is a sparse raw image at
// DATA_DIR/disks/<server id>.img, snapshots go to the chunk store (chunk-store.ts).
// The disk is read in 4 MiB blocks (the next one is read while this one is processed) and
// cut into 128 KiB chunks, so a small edit costs one small chunk: 1 MiB chunks stored ~7×
// the bench's 64 KiB edits, 128 KiB ones 1.5×; 64 KiB ones store 1× but double the chunk
// files, and creating files is what a first snapshot spends most on (measured). An S3
// store asks for 1 MiB chunks instead (blob-store.ts `chunkSize`): there every chunk is a
// request, and the client's CPU per request, not bytes, is what a restore spends (measured). Memory
// stays flat whatever the disk size. Both cores work: reads and SHA-256 run on libuv's
// thread pool, the zero test and zstd on the main thread; a chunk already in the store is
// never compressed again.
import "server-only";
import { promises as fs } from "node:fs";
import path from "node:path";
import { DriverError, type DiskDriver } from "@/lib/disks/driver";
import { createChunkStore, CorruptChunkError, sha256Async, type ChunkIndex, type Manifest } from "@/lib/disks/chunk-store";
import { createFsBlobStore, type BlobStore } from "@/lib/disks/blob-store";
import { packChunk, unpackChunkInto } from "@/lib/disks/chunk-codec";
import { runQemuImg } from "@/lib/disks/qemu-img";
import { dataRanges, type Range } from "@/lib/disks/data-map";
import { fsyncDir, removeIfExists, removeTempFiles } from "@/lib/disks/fs-util";
import { createThrottle } from "@/lib/disks/throttle";
import { createPool } from "@/lib/disks/pool";
import { writeChunks } from "@/lib/disks/restore-chunks";

export const CHUNK_SIZE = 128 * 1024;
const BLOCK_SIZE = 4 * 1024 * 1024;
const ZERO = Buffer.alloc(BLOCK_SIZE);

function isZero(buf: Buffer): boolean {
  return buf.equals(buf.length === BLOCK_SIZE ? ZERO : ZERO.subarray(0, buf.length));
}

async function readFully(handle: fs.FileHandle, buf: Buffer, position: number): Promise<Buffer> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await handle.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) throw new Error(`Disk ended early at byte ${position + done}`);
    done += bytesRead;
  }
  return buf;
}

/** The parts of [start, end) that no range covers (ranges sorted and disjoint). */
function uncovered(ranges: Range[], start: number, end: number): Range[] {
  const out: Range[] = [];
  let at = start;
  for (const r of ranges) {
    if (r.end <= at) continue;
    if (r.start >= end) break;
    if (r.start > at) out.push({ start: at, end: r.start });
    at = Math.max(at, r.end);
    if (at >= end) break;
  }
  if (at < end) out.push({ start: at, end });
  return out;
}

/** Chunk-aligned pieces of at most a block covering `ranges`, clipped to the disk. */
function piecesOf(ranges: Range[], diskBytes: number, align: number): Range[] {
  const pieces: Range[] = [];
  for (const r of ranges) {
    const start = Math.floor(r.start / align) * align;
    const end = Math.min(diskBytes, Math.ceil(r.end / align) * align);
    const last = pieces.at(-1);
    const from = last && start < last.end ? last.end : start;
    for (let at = from; at < end; at += BLOCK_SIZE) pieces.push({ start: at, end: Math.min(end, at + BLOCK_SIZE) });
  }
  return pieces;
}

function percentOf(done: number, total: number): number {
  return total === 0 ? 99 : Math.min(99, Math.floor((done / total) * 100));
}

export type LocalDriverOptions = {
  dataDir: string;
  /** The snapshot store (stores.ts); default: files under storeDir. */
  blobs?: BlobStore;
  /** The filesystem store's directory when no `blobs` is given; default DATA_DIR/snapshots. */
  storeDir?: string;
  throughputMbps: number;
  /** The database's chunk references (lib/jobs/chunk-refs.ts). */
  chunkIndex: ChunkIndex;
};

export function createLocalDriver(options: LocalDriverOptions): DiskDriver {
  const disksDir = path.join(options.dataDir, "disks");
  const blobs = options.blobs ?? createFsBlobStore(options.storeDir ?? path.join(options.dataDir, "snapshots"));
  // A network store's chunks are larger: each one is a request (blob-store.ts).
  const chunkSize = blobs.chunkSize ?? CHUNK_SIZE;
  const store = createChunkStore(blobs, options.chunkIndex);
  const diskPath = (serverId: number) => path.join(disksDir, `${serverId}.img`);

  async function baseManifest(baseSnapshotId: number, diskBytes: number): Promise<Manifest> {
    const base = await store.readManifest(baseSnapshotId);
    if (!base || base.diskBytes !== diskBytes || base.chunkSize !== chunkSize)
      throw new Error(`snapshot ${baseSnapshotId} cannot be the base of an incremental capture`);
    return base;
  }

  /** Puts the base's bytes into the parts of `block` (at disk offset `at`) outside the changed ranges. */
  async function fillFromBase(block: Buffer, at: number, ranges: Range[], base: Manifest) {
    const chunk = Buffer.allocUnsafe(chunkSize);
    for (let c = at; c < at + block.length; c += chunkSize) {
      const end = Math.min(c + chunkSize, at + block.length);
      const gaps = uncovered(ranges, c, end);
      if (gaps.length === 0) continue;
      const hash = base.chunks[c / chunkSize];
      const content = chunk.subarray(0, end - c);
      if (hash) unpackChunkInto(await store.readPacked(hash), content);
      else content.fill(0);
      for (const g of gaps) content.copy(block, g.start - at, g.start - c, g.end - c);
    }
  }

  return {
    name: "local",
    diskPath,

    async createDisk(serverId, sizeMb) {
      await fs.mkdir(disksDir, { recursive: true });
      const handle = await fs.open(diskPath(serverId), "wx");
      try {
        await handle.truncate(sizeMb * 1024 * 1024); // sparse: no blocks allocated yet
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsyncDir(disksDir);
    },

    async createSnapshot({ serverId, snapshotId, onProgress, signal, beforeCommit, source }) {
      await store.deleteSnapshot(snapshotId); // a retry starts over
      const file = source?.file ?? diskPath(serverId);
      const disk = await fs.open(file, "r");
      const batch = store.chunkBatch(snapshotId);
      const throttle = createThrottle(options.throughputMbps);
      const pool = createPool(blobs.parallelism);
      const chunks: (string | null)[] = [];
      const sizes = new Map<string, number>();
      // Two buffers: the next block is read into one while the other is processed.
      const buffers = [Buffer.allocUnsafe(BLOCK_SIZE), Buffer.allocUnsafe(BLOCK_SIZE)];
      let storedBytes = 0;
      let next: Promise<{ block: Buffer; parts: Buffer[]; hashes: (string | null)[] }> | null = null;
      try {
        // The previous snapshot's chunks, pinned in one statement: an incremental snapshot
        // then pins only its new chunks instead of every block's.
        const inherited = await store.inherit(snapshotId, serverId);
        const diskBytes = (await disk.stat()).size;
        const changed = source?.baseSnapshotId !== undefined ? source.ranges : undefined;
        const base = changed ? await baseManifest(source!.baseSnapshotId!, diskBytes) : null;
        // Pieces of at most a block, within the ranges that hold data (or the whole disk);
        // for a source, within its ranges (an incremental one's: what changed).
        const pieces = piecesOf(
          source?.ranges ?? (await dataRanges(file, diskBytes, chunkSize)) ?? [{ start: 0, end: diskBytes }],
          diskBytes,
          chunkSize,
        );
        // Reads a piece and hashes its non-zero chunks; runs one piece ahead of the loop, so
        // the thread pool reads and hashes the next piece while this one is compressed.
        const preparePiece = async (i: number) => {
          const p = pieces[i]!;
          const block = await readFully(disk, buffers[i % 2]!.subarray(0, p.end - p.start), p.start);
          if (changed && base) await fillFromBase(block, p.start, changed, base);
          const parts: Buffer[] = [];
          for (let at = 0; at < block.length; at += chunkSize) parts.push(block.subarray(at, at + chunkSize));
          const hashes = isZero(block)
            ? parts.map(() => null)
            : await Promise.all(parts.map((c) => (isZero(c) ? null : sha256Async(c))));
          return { block, parts, hashes };
        };
        let covered = 0; // bytes of the disk accounted for, read or known to be a hole
        const skipTo = async (offset: number) => {
          // A hole is charged to the throttle too, so a capped operation lasts as long as
          // before; unchanged parts of an incremental source are the base's chunks, not read.
          if (!base) await throttle(offset - covered, signal);
          while (chunks.length < Math.ceil(offset / chunkSize)) chunks.push(base?.chunks[chunks.length] ?? null);
          covered = offset;
        };
        next = pieces.length ? preparePiece(0) : null;
        for (let i = 0; next; i++) {
          signal?.throwIfAborted();
          const { block, parts, hashes } = await next;
          // The other buffer is free: its piece was compressed last round.
          next = i + 1 < pieces.length ? preparePiece(i + 1) : null;
          await skipTo(pieces[i]!.start);
          chunks.push(...hashes);
          const fresh = [...new Set(hashes.filter((h): h is string => h !== null && !sizes.has(h)))];
          const found = fresh.length ? await store.reference(snapshotId, fresh, inherited) : [];
          await batch.prepare(fresh.filter((_, k) => found[k] == null));
          for (const [k, hash] of fresh.entries()) {
            const size = found[k];
            if (size != null) {
              sizes.set(hash, size);
              continue;
            }
            // Compressed here, synchronously, so the buffer is free once this round ends.
            const packed = packChunk(parts[hashes.indexOf(hash)]!);
            sizes.set(hash, packed.length);
            storedBytes += packed.length;
            await pool.run(() => batch.put(hash, packed));
          }
          await throttle(block.length, signal);
          covered = pieces[i]!.end;
          onProgress(percentOf(covered, diskBytes));
        }
        await skipTo(diskBytes);
        // Chunks kept from the base without reading: pinned (most already are, inherited) and sized.
        const kept = [...new Set(chunks.filter((h): h is string => h !== null && !sizes.has(h)))];
        const keptSizes = kept.length ? await store.reference(snapshotId, kept, inherited) : [];
        for (const [k, hash] of kept.entries()) {
          const size = keptSizes[k];
          if (size == null) throw new CorruptChunkError(`base chunk ${hash.slice(0, 12)}… is missing`);
          sizes.set(hash, size);
        }
        await pool.drain();
        await batch.commit();
        await store.dropUnused(
          snapshotId,
          [...inherited].filter((hash) => !sizes.has(hash)),
        );
        const sizeBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
        const manifest: Manifest = {
          version: 2,
          snapshotId,
          serverId,
          createdAt: new Date().toISOString(),
          diskBytes,
          chunkSize,
          chunks,
          sizeBytes,
          storedBytes,
        };
        await beforeCommit?.();
        await store.commitManifest(manifest);
        onProgress(100);
        return { storedBytes, sizeBytes };
      } catch (err) {
        await next?.catch(() => {});
        await pool.settle();
        await batch.abort().catch(() => {});
        await store.discard(snapshotId);
        throw err;
      } finally {
        await disk.close();
      }
    },

    async restoreSnapshot({ serverId, snapshotId, onProgress, signal, beforeCommit, diskBytes, target }) {
      const manifest = await store.readManifest(snapshotId);
      if (!manifest) throw new DriverError("snapshot_missing", "The snapshot has no stored data; it cannot be restored.");
      const disk = target?.file ?? diskPath(serverId);
      const dir = path.dirname(disk);
      await fs.mkdir(dir, { recursive: true });
      // Written beside the disk so the final rename is atomic (same filesystem).
      const tmp = `${disk}.restore-${snapshotId}.tmp`;
      const converted = `${disk}.restore-${snapshotId}.qcow2.tmp`;
      await removeIfExists(tmp);
      await removeIfExists(converted);
      const out = await fs.open(tmp, "wx");
      const throttle = createThrottle(options.throughputMbps);
      try {
        await out.truncate(Math.max(manifest.diskBytes, diskBytes ?? 0));
        await writeChunks({
          manifest,
          out,
          throttle,
          signal,
          readPacked: store.readPacked,
          readAhead: blobs.parallelism,
          onBytes: (done) => onProgress(percentOf(done, manifest.diskBytes)),
        });
        await out.sync();
        await out.close();
        if (target?.format === "qcow2") {
          // A guest's qcow2 disk gets a qcow2 image of the same content, made durable before the swap.
          await runQemuImg(["convert", "-f", "raw", "-O", "qcow2", tmp, converted], { signal });
          const handle = await fs.open(converted, "r+");
          await handle.sync().finally(() => handle.close());
          await removeIfExists(tmp);
        }
        await beforeCommit?.();
      } catch (err) {
        await out.close().catch(() => {});
        await removeIfExists(tmp);
        await removeIfExists(converted);
        if (err instanceof CorruptChunkError)
          throw new DriverError(
            "snapshot_corrupt",
            "The snapshot's stored data is damaged; the restore was stopped and the disk left unchanged.",
            { cause: err },
          );
        throw err;
      }
      // Freeing the replaced disk's blocks takes ext4 about a second per few hundred MB
      // (measured), after the restore is done: an open handle keeps the old inode alive
      // through the rename and its close, which frees the blocks, is not awaited. No name
      // is left behind; after a crash the filesystem reclaims the orphan inode.
      const old = await fs.open(disk, "r").catch(() => null);
      try {
        await fs.rename(target?.format === "qcow2" ? converted : tmp, disk);
        await fsyncDir(dir);
      } finally {
        void old?.close().catch(() => {});
      }
      onProgress(100);
    },

    async hasSnapshot(snapshotId, diskBytes) {
      const manifest = await store.readManifest(snapshotId);
      return manifest !== null && (diskBytes === undefined || manifest.diskBytes === diskBytes);
    },

    async deleteSnapshot(snapshotId) {
      await store.deleteSnapshot(snapshotId);
    },

    async storedSize(snapshotId) {
      return (await store.readManifest(snapshotId))?.storedBytes ?? 0;
    },

    async cleanupPartial({ serverId, snapshotId }) {
      if (serverId !== undefined) await removeTempFiles(disksDir, `${serverId}.img.`);
      if (snapshotId !== undefined) await store.discard(snapshotId);
    },

    storedSnapshotIds: () => store.storedSnapshotIds(),

    async collectGarbage() {
      await store.collectGarbage();
    },
  };
}

// The default driver, pure Node: each server's disk is a sparse raw image at
// DATA_DIR/disks/<server id>.img, snapshots go to the chunk store (chunk-store.ts).
// Everything streams one chunk at a time with a few chunks in flight, so memory stays
// flat whatever the disk size; Brotli runs on libuv's thread pool, off the main thread.
import { promises as fs } from "node:fs";
import path from "node:path";
import { DriverError, type DiskDriver } from "@/lib/disks/driver";
import { createChunkStore, CorruptChunkError, sha256, type Manifest } from "@/lib/disks/chunk-store";
import { fsyncDir, removeIfExists, removeTempFiles } from "@/lib/disks/fs-util";
import { createThrottle } from "@/lib/disks/throttle";
import { createPool } from "@/lib/disks/pool";

export const CHUNK_SIZE = 1024 * 1024;
const IN_FLIGHT = 4;
const ZERO = Buffer.alloc(CHUNK_SIZE);

function isZero(buf: Buffer): boolean {
  return buf.equals(buf.length === CHUNK_SIZE ? ZERO : ZERO.subarray(0, buf.length));
}

async function readFully(handle: fs.FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await handle.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) throw new Error(`Disk ended early at byte ${position + done}`);
    done += bytesRead;
  }
}

function percentOf(done: number, total: number): number {
  return total === 0 ? 99 : Math.min(99, Math.floor((done / total) * 100));
}

export function createLocalDriver(options: { dataDir: string; throughputMbps: number }): DiskDriver {
  const disksDir = path.join(options.dataDir, "disks");
  const store = createChunkStore(path.join(options.dataDir, "snapshots"));
  const diskPath = (serverId: number) => path.join(disksDir, `${serverId}.img`);

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

    async createSnapshot({ serverId, snapshotId, onProgress, signal, beforeCommit }) {
      await store.deleteSnapshot(snapshotId); // a retry starts over
      const disk = await fs.open(diskPath(serverId), "r");
      // The journal may fail to open (full or read-only store): the disk handle must not leak.
      const journal = await store.openJournal(snapshotId).catch(async (err: unknown) => {
        await disk.close();
        throw err;
      });
      const throttle = createThrottle(options.throughputMbps);
      const pool = createPool(IN_FLIGHT);
      const chunks: (string | null)[] = [];
      const scratch = Buffer.allocUnsafe(CHUNK_SIZE);
      const sizes = new Map<string, number>();
      let storedBytes = 0;
      try {
        const diskBytes = (await disk.stat()).size;
        for (let offset = 0; offset < diskBytes; offset += CHUNK_SIZE) {
          signal?.throwIfAborted();
          // Read into one reused buffer: most of a sparse disk is zeros, and a fresh
          // buffer per chunk would cost a page fault per 4 KiB just to find that out.
          const view = scratch.subarray(0, Math.min(CHUNK_SIZE, diskBytes - offset));
          await readFully(disk, view, offset);
          await throttle(view.length, signal);
          if (isZero(view)) chunks.push(null);
          else {
            const buf = Buffer.from(view); // owned copy: compression runs while we read on
            const hash = sha256(buf);
            chunks.push(hash);
            if (!sizes.has(hash)) {
              sizes.set(hash, 0);
              await pool.run(async () => {
                const exists = await journal.reference(hash);
                const size = exists ? await store.chunkSize(hash) : await store.writeChunk(hash, buf);
                if (!exists) storedBytes += size;
                sizes.set(hash, size);
              });
            }
          }
          onProgress(percentOf(offset + view.length, diskBytes));
        }
        await pool.drain();
        const sizeBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
        const manifest: Manifest = {
          version: 1, snapshotId, serverId, createdAt: new Date().toISOString(),
          diskBytes, chunkSize: CHUNK_SIZE, chunks, sizeBytes, storedBytes,
        };
        await journal.close();
        await beforeCommit?.();
        await store.commitManifest(manifest);
        onProgress(100);
        return { storedBytes, sizeBytes };
      } catch (err) {
        await pool.settle();
        await journal.close().catch(() => {});
        await store.discardJournal(snapshotId);
        throw err;
      } finally {
        await disk.close();
      }
    },

    async restoreSnapshot({ serverId, snapshotId, onProgress, signal, beforeCommit }) {
      const manifest = await store.readManifest(snapshotId);
      if (!manifest) throw new DriverError("snapshot_missing", "The snapshot has no stored data; it cannot be restored.");
      await fs.mkdir(disksDir, { recursive: true });
      const target = diskPath(serverId);
      // Written beside the disk so the final rename is atomic (same filesystem).
      const tmp = `${target}.restore-${snapshotId}.tmp`;
      await removeIfExists(tmp);
      const out = await fs.open(tmp, "wx");
      const throttle = createThrottle(options.throughputMbps);
      const pool = createPool(IN_FLIGHT);
      try {
        await out.truncate(manifest.diskBytes);
        for (let i = 0; i < manifest.chunks.length; i++) {
          signal?.throwIfAborted();
          const offset = i * manifest.chunkSize;
          const length = Math.min(manifest.chunkSize, manifest.diskBytes - offset);
          await throttle(length, signal);
          const hash = manifest.chunks[i];
          if (hash) await pool.run(async () => out.write(await store.readChunk(hash, length), 0, length, offset));
          onProgress(percentOf(offset + length, manifest.diskBytes));
        }
        await pool.drain();
        await out.sync();
        await out.close();
        await beforeCommit?.();
      } catch (err) {
        await pool.settle();
        await out.close().catch(() => {});
        await removeIfExists(tmp);
        if (err instanceof CorruptChunkError)
          throw new DriverError("snapshot_corrupt", "The snapshot's stored data is damaged; the restore was stopped and the disk left unchanged.", { cause: err });
        throw err;
      }
      await fs.rename(tmp, target);
      await fsyncDir(disksDir);
      onProgress(100);
    },

    async deleteSnapshot(snapshotId) {
      await store.deleteSnapshot(snapshotId);
    },

    async storedSize(snapshotId) {
      return (await store.readManifest(snapshotId))?.storedBytes ?? 0;
    },

    async cleanupPartial({ serverId, snapshotId }) {
      if (serverId !== undefined) await removeTempFiles(disksDir, `${serverId}.img.`);
      if (snapshotId !== undefined) await store.discardJournal(snapshotId);
    },

    async storedSnapshotIds() {
      const { manifests, journals } = await store.listIds();
      return [...new Set([...manifests, ...journals])];
    },

    async collectGarbage() {
      await store.collectGarbage();
    },
  };
}

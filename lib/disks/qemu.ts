// The qemu driver (SNAPDECK_DISK_DRIVER=qemu): server disks are qcow2 images at
// DATA_DIR/disks/<server id>.qcow2 and each snapshot is a qcow2 file at
// DATA_DIR/snapshots/qemu/<snapshot id>.qcow2. A first snapshot is a full zstd-compressed
// copy (qemu-img convert); a later one is an overlay holding only the clusters written since
// the previous snapshot, backed by that snapshot's file (qemu-incremental.ts). Restores read
// through the chain; deleting a snapshot others build on first folds it into them (rebase).
import "server-only";
import { promises as fs } from "node:fs";
import path from "node:path";
import { DriverError, type DiskDriver } from "@/lib/disks/driver";
import { fsyncDir, listDir, removeIfExists, removeTempFiles } from "@/lib/disks/fs-util";
import { isImageLocked, runQemuImg, type ImageInfo } from "@/lib/disks/qemu-img";
import { bitmapName, dropOlderBitmaps, startTracking, usableBase, writeIncremental } from "@/lib/disks/qemu-incremental";
import { backingFile } from "@/lib/disks/qcow2-header";
import { createThrottle } from "@/lib/disks/throttle";

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );
const actualSize = (info: ImageInfo) => info["actual-size"] ?? 0;

/** The image and every backing file below it; throws when one is missing or unreadable. */
async function backingChain(file: string): Promise<ImageInfo[]> {
  return JSON.parse(await runQemuImg(["info", "-U", "--backing-chain", "--output=json", file])) as ImageInfo[];
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// The qcow2 store keeps files per server disk; libvirt guests use the chunk store (local driver).
const LIBVIRT_UNSUPPORTED = new DriverError(
  "unsupported",
  "Snapshots of libvirt guests need the chunk store (SNAPDECK_DISK_DRIVER=local); ask the operator.",
);

export function createQemuDriver(options: { dataDir: string; storeDir?: string; throughputMbps: number }): DiskDriver {
  const disksDir = path.join(options.dataDir, "disks");
  const storeDir = path.join(options.storeDir ?? path.join(options.dataDir, "snapshots"), "qemu");
  const diskPath = (serverId: number) => path.join(disksDir, `${serverId}.qcow2`);
  const snapshotPath = (snapshotId: number) => path.join(storeDir, `${snapshotId}.qcow2`);
  const rateLimit = options.throughputMbps > 0 ? ["-r", `${options.throughputMbps}M`] : [];
  const scaled = (fn: (p: number) => void, from: number, to: number) => (p: number) =>
    fn(Math.min(99, Math.floor(from + ((to - from) * p) / 100)));

  return {
    name: "qemu",
    diskPath,

    async createDisk(serverId, sizeMb) {
      await fs.mkdir(disksDir, { recursive: true });
      const file = diskPath(serverId);
      await fs.writeFile(file, "", { flag: "wx" }); // fails if the disk exists
      await runQemuImg(["create", "-q", "-f", "qcow2", file, `${sizeMb}M`]).catch(async (err) => {
        await removeIfExists(file);
        throw err;
      });
      await fsyncDir(disksDir);
    },

    async createSnapshot({ serverId, snapshotId, onProgress, signal, beforeCommit, source }) {
      if (source) throw LIBVIRT_UNSUPPORTED;
      await fs.mkdir(storeDir, { recursive: true });
      const target = snapshotPath(snapshotId);
      const tmp = `${target}.tmp`;
      await removeIfExists(target); // a retry starts over
      await removeIfExists(tmp);
      const disk = diskPath(serverId);
      // Tracking starts before anything is read; null when a running VM holds the image.
      const info = await startTracking(disk, snapshotId);
      const base = info ? await usableBase(info, snapshotId, (id) => exists(snapshotPath(id))) : null;
      let readBytes: number | undefined;
      try {
        if (base !== null && info) {
          readBytes = await writeIncremental({
            disk,
            info,
            bitmap: bitmapName(base),
            base: path.basename(snapshotPath(base)),
            tmp,
            signal,
          });
          await createThrottle(options.throughputMbps)(readBytes, signal); // a capped copy lasts as long as its bytes
          onProgress(95);
        } else {
          // -U: snapshots of running servers are allowed (the API warns they may be inconsistent).
          await runQemuImg(
            ["convert", "-p", "-U", "-c", ...rateLimit, "-f", "qcow2", "-O", "qcow2", "-o", "compression_type=zstd", disk, tmp],
            { onProgress: scaled(onProgress, 0, 99), signal },
          );
        }
        await fsyncFile(tmp);
        // A delete of the base could have run meanwhile (it refuses while it sees this temp file).
        if (base !== null && !(await exists(snapshotPath(base))))
          throw new Error(`snapshot ${base}, the base of ${snapshotId}, was deleted meanwhile`);
        await beforeCommit?.();
        await fs.rename(tmp, target);
        await fsyncDir(storeDir);
      } catch (err) {
        await removeIfExists(tmp);
        throw err;
      }
      // Best effort: a leftover bitmap only costs space (the next snapshot takes the newest usable one).
      if (info) await dropOlderBitmaps(disk, snapshotId).catch(() => {});
      const chain = await backingChain(target);
      onProgress(100);
      return { storedBytes: actualSize(chain[0]!), sizeBytes: chain.reduce((sum, i) => sum + actualSize(i), 0), readBytes };
    },

    async restoreSnapshot({ serverId, snapshotId, onProgress, signal, beforeCommit, ...rest }) {
      if (rest.target) throw LIBVIRT_UNSUPPORTED;
      const source = snapshotPath(snapshotId);
      const target = diskPath(serverId);
      const refuseIfLocked = async () => {
        if (
          await fs.access(target).then(
            () => true,
            () => false,
          )
        )
          if (await isImageLocked(target))
            throw new DriverError(
              "disk_in_use",
              "The server's disk is in use by a running VM (its image is locked); stop the VM before restoring.",
            );
      };
      await refuseIfLocked();
      try {
        for (const image of await backingChain(source)) await runQemuImg(["check", "-q", "-f", "qcow2", image.filename]);
      } catch (err) {
        throw new DriverError(
          "snapshot_corrupt",
          "The snapshot's stored data is damaged or missing; the disk was left unchanged.",
          { cause: err },
        );
      }
      const tmp = `${target}.restore-${snapshotId}.tmp`;
      await removeIfExists(tmp);
      try {
        await runQemuImg(["convert", "-p", ...rateLimit, "-f", "qcow2", "-O", "qcow2", source, tmp], {
          onProgress: scaled(onProgress, 0, 85),
          signal,
        });
        // Verified: the new image must read back exactly as the snapshot does.
        await runQemuImg(["compare", "-p", "-f", "qcow2", "-F", "qcow2", source, tmp], {
          onProgress: scaled(onProgress, 85, 99),
          signal,
        });
        await fsyncFile(tmp);
        await refuseIfLocked(); // a VM may have been started meanwhile
        await beforeCommit?.();
        await fs.rename(tmp, target);
        await fsyncDir(disksDir);
      } catch (err) {
        await removeIfExists(tmp);
        throw err;
      }
      onProgress(100);
    },

    async deleteSnapshot(snapshotId) {
      const file = snapshotPath(snapshotId);
      if (await exists(file)) {
        // Snapshots built on this one get its clusters first (a safe rebase onto its own base
        // copies what differs); a crash midway leaves them still backed by it, and the retry
        // rebases again. A create still building on it is waited for (the deletion retries).
        const name = path.basename(file);
        const children: string[] = [];
        for (const other of await listDir(storeDir))
          if (other.endsWith(".qcow2") || other.endsWith(".qcow2.tmp"))
            if ((await backingFile(path.join(storeDir, other)).catch(() => null)) === name) children.push(other);
        if (children.some((c) => c.endsWith(".tmp")))
          throw new Error(`snapshot ${snapshotId} is the base of a snapshot being created; deleting it later`);
        const parent = children.length ? await backingFile(file) : null;
        for (const child of children)
          await runQemuImg([
            "rebase",
            "-q",
            "-f",
            "qcow2",
            ...(parent ? ["-b", parent, "-F", "qcow2"] : ["-b", ""]),
            path.join(storeDir, child),
          ]);
      }
      await removeIfExists(file);
      await removeIfExists(`${file}.tmp`);
    },

    hasSnapshot: (snapshotId) => exists(snapshotPath(snapshotId)),

    async storedSize(snapshotId) {
      try {
        return (await fs.stat(snapshotPath(snapshotId))).size;
      } catch {
        return 0;
      }
    },

    async cleanupPartial({ serverId, snapshotId }) {
      if (serverId !== undefined) await removeTempFiles(disksDir, `${serverId}.qcow2.`);
      if (snapshotId !== undefined) await removeIfExists(`${snapshotPath(snapshotId)}.tmp`);
    },

    async storedSnapshotIds() {
      const ids = (await listDir(storeDir)).map((name) => Number(name.split(".")[0]));
      return [...new Set(ids.filter(Number.isInteger))];
    },

    async collectGarbage() {}, // nothing is shared between qcow2 snapshots
  };
}

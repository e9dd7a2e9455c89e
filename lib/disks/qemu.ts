// The qemu driver (SNAPDECK_DISK_DRIVER=qemu): server disks are qcow2 images at
// DATA_DIR/disks/<server id>.qcow2 and each snapshot is one zstd-compressed qcow2 file at
// DATA_DIR/snapshots/qemu/<snapshot id>.qcow2, made and restored with qemu-img convert.
// No dedupe across snapshots: each file stands alone, so delete is a plain unlink.
import { promises as fs } from "node:fs";
import path from "node:path";
import { DriverError, type DiskDriver } from "@/lib/disks/driver";
import { fsyncDir, listDir, removeIfExists, removeTempFiles } from "@/lib/disks/fs-util";
import { imageInfo, isImageLocked, runQemuImg } from "@/lib/disks/qemu-img";

async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

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

    async createSnapshot({ serverId, snapshotId, onProgress, signal, beforeCommit }) {
      await fs.mkdir(storeDir, { recursive: true });
      const target = snapshotPath(snapshotId);
      const tmp = `${target}.tmp`;
      await removeIfExists(target); // a retry starts over
      await removeIfExists(tmp);
      try {
        // -U: snapshots of running servers are allowed (the API warns they may be inconsistent).
        await runQemuImg(
          ["convert", "-p", "-U", "-c", ...rateLimit, "-f", "qcow2", "-O", "qcow2", "-o", "compression_type=zstd", diskPath(serverId), tmp],
          { onProgress: scaled(onProgress, 0, 99), signal },
        );
        await fsyncFile(tmp);
        await beforeCommit?.();
        await fs.rename(tmp, target);
        await fsyncDir(storeDir);
      } catch (err) {
        await removeIfExists(tmp);
        throw err;
      }
      const sizeBytes = (await imageInfo(target, { forceShare: true }))["actual-size"] ?? (await fs.stat(target)).size;
      onProgress(100);
      return { storedBytes: sizeBytes, sizeBytes };
    },

    async restoreSnapshot({ serverId, snapshotId, onProgress, signal, beforeCommit }) {
      const source = snapshotPath(snapshotId);
      const target = diskPath(serverId);
      const refuseIfLocked = async () => {
        if (await fs.access(target).then(() => true, () => false))
          if (await isImageLocked(target))
            throw new DriverError("disk_in_use", "The server's disk is in use by a running VM (its image is locked); stop the VM before restoring.");
      };
      await refuseIfLocked();
      try {
        await runQemuImg(["check", "-q", "-f", "qcow2", source]);
      } catch (err) {
        throw new DriverError("snapshot_corrupt", "The snapshot's stored data is damaged or missing; the disk was left unchanged.", { cause: err });
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
      await removeIfExists(snapshotPath(snapshotId));
      await removeIfExists(`${snapshotPath(snapshotId)}.tmp`);
    },

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

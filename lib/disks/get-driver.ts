// Picks the storage driver named by SNAPDECK_DISK_DRIVER (default: local), on the snapshot
// store of SNAPDECK_STORE_URL (stores.ts) with its chunk references in the database.
import "server-only";
import { config, getDataDir, getStoreUrl } from "@/lib/config";
import type { DiskDriver } from "@/lib/disks/driver";
import { createLocalDriver } from "@/lib/disks/local";
import { createQemuDriver } from "@/lib/disks/qemu";
import { getBlobStore, parseStoreUrl } from "@/lib/disks/stores";
import { chunkRefs } from "@/lib/jobs/chunk-refs";

let cached: { key: string; driver: DiskDriver; blobs: unknown } | undefined;

export function getDiskDriver(): DiskDriver {
  const blobs = getBlobStore();
  const key = `${config.diskDriver}:${getDataDir()}:${getStoreUrl()}`;
  if (cached?.key !== key || cached.blobs !== blobs) {
    const options = { dataDir: getDataDir(), throughputMbps: config.diskThroughputMbps, chunkIndex: chunkRefs };
    let driver: DiskDriver;
    if (config.diskDriver === "qemu") {
      // qcow2 files chained by backing file names: only a directory can hold them.
      const location = parseStoreUrl(getStoreUrl());
      if (location.kind !== "file")
        throw new Error("SNAPDECK_DISK_DRIVER=qemu keeps snapshots as qcow2 files: it needs a file:// SNAPDECK_STORE_URL");
      driver = createQemuDriver({ ...options, storeDir: location.root });
    } else driver = createLocalDriver({ ...options, blobs });
    cached = { key, driver, blobs };
  }
  return cached.driver;
}

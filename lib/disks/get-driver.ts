// Picks the storage driver named by SNAPDECK_DISK_DRIVER (default: local), on the store in
// SNAPDECK_STORE_DIR with its chunk references in the database.
import "server-only";
import { config, getDataDir, getStoreDir } from "@/lib/config";
import type { DiskDriver } from "@/lib/disks/driver";
import { createLocalDriver } from "@/lib/disks/local";
import { createQemuDriver } from "@/lib/disks/qemu";
import { chunkRefs } from "@/lib/jobs/chunk-refs";

let cached: { key: string; driver: DiskDriver } | undefined;

export function getDiskDriver(): DiskDriver {
  const key = `${config.diskDriver}:${getDataDir()}:${getStoreDir()}`;
  if (cached?.key !== key) {
    const options = {
      dataDir: getDataDir(),
      storeDir: getStoreDir(),
      throughputMbps: config.diskThroughputMbps,
      chunkIndex: chunkRefs,
    };
    cached = { key, driver: config.diskDriver === "qemu" ? createQemuDriver(options) : createLocalDriver(options) };
  }
  return cached.driver;
}

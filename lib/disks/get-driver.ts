// Picks the storage driver named by SNAPDECK_DISK_DRIVER (default: local).
import { config, getDataDir, getStoreDir } from "@/lib/config";
import type { DiskDriver } from "@/lib/disks/driver";
import { createLocalDriver } from "@/lib/disks/local";
import { createQemuDriver } from "@/lib/disks/qemu";

let cached: { key: string; driver: DiskDriver } | undefined;

export function getDiskDriver(): DiskDriver {
  const key = `${config.diskDriver}:${getDataDir()}:${getStoreDir()}`;
  if (cached?.key !== key) {
    const options = { dataDir: getDataDir(), storeDir: getStoreDir(), throughputMbps: config.diskThroughputMbps };
    cached = { key, driver: config.diskDriver === "qemu" ? createQemuDriver(options) : createLocalDriver(options) };
  }
  return cached.driver;
}

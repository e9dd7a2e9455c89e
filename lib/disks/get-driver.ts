// Picks the storage driver named by SNAPDECK_DISK_DRIVER (default: local).
import { config, getDataDir } from "@/lib/config";
import type { DiskDriver } from "@/lib/disks/driver";
import { createLocalDriver } from "@/lib/disks/local";
import { createQemuDriver } from "@/lib/disks/qemu";

let cached: { key: string; driver: DiskDriver } | undefined;

export function getDiskDriver(): DiskDriver {
  const key = `${config.diskDriver}:${getDataDir()}`;
  if (cached?.key !== key) {
    const options = { dataDir: getDataDir(), throughputMbps: config.diskThroughputMbps };
    cached = { key, driver: config.diskDriver === "qemu" ? createQemuDriver(options) : createLocalDriver(options) };
  }
  return cached.driver;
}

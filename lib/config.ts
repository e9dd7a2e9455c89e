// Every setting Snapdeck reads from the environment, with its default. README.md lists
// the same table; keep them together.
import path from "node:path";

function intFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export function getDataDir(): string {
  // turbopackIgnore: a runtime path; without it the build traces the whole project.
  return path.resolve(/*turbopackIgnore: true*/ process.env.DATA_DIR ?? "data");
}

export function getDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? `file:${path.join(/*turbopackIgnore: true*/ getDataDir(), "app.db")}`;
}

export const config = {
  get port() {
    return intFrom("PORT", 3000);
  },
  get snapshotLimit() {
    return intFrom("SNAPDECK_SNAPSHOT_LIMIT", 5);
  },
  get diskDriver(): "local" | "qemu" {
    const driver = process.env.SNAPDECK_DISK_DRIVER ?? "local";
    if (driver !== "local" && driver !== "qemu") throw new Error(`SNAPDECK_DISK_DRIVER must be local or qemu, got "${driver}"`);
    return driver;
  },
  /** Optional cap on data-plane throughput in MB/s, for demos of long operations. 0 = none. */
  get diskThroughputMbps() {
    return intFrom("SNAPDECK_DISK_THROUGHPUT_MBPS", 0);
  },
  /** Operations one worker process runs at once (default 2: one per core here). */
  get workerConcurrency() {
    return Math.max(1, intFrom("SNAPDECK_WORKER_CONCURRENCY", 2));
  },
  /** NEXTAUTH_SECRET, when set; otherwise setup generates one into DATA_DIR. */
  get authSecret(): string | undefined {
    return process.env.NEXTAUTH_SECRET || undefined;
  },
  /** `npm start` rebuilds even when a build exists. */
  get rebuild() {
    return process.env.SNAPDECK_REBUILD === "1";
  },
  /** `npm start` seeds demo data into an empty database. */
  get seedDemoData() {
    return process.env.SNAPDECK_SEED !== "0";
  },
  /** MB of mixed content on the largest demo disk. */
  get demoContentMb() {
    return intFrom("SNAPDECK_DEMO_CONTENT_MB", 300);
  },
  /** `npm start` runs one worker process beside the web server. */
  get startWorker() {
    return process.env.SNAPDECK_WORKER !== "0";
  },
  get logLevel() {
    return process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info");
  },
};

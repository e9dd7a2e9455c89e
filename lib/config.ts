// Every setting Snapdeck reads from the environment, with its default. docs/configuration.md lists
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

/** The filesystem store's directory: SNAPDECK_STORE_DIR, default DATA_DIR/snapshots (in a fleet, one shared mount). */
export function getStoreDir(): string {
  const dir = process.env.SNAPDECK_STORE_DIR;
  return dir ? path.resolve(/*turbopackIgnore: true*/ dir) : path.join(/*turbopackIgnore: true*/ getDataDir(), "snapshots");
}

/**
 * The snapshot store (lib/disks/stores.ts): SNAPDECK_STORE_URL, `file:///path` or
 * `s3://bucket/prefix`; without it, the directory above as a file: URL.
 */
export function getStoreUrl(): string {
  return process.env.SNAPDECK_STORE_URL || `file://${getStoreDir()}`;
}

export function getDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? `file:${path.join(/*turbopackIgnore: true*/ getDataDir(), "app.db")}`;
}

/** SNAPDECK_PUBLIC_URL reduced to its origin (`https://snap.example.com`), or null. */
function publicUrlFrom(raw: string | undefined): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`SNAPDECK_PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`SNAPDECK_PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  return url.origin;
}

export type DatabaseProvider = "sqlite" | "postgresql";

/** The URL scheme picks the database: `file:` is SQLite, `postgres(ql)://` PostgreSQL. */
export function getDatabaseProvider(url = getDatabaseUrl()): DatabaseProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${url.split(":")[0]}:…"`);
}

export const config = {
  /** The origin users reach Snapdeck at, for absolute links; null: each request's own. */
  get publicUrl() {
    return publicUrlFrom(process.env.SNAPDECK_PUBLIC_URL);
  },
  /** Secure cookies and HSTS: only when the public URL says https. */
  get secureCookies() {
    return this.publicUrl?.startsWith("https:") ?? false;
  },
  /** Addresses/CIDRs (comma-separated) whose X-Forwarded-* headers are believed; default none. */
  get trustedProxies(): string[] {
    return (process.env.SNAPDECK_TRUSTED_PROXIES ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
  },
  /**
   * PostgreSQL: the longest one statement may run (ms) before the server cancels it, so no
   * request, and no client that went away, holds a backend for longer. 0 = no limit.
   */
  get statementTimeoutMs() {
    return intFrom("SNAPDECK_DB_STATEMENT_TIMEOUT_MS", 30_000);
  },
  get port() {
    return intFrom("PORT", 3000);
  },
  get snapshotLimit() {
    return intFrom("SNAPDECK_SNAPSHOT_LIMIT", 5);
  },
  /** How long a safety snapshot (taken before a restore) is kept before workers collect it. */
  get safetyTtlHours() {
    return intFrom("SNAPDECK_SAFETY_TTL_HOURS", 24);
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
  /** The host this process's agent serves (`npm run agent -- --host` sets it). */
  get host() {
    return process.env.SNAPDECK_HOST || "local";
  },
  /** S3 stores: the endpoint of an S3-compatible service (Ceph RGW, MinIO); unset = AWS. */
  get s3Endpoint() {
    return process.env.SNAPDECK_S3_ENDPOINT || undefined;
  },
  get s3Region() {
    return process.env.SNAPDECK_S3_REGION || "us-east-1";
  },
  /** Path-style URLs (endpoint/bucket/key); default on with a custom endpoint, off on AWS. */
  get s3ForcePathStyle() {
    const raw = process.env.SNAPDECK_S3_FORCE_PATH_STYLE;
    if (raw === undefined || raw === "") return this.s3Endpoint !== undefined;
    if (!/^(1|0|true|false)$/.test(raw)) throw new Error(`SNAPDECK_S3_FORCE_PATH_STYLE must be 1 or 0, got "${raw}"`);
    return raw === "1" || raw === "true";
  },
  /** libvirt hosts: how long `stop` waits for an ACPI shutdown before it forces the guest off. */
  get shutdownTimeoutS() {
    return intFrom("SNAPDECK_SHUTDOWN_TIMEOUT_S", 60);
  },
  /** libvirt hosts: where backup jobs write their point-in-time copies (QEMU's user must reach it). */
  get libvirtScratchDir() {
    return process.env.SNAPDECK_LIBVIRT_SCRATCH_DIR || path.join(getDataDir(), "scratch");
  },
  /** libvirt hosts: how often an agent reads its guests' states (outside changes show within this). */
  get guestPollMs() {
    return Math.max(500, intFrom("SNAPDECK_GUEST_POLL_MS", 3_000));
  },
  /** `npm start` runs one worker process beside the web server. */
  get startWorker() {
    return process.env.SNAPDECK_WORKER !== "0";
  },
  get logLevel() {
    return process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info");
  },
};

// The snapshot store's storage: named blobs ("chunks/ab/<hash>", "manifests/7.json") and
// nothing else, so the chunk store (chunk-store.ts) runs unchanged on any backend that can
// put, get, stat, delete and list. Two backends: files under a directory (below: a local
// disk or a shared mount) and an S3 bucket (s3-blob-store.ts); stores.ts picks one from
// SNAPDECK_STORE_URL.
import "server-only";
import { promises as fs, readFileSync, statSync, writeFile } from "node:fs";
import { promisify } from "node:util";
import os from "node:os";
import path from "node:path";
import { probeWritable, removeIfExists, writeFileAtomic } from "@/lib/disks/fs-util";
import { isAlive } from "@/lib/disks/pids";
import { syncFilesystem } from "@/lib/disks/sync-fs";

/** Puts that become durable and visible together, for many small blobs at once. */
export interface BlobBatch {
  /**
   * Writes a content-addressed blob once: a blob already under that key is left as it is.
   * Visible to others at commit, or already when this resolves where `publishesOnPut`.
   */
  put(key: string, data: Buffer): Promise<void>;
  /** Every put of the batch is durable and visible once this resolves. */
  commit(): Promise<void>;
  /** Drops puts not yet committed (a failed create); never removes a committed blob. */
  abort(): Promise<void>;
}

export interface BlobStore {
  /** Where the blobs live, for the health probe and logs (never a secret). */
  readonly location: string;
  /** A batch's put is visible at once (S3: no rename), so it must be referenced before. */
  readonly publishesOnPut: boolean;
  /** Requests worth keeping in flight at once (a network store hides its latency so). */
  readonly parallelism: number;
  /** The chunk size new snapshots use on this store; unset: the local driver's (128 KiB). */
  readonly chunkSize?: number;
  /** Writes one blob durably and atomically (readers see the old blob or the new one). */
  put(key: string, data: Buffer | string): Promise<void>;
  batch(): BlobBatch;
  /** The blob's content, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  /** The blob's size in bytes, or null when there is none ("has"). */
  size(key: string): Promise<number | null>;
  /** Removes a blob, if there is one. */
  delete(key: string): Promise<void>;
  /** Removes these blobs, those there are. */
  deleteMany(keys: string[]): Promise<void>;
  /** Keys of every blob under `prefix` ("chunks/"), in no particular order. */
  list(prefix: string): Promise<string[]>;
  /** Removes what writers that died left half-written under `prefix` (temp files). */
  removeAbandoned(prefix: string): Promise<void>;
  /** Throws unless a small blob can be written and removed (the agents' health probe). */
  probe(): Promise<void>;
}

/** The store cannot be reached or refuses this process (network, credentials, bucket). */
export class StoreUnavailableError extends Error {
  readonly code = "storage_unavailable";
  constructor(message: string) {
    super(message);
    this.name = "StoreUnavailableError";
  }
}

const HOST = os.hostname();
const RENAMES = 64;
const writeFileCallback = promisify(writeFile);
// <final name>.<pid>@<host>.<random>.tmp: the host and pid say whether the writer still
// lives (on a shared mount only the writer's own host can tell); older versions wrote
// <final name>.<pid>.<random>.tmp on a store no other host used.
const TEMP = /\.(\d+)(?:@(.+))?\.[0-9a-z]+\.tmp$/;

function isAbandonedTemp(name: string): boolean {
  const m = TEMP.exec(name);
  return !!m && (m[2] ?? HOST) === HOST && !isAlive(Number(m[1]));
}

// Not fs.mkdir's recursive mode: it reports ENOSPC (no inode left) as ENOENT.
async function mkdirs(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "ENOENT") throw err;
    await mkdirs(path.dirname(dir));
    await fs.mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== "EEXIST") throw again;
    });
  }
}

function ensureParent(file: string, write: () => Promise<void>): Promise<void> {
  return write().catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
    await mkdirs(path.dirname(file)); // first blob of its directory
    await write();
  });
}

/**
 * Blobs as files under `root`. Durability without a fsync per file (as Proxmox Backup
 * Server does it): a batch writes under temp names, runs one syncfs so their data is on
 * stable storage, renames them into place, and runs syncfs again so the names are. So a
 * blob under its final name is always durable, whoever finds it.
 */
export function createFsBlobStore(root: string): BlobStore {
  const file = (key: string) => path.join(root, key);

  async function walk(dir: string, prefix: string, out: string[]) {
    for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), `${prefix}${entry.name}/`, out);
      else if (!entry.name.endsWith(".tmp")) out.push(prefix + entry.name);
    }
  }

  return {
    location: `file://${root}`,
    publishesOnPut: false,
    parallelism: 8,

    async put(key, data) {
      const target = file(key);
      await ensureParent(target, () => writeFileAtomic(target, data));
    },

    batch() {
      const staged: { tmp: string; target: string }[] = [];
      return {
        async put(key, data) {
          const target = file(key);
          // pid and host (the sweep recognises a dead writer) + random: two creates may stage one chunk.
          const tmp = `${target}.${process.pid}@${HOST}.${Math.random().toString(36).slice(2)}.tmp`;
          try {
            // The callback writeFile: no FileHandle object per chunk (measured: half the
            // main thread's CPU of fs.promises.writeFile for thousands of small files).
            await ensureParent(tmp, () => writeFileCallback(tmp, data));
          } catch (err) {
            await removeIfExists(tmp); // a half-written temp file (ENOSPC) must not linger
            throw err;
          }
          staged.push({ tmp, target });
        },
        async commit() {
          if (staged.length === 0) return;
          await syncFilesystem(root);
          // Renames in parallel, RENAMES at a time: one round trip each, thousands per create.
          for (let i = 0; i < staged.length; i += RENAMES)
            await Promise.all(staged.slice(i, i + RENAMES).map(({ tmp, target }) => fs.rename(tmp, target)));
          await syncFilesystem(root);
          staged.length = 0;
        },
        async abort() {
          for (const { tmp } of staged.splice(0)) await removeIfExists(tmp);
        },
      };
    },

    async get(key) {
      try {
        // Read inline: a chunk file is small and usually cached, and fs.readFile's four
        // thread-pool round trips (open, fstat, read, close) cost more than the read
        // itself (measured: restores ~30% faster, less CPU).
        return readFileSync(file(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },

    // Inline too: cached metadata, cheaper than a thread-pool round trip.
    size: async (key) => statSync(file(key), { throwIfNoEntry: false })?.size ?? null,

    delete: async (key) => {
      await removeIfExists(file(key));
    },

    async deleteMany(keys) {
      for (let i = 0; i < keys.length; i += RENAMES)
        await Promise.all(keys.slice(i, i + RENAMES).map((key) => removeIfExists(file(key))));
    },

    async list(prefix) {
      const out: string[] = [];
      await walk(file(prefix), prefix.endsWith("/") || prefix === "" ? prefix : `${prefix}/`, out);
      return out;
    },

    async removeAbandoned(prefix) {
      const sweep = async (dir: string): Promise<void> => {
        for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) await sweep(full);
          else if (isAbandonedTemp(entry.name)) await removeIfExists(full);
        }
      };
      await sweep(file(prefix));
    },

    probe: () => probeWritable(root),
  };
}

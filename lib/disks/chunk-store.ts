// The local driver's content-addressed store under DATA_DIR/snapshots/:
//   chunks/<first 2 hex>/<sha256>   one compressed chunk (chunk-codec.ts), written once, shared by snapshots
//   manifests/<snapshot id>.json    the ordered chunk list of a completed snapshot
//   journals/<snapshot id>.refs     chunks a create in progress has referenced so far
//   store.lock                      see store-lock.ts
// A chunk may be deleted only when no manifest and no journal names it; the journal entry
// is written under the lock before the create relies on an existing chunk.
//
// Durability without a fsync per chunk: a create writes its new chunks under temp names,
// then publishChunks() runs syncfs (their data is now durable), renames them into place and
// runs syncfs again (the names are durable) before the manifest is written. So a chunk
// under its final name is always durable, whoever finds it, and a committed manifest
// never names one that is not.
import { promises as fs, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { webcrypto } from "node:crypto";
import { fsyncDir, listDir, removeIfExists, writeFileAtomic } from "@/lib/disks/fs-util";
import { isAlive, withStoreLock } from "@/lib/disks/store-lock";
import { syncFilesystem } from "@/lib/disks/sync-fs";

export type Manifest = {
  /** 1: 1 MiB Brotli chunks; 2: any chunk size, zstd or Brotli chunks. Read alike. */
  version: 1 | 2;
  snapshotId: number;
  serverId: number;
  createdAt: string;
  diskBytes: number;
  chunkSize: number;
  /** One entry per chunk of the disk; null for an all-zero chunk (not stored). */
  chunks: (string | null)[];
  /** Compressed bytes of every distinct chunk the snapshot uses: its size on its own. */
  sizeBytes: number;
  /** Compressed bytes this snapshot added to the store (its share of new data). */
  storedBytes: number;
};

export class CorruptChunkError extends Error {}

/** SHA-256 on libuv's thread pool, so hashing runs beside the main thread's work. */
export async function sha256Async(data: Buffer): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest("SHA-256", data)).toString("hex");
}

/** A chunk written under a temp name, waiting for publishChunks(). */
export type StagedChunk = { hash: string; tmp: string };

export function createChunkStore(root: string) {
  const dirs = { chunks: path.join(root, "chunks"), manifests: path.join(root, "manifests"), journals: path.join(root, "journals") };
  const lockPath = path.join(root, "store.lock");
  const chunkPath = (hash: string) => path.join(dirs.chunks, hash.slice(0, 2), hash);
  const manifestPath = (id: number) => path.join(dirs.manifests, `${id}.json`);
  const journalPath = (id: number) => path.join(dirs.journals, `${id}.refs`);
  let dirsReady: Promise<unknown> | null = null;
  function ensureDirs() {
    dirsReady ??= Promise.all(Object.values(dirs).map((d) => fs.mkdir(d, { recursive: true })));
    return dirsReady;
  }
  const locked = async <T>(fn: () => Promise<T>) => {
    await ensureDirs();
    return withStoreLock(lockPath, fn);
  };

  async function readManifest(id: number): Promise<Manifest | null> {
    try {
      return JSON.parse(await fs.readFile(manifestPath(id), "utf8")) as Manifest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async function readJournal(id: number): Promise<string[]> {
    try {
      return (await fs.readFile(journalPath(id), "utf8")).split("\n").filter((l) => l.length === 64);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  /** Snapshot ids that have a manifest or a journal. */
  async function listIds(): Promise<{ manifests: number[]; journals: number[] }> {
    const ids = async (dir: string, ext: string) =>
      (await listDir(dir)).filter((n) => n.endsWith(ext)).map((n) => Number(n.slice(0, -ext.length))).filter(Number.isInteger);
    return { manifests: await ids(dirs.manifests, ".json"), journals: await ids(dirs.journals, ".refs") };
  }

  /** Every chunk some manifest or journal still needs. Call under the lock. */
  async function referencedChunks(): Promise<Set<string>> {
    const refs = new Set<string>();
    const { manifests, journals } = await listIds();
    for (const id of manifests) for (const h of (await readManifest(id))?.chunks ?? []) if (h) refs.add(h);
    for (const id of journals) for (const h of await readJournal(id)) refs.add(h);
    return refs;
  }

  async function unlinkUnreferenced(candidates: Iterable<string>): Promise<number> {
    const refs = await referencedChunks();
    let removed = 0;
    for (const hash of new Set(candidates)) if (!refs.has(hash) && (await removeIfExists(chunkPath(hash)))) removed++;
    return removed;
  }

  return {
    root,
    ensureDirs,
    readManifest,

    /** Starts a create's journal afresh (a retry starts over). */
    async openJournal(id: number) {
      await ensureDirs();
      const handle = await fs.open(journalPath(id), "w");
      return {
        /**
         * Records that this create uses `hashes` and returns, for each, the stored size of
         * the chunk or null when it is not stored. One lock round for the whole batch: a
         * concurrent delete either sees the journal entries or has already unlinked the
         * chunks (and then the caller writes them again).
         */
        reference: (hashes: string[]) =>
          locked(async () => {
            await handle.appendFile(hashes.map((h) => h + "\n").join(""));
            // Inline stats, like readChunk's reads: cached metadata, cheaper than a round trip each.
            return hashes.map((h) => statSync(chunkPath(h), { throwIfNoEntry: false })?.size ?? null);
          }),
        close: () => handle.close(),
      };
    },

    /** Writes a compressed chunk under a temp name beside its place; not yet durable. */
    async stageChunk(hash: string, packed: Buffer): Promise<StagedChunk> {
      const target = chunkPath(hash);
      // pid (the sweep recognises a dead writer by it) + random: two creates may stage one chunk.
      const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      const write = () => fs.writeFile(tmp, packed);
      try {
        await write().catch(async (err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOENT") throw err;
          await fs.mkdir(path.dirname(target), { recursive: true }); // first chunk of its prefix
          await write();
        });
      } catch (err) {
        await removeIfExists(tmp); // a half-written temp file (ENOSPC) must not linger
        throw err;
      }
      return { hash, tmp };
    },

    /** Makes staged chunks durable, then visible, then their names durable (see top). */
    async publishChunks(staged: StagedChunk[]) {
      if (staged.length === 0) return;
      await syncFilesystem(root);
      for (const { hash, tmp } of staged) await fs.rename(tmp, chunkPath(hash));
      await syncFilesystem(root);
    },

    /** Removes staged chunks that will not be published (a failed create). */
    async discardStaged(staged: StagedChunk[]) {
      for (const { tmp } of staged) await removeIfExists(tmp);
    },

    /** A chunk's stored (compressed) bytes; throws CorruptChunkError when it is missing. */
    async readPacked(hash: string): Promise<Buffer> {
      try {
        // Read inline: a chunk file is small and usually cached, and fs.readFile's four
        // thread-pool round trips (open, fstat, read, close) cost more than the read itself.
        return readFileSync(chunkPath(hash));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new CorruptChunkError(`chunk ${hash.slice(0, 12)}… is missing`);
        throw err;
      }
    },

    /**
     * Publishes a completed snapshot: manifest first, then the journal can go. Under the
     * lock: a GC lists manifests, then journals, and would otherwise see neither.
     */
    async commitManifest(manifest: Manifest) {
      await locked(async () => {
        await writeFileAtomic(manifestPath(manifest.snapshotId), JSON.stringify(manifest));
        await removeIfExists(journalPath(manifest.snapshotId));
      });
    },

    /** Drops a create's journal and the chunks only it referenced (crash or failure). */
    async discardJournal(id: number) {
      await locked(async () => {
        const hashes = await readJournal(id);
        await removeIfExists(journalPath(id));
        await unlinkUnreferenced(hashes);
      });
    },

    /** Deletes a manifest (and any journal) and every chunk nothing else references. */
    async deleteSnapshot(id: number) {
      await locked(async () => {
        const hashes = [...((await readManifest(id))?.chunks ?? []), ...(await readJournal(id))].filter((h): h is string => !!h);
        await removeIfExists(manifestPath(id));
        await removeIfExists(journalPath(id));
        await unlinkUnreferenced(hashes);
      });
      await fsyncDir(dirs.manifests).catch(() => {});
    },

    /** Removes every chunk no manifest or journal references (the startup sweep). */
    async collectGarbage(): Promise<number> {
      return locked(async () => {
        const all: string[] = [];
        for (const prefix of await listDir(dirs.chunks)) {
          for (const name of await listDir(path.join(dirs.chunks, prefix))) {
            // <hash>.<pid>.<rand>.tmp: only a dead writer's temp file is garbage.
            if (!name.endsWith(".tmp")) all.push(name);
            else if (!isAlive(Number(name.split(".")[1]))) await removeIfExists(path.join(dirs.chunks, prefix, name));
          }
        }
        return unlinkUnreferenced(all);
      });
    },

    listIds,
  };
}
export type ChunkStore = ReturnType<typeof createChunkStore>;

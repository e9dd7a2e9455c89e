// The local driver's content-addressed store under DATA_DIR/snapshots/:
//   chunks/<first 2 hex>/<sha256>   one Brotli-compressed chunk, written once, shared by snapshots
//   manifests/<snapshot id>.json    the ordered chunk list of a completed snapshot
//   journals/<snapshot id>.refs     chunks a create in progress has referenced so far
//   store.lock                      see store-lock.ts
// A chunk may be deleted only when no manifest and no journal names it; the journal entry
// is written under the lock before the create relies on an existing chunk.
import { promises as fs } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { fsyncDir, listDir, removeIfExists, writeFileAtomic } from "@/lib/disks/fs-util";
import { isAlive, withStoreLock } from "@/lib/disks/store-lock";

const compress = promisify(zlib.brotliCompress);
const decompress = promisify(zlib.brotliDecompress);
const BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } };

export type Manifest = {
  version: 1;
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

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

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
         * Records that this create uses `hash` and tells whether the chunk is already
         * stored. Under the lock, so a concurrent delete either sees the journal entry or
         * has already unlinked the chunk (and then the caller writes it again).
         */
        reference: (hash: string) =>
          locked(async () => {
            await handle.appendFile(hash + "\n");
            return fs.access(chunkPath(hash)).then(
              () => true,
              () => false,
            );
          }),
        close: () => handle.close(),
      };
    },

    /** Compresses and stores a chunk (temp + fsync + rename); returns its stored size. */
    async writeChunk(hash: string, data: Buffer): Promise<number> {
      // One output buffer the size of the input: with zlib's default 16 KiB, a 1 MiB chunk
      // costs ~64 thread-pool round trips (profiled: most of the main thread's time).
      const packed = await compress(data, { ...BROTLI, chunkSize: data.length + 65_536 });
      const target = chunkPath(hash);
      await fs.mkdir(path.dirname(target), { recursive: true });
      // Atomic and durable: a manifest may name this chunk as soon as this returns.
      await writeFileAtomic(target, packed);
      return packed.length;
    },

    async chunkSize(hash: string): Promise<number> {
      return (await fs.stat(chunkPath(hash))).size;
    },

    /** Reads, decompresses and verifies a chunk; throws CorruptChunkError on any mismatch. */
    async readChunk(hash: string, expectedLength: number): Promise<Buffer> {
      let data: Buffer;
      try {
        // Sized output buffer (see writeChunk), and a bound: a damaged chunk cannot inflate
        // past the length the manifest promises.
        const size = Math.max(expectedLength, 64);
        data = await decompress(await fs.readFile(chunkPath(hash)), { chunkSize: size, maxOutputLength: size });
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "is missing" : "cannot be decompressed";
        throw new CorruptChunkError(`chunk ${hash.slice(0, 12)}… ${why}`);
      }
      if (data.length !== expectedLength || sha256(data) !== hash)
        throw new CorruptChunkError(`chunk ${hash.slice(0, 12)}… does not match its SHA-256`);
      return data;
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

// The local driver's content-addressed store, as blobs (blob-store.ts):
//   chunks/<first 2 hex>/<sha256>   one compressed chunk (chunk-codec.ts), written once, shared by snapshots
//   manifests/<snapshot id>.json    the ordered chunk list of a completed snapshot
// and, in the database (ChunkIndex, lib/jobs/chunk-refs.ts), a row per chunk and which
// snapshot references which chunk. The rules that keep a committed manifest from ever
// naming a missing chunk, with any number of processes on any number of hosts:
// - a create relies on a chunk it finds stored only after its reference (pin) is committed
//   and a second look still finds it; once pinned, nobody deletes it, and what the second
//   look misses it writes itself (the data is still in hand). A create starts by pinning
//   the chunks of the server's previous snapshot (inherit), so for those one look, after
//   that pin, is enough; it unpins the ones it did not use before it commits;
// - chunks a create writes are pinned before they are published under their final names
//   (at the batch's commit on a filesystem; before each block's PUTs on S3, where a PUT
//   publishes); a blob found under its final name with no row (a writer that outlived its
//   own failure) gets an unreferenced row from the startup sweep, and goes;
// - a chunk is deleted only inside a transaction that locked its row and then found no
//   reference, and its blob is removed before that transaction commits; a pin locks the
//   same rows (or, for stored chunks, holds them through the foreign key), so the database
//   orders the two;
// - a snapshot's references go only after its manifest is gone.
import "server-only";
import type { BlobBatch, BlobStore } from "@/lib/disks/blob-store";
import { webcrypto } from "node:crypto";

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

/** The database's half of the store: chunk rows and snapshot → chunk references. */
export interface ChunkIndex {
  /**
   * References `hashes` from the snapshot (creating their rows), committed when it resolves.
   * `fresh`: chunks this create is about to write (their rows most likely do not exist yet).
   */
  pin(snapshotId: number, hashes: string[], fresh?: boolean): Promise<void>;
  /**
   * References from the snapshot every chunk of the server's newest completed snapshot,
   * committed when it resolves; returns the snapshot's references (those chunks' hashes).
   */
  inherit(snapshotId: number, serverId: number): Promise<string[]>;
  /** Drops these references of the snapshot. */
  unpin(snapshotId: number, hashes: string[]): Promise<void>;
  /** Drops every reference of the snapshot; returns the hashes it referenced. */
  release(snapshotId: number): Promise<string[]>;
  /**
   * Deletes the rows of those chunks (all, with null) that no snapshot references, calling
   * `remove` with their hashes inside the deleting transaction, before it commits.
   */
  collect(hashes: string[] | null, remove: (hashes: string[]) => Promise<void>): Promise<number>;
  /** Rows for chunk blobs found in the store that have none (stores from before the rows). */
  adopt(hashes: string[]): Promise<void>;
  /** Those of `hashes` that have no row. */
  unknown(hashes: string[]): Promise<string[]>;
  /** Ids of snapshots that reference any chunk. */
  pinnedSnapshotIds(): Promise<number[]>;
}

export class CorruptChunkError extends Error {}

/** SHA-256 on libuv's thread pool, so hashing runs beside the main thread's work. */
export async function sha256Async(data: Buffer): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest("SHA-256", data)).toString("hex");
}

const chunkKey = (hash: string) => `chunks/${hash.slice(0, 2)}/${hash}`;
const manifestKey = (id: number) => `manifests/${id}.json`;
const idsOf = (keys: string[], dir: string, ext: string) =>
  keys
    .map((k) => k.slice(dir.length, -ext.length))
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
const hashOf = (key: string) => key.slice(key.lastIndexOf("/") + 1);
/** Written once the references of a store from before them are in the database. */
const BACKFILLED = "refs-backfilled";

export function createChunkStore(blobs: BlobStore, index: ChunkIndex) {
  async function readManifest(id: number): Promise<Manifest | null> {
    const raw = await blobs.get(manifestKey(id));
    return raw ? (JSON.parse(raw.toString("utf8")) as Manifest) : null;
  }

  const removeChunks = (hashes: string[]) => blobs.deleteMany(hashes.map(chunkKey));

  /**
   * A store written before references were in the database: every manifest's chunks and
   * every journal's (a create in progress at the upgrade) become references, chunk files
   * nobody lists become unreferenced rows (collected next). Nothing is collected before this
   * is done; it runs once per store (the marker), and again after a crash in the middle.
   */
  async function backfill() {
    if ((await blobs.size(BACKFILLED)) !== null) return;
    for (const id of idsOf(await blobs.list("manifests/"), "manifests/", ".json")) {
      const hashes = (await readManifest(id))?.chunks.filter((h): h is string => !!h) ?? [];
      await index.pin(id, [...new Set(hashes)]);
    }
    for (const key of await blobs.list("journals/")) {
      const id = Number(key.slice("journals/".length, -".refs".length));
      const hashes =
        (await blobs.get(key))
          ?.toString("utf8")
          .split("\n")
          .filter((l) => l.length === 64) ?? [];
      if (Number.isInteger(id)) await index.pin(id, [...new Set(hashes)]);
      await blobs.delete(key);
    }
    // Files nobody references: an unreferenced row each, so the collection below sees them.
    await index.adopt((await blobs.list("chunks/")).map(hashOf));
    await blobs.delete("store.lock").catch(() => {}); // the lock file of earlier versions
    await blobs.put(BACKFILLED, "1\n");
  }
  let backfilled: Promise<void> | null = null;
  function ensureBackfilled() {
    backfilled ??= backfill().catch((err: unknown) => {
      backfilled = null; // a read-only store: tried again by the next delete or sweep
      throw err;
    });
    return backfilled;
  }

  /** Drops the snapshot's references, then the chunks nothing else references. */
  async function releaseAndCollect(id: number) {
    await ensureBackfilled();
    const hashes = await index.release(id);
    if (hashes.length) await index.collect(hashes, removeChunks);
  }

  return {
    readManifest,

    /**
     * For each hash, the stored size of the chunk, pinned for the snapshot so it may be
     * relied on, or null when it is not stored: the caller writes it (see the rules above).
     */
    async reference(snapshotId: number, hashes: string[], pinned: ReadonlySet<string> = new Set()): Promise<(number | null)[]> {
      const sizes = await Promise.all(hashes.map((h) => blobs.size(chunkKey(h))));
      // `pinned`: referenced by this snapshot already (inherit), so the look above came after the pin.
      const stored = hashes.filter((h, k) => sizes[k] !== null && !pinned.has(h));
      if (stored.length === 0) return sizes;
      await index.pin(snapshotId, stored);
      // The second look: a collection may have removed one between the first and the pin.
      return Promise.all(
        hashes.map((h, k) => (sizes[k] === null || pinned.has(h) ? (sizes[k] ?? null) : blobs.size(chunkKey(h)))),
      );
    },

    /** Pins the chunks of the server's previous snapshot for this one (see the rules above). */
    inherit: async (snapshotId: number, serverId: number) => new Set(await index.inherit(snapshotId, serverId)),

    /** Drops inherited references the snapshot did not use, and those chunks if nothing else uses them. */
    async dropUnused(snapshotId: number, hashes: string[]) {
      if (hashes.length === 0) return;
      await index.unpin(snapshotId, hashes);
      await index.collect(hashes, removeChunks);
    },

    /**
     * A create's new chunks: pinned, then durable and visible (blob-store.ts). `prepare`
     * names the chunks about to be put: where a put publishes (S3) they are pinned there
     * and then; elsewhere at commit, one round per 500 chunks rather than per block.
     */
    chunkBatch(snapshotId: number) {
      const batch: BlobBatch = blobs.batch();
      const written: string[] = [];
      const pinned = new Set<string>();
      const prepare = async (hashes: string[]) => {
        if (!blobs.publishesOnPut || hashes.length === 0) return;
        await index.pin(snapshotId, hashes, true);
        for (const h of hashes) pinned.add(h);
      };
      return {
        prepare,
        put: async (hash: string, packed: Buffer) => {
          if (blobs.publishesOnPut && !pinned.has(hash)) await prepare([hash]); // never published unpinned
          await batch.put(chunkKey(hash), packed);
          written.push(hash);
        },
        commit: async () => {
          if (!blobs.publishesOnPut) await index.pin(snapshotId, written, true);
          await batch.commit();
        },
        abort: batch.abort,
      };
    },

    /** A chunk's stored (compressed) bytes; throws CorruptChunkError when it is missing. */
    async readPacked(hash: string): Promise<Buffer> {
      const packed = await blobs.get(chunkKey(hash));
      if (!packed) throw new CorruptChunkError(`chunk ${hash.slice(0, 12)}… is missing`);
      return packed;
    },

    /** Publishes a completed snapshot; its references are already in the database. */
    commitManifest: (manifest: Manifest) => blobs.put(manifestKey(manifest.snapshotId), JSON.stringify(manifest)),

    /** Drops a create's references and the chunks only it used (crash, failure, retry). */
    discard: releaseAndCollect,

    /** Deletes a manifest, then the snapshot's references and every chunk nothing else references. */
    async deleteSnapshot(id: number) {
      await blobs.delete(manifestKey(id));
      await releaseAndCollect(id);
    },

    /**
     * The startup sweep: dead writers' leftovers (temp files, S3 uploads), blobs with no row
     * (listed a page at a time; they get an unreferenced row), every unreferenced chunk.
     */
    async collectGarbage(): Promise<number> {
      await ensureBackfilled();
      await blobs.removeAbandoned("chunks/");
      await blobs.removeAbandoned("manifests/");
      const listed = (await blobs.list("chunks/")).map(hashOf).filter((h) => /^[0-9a-f]{64}$/.test(h));
      for (let i = 0; i < listed.length; i += 1000) await index.adopt(await index.unknown(listed.slice(i, i + 1000)));
      return index.collect(null, removeChunks);
    },

    /** Snapshot ids with a manifest or references. */
    async storedSnapshotIds(): Promise<number[]> {
      const manifests = idsOf(await blobs.list("manifests/"), "manifests/", ".json");
      return [...new Set([...manifests, ...(await index.pinnedSnapshotIds())])];
    },
  };
}
export type ChunkStore = ReturnType<typeof createChunkStore>;

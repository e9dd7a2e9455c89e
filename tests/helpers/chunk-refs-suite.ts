// The chunk references against garbage collection, on the database of the run (SQLite or
// PostgreSQL) and any blob store: a create that pins a chunk while a collection of it is
// under way either waits and then learns the chunk is gone (and writes it), or pins first
// and keeps it. Run on a directory (tests/jobs/chunk-refs.test.ts) and on S3 (tests/s3).
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { chunkRefs } from "@/lib/jobs/chunk-refs";
import type { BlobStore } from "@/lib/disks/blob-store";
import { createChunkStore } from "@/lib/disks/chunk-store";

const key = (hash: string) => `chunks/${hash.slice(0, 2)}/${hash}`;
let n = 0;
const newHash = () => (++n).toString(16).padStart(8, "0").repeat(8);

/** The tests below on the blob store `open` returns (a directory, an S3 bucket). */
export function chunkRefsSuite(title: string, open: () => Promise<BlobStore>) {
  let blobs: BlobStore;
  let store: ReturnType<typeof createChunkStore>;

  /** A chunk stored by snapshot `owner`, as a create leaves it (pinned, then published). */
  async function storedChunk(owner: number): Promise<string> {
    const hash = newHash();
    const batch = store.chunkBatch(owner);
    await batch.prepare([hash]);
    await batch.put(hash, Buffer.from(hash));
    await batch.commit();
    return hash;
  }

  beforeAll(async () => {
    await ensureDb();
    blobs = await open();
    store = createChunkStore(blobs, chunkRefs);
    await store.collectGarbage(); // the store exists and is marked as backfilled
  });

  describe(title, () => {
    it("a create that pins a chunk while GC is removing it waits, then finds it missing", async () => {
      const hash = await storedChunk(1);
      await chunkRefs.release(1); // unreferenced now: GC may take it
      const events: string[] = [];
      let create: Promise<(number | null)[]> | null = null;
      const removed = await chunkRefs.collect([hash], async (hashes) => {
        // GC holds the row now. The create starts here, between GC's decision and its commit.
        events.push("gc decided");
        create = store.reference(2, [hash]).then((sizes) => {
          events.push("create pinned");
          return sizes;
        });
        for (const h of hashes) await blobs.delete(key(h));
        events.push("gc removed the blob");
      });
      expect(removed).toBe(1);
      // The create was told the truth: not stored, so it writes the chunk itself.
      expect(await create!).toEqual([null]);
      expect(events).toEqual(["gc decided", "gc removed the blob", "create pinned"]);
      expect(await prisma.snapshotChunk.findMany({ where: { hash } })).toEqual([{ snapshotId: 2, hash }]);
      expect(await prisma.chunk.count({ where: { hash } })).toBe(1);
    });

    it("a chunk pinned before the collection keeps its row and its blob", async () => {
      const hash = await storedChunk(3);
      await chunkRefs.release(3);
      expect(await store.reference(4, [hash])).toEqual([Buffer.from(hash).length]);
      expect(
        await chunkRefs.collect([hash], async (hashes) => {
          for (const h of hashes) await blobs.delete(key(h));
        }),
      ).toBe(0);
      expect(await blobs.size(key(hash))).toBe(Buffer.from(hash).length);
    });

    it("many creates and collections at once: every pinned chunk is either stored or known missing", async () => {
      for (let round = 0; round < 20; round++) {
        const hash = await storedChunk(100 + round);
        const pinner = 1000 + round;
        const [sizes] = await Promise.all([
          store.reference(pinner, [hash]),
          (async () => {
            await chunkRefs.release(100 + round);
            await store.collectGarbage();
          })(),
        ]);
        // Whatever the order, a create that was told "stored" can rely on the blob.
        if (sizes[0] !== null) expect(await blobs.size(key(hash))).toBe(sizes[0]);
        await store.deleteSnapshot(pinner);
        expect(await blobs.size(key(hash))).toBeNull(); // and once nothing references it, it goes
      }
    });

    it("a row is never deleted while referenced (foreign key), and collection needs no lock file", async () => {
      const hash = await storedChunk(5);
      await expect(prisma.$transaction((tx) => tx.chunk.deleteMany({ where: { hash } }))).rejects.toThrow();
      expect(await chunkRefs.pinnedSnapshotIds()).toContain(5);
      await store.deleteSnapshot(5);
      expect(await prisma.chunk.count({ where: { hash } })).toBe(0);
      expect(await blobs.list("")).not.toContain("store.lock");
    });
  });
}

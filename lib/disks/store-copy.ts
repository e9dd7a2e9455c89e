// `npm run cli -- store copy --to URL`: copies the configured snapshot store (chunks, then
// manifests) into another one, typically a filesystem store into an S3 bucket, so an
// operator can switch SNAPDECK_STORE_URL without losing a snapshot. The database needs no
// change: its references name chunks by hash, the same in every store.
// - every chunk is checked against its name (decompressed, SHA-256) before it is written,
//   and read back from the target and checked again: a damaged chunk stops the copy;
// - chunks first, then the manifests that name them (the publish order of a create);
// - what the target already holds is skipped, so a second run copies only what is missing
//   (agents still writing meanwhile: run it again once they are stopped).
import "server-only";
import { sha256Async } from "@/lib/disks/chunk-store";
import { unpackChunk } from "@/lib/disks/chunk-codec";
import { createPool } from "@/lib/disks/pool";
import type { BlobStore } from "@/lib/disks/blob-store";

export type StoreCopyResult = {
  chunks: { copied: number; present: number };
  manifests: { copied: number; present: number };
  bytes: number;
};

const HASH = /^chunks\/[0-9a-f]{2}\/([0-9a-f]{64})$/;
const MANIFEST = /^manifests\/\d+\.json$/;

export async function copyStore(
  from: BlobStore,
  to: BlobStore,
  onProgress: (line: string) => void = () => {},
): Promise<StoreCopyResult> {
  const result: StoreCopyResult = { chunks: { copied: 0, present: 0 }, manifests: { copied: 0, present: 0 }, bytes: 0 };
  const there = new Set([...(await to.list("chunks/")), ...(await to.list("manifests/"))]);

  async function checked(key: string, packed: Buffer | null, where: string): Promise<Buffer> {
    const hash = HASH.exec(key)![1]!;
    if (!packed) throw new Error(`chunk ${hash.slice(0, 12)}… vanished from the ${where} store during the copy`);
    let data: Buffer;
    try {
      data = unpackChunk(packed);
    } catch {
      throw new Error(`chunk ${hash.slice(0, 12)}… in the ${where} store cannot be decompressed: it is damaged`);
    }
    if ((await sha256Async(data)) !== hash)
      throw new Error(`chunk ${hash.slice(0, 12)}… in the ${where} store does not match its SHA-256: it is damaged`);
    return packed;
  }

  const chunkKeys = (await from.list("chunks/")).filter((k) => HASH.test(k));
  const pool = createPool(Math.max(from.parallelism, to.parallelism));
  for (const key of chunkKeys) {
    if (there.has(key)) {
      result.chunks.present++;
      continue;
    }
    await pool.run(async () => {
      const packed = await checked(key, await from.get(key), "source");
      const batch = to.batch(); // write-once: a chunk some agent wrote meanwhile is left as it is
      await batch.put(key, packed);
      await batch.commit();
      await checked(key, await to.get(key), "target");
      result.chunks.copied++;
      result.bytes += packed.length;
      if (result.chunks.copied % 1000 === 0) onProgress(`${result.chunks.copied} chunks copied`);
    });
  }
  await pool.drain();

  // Manifests once every chunk is in: each names only chunks the target now holds.
  const targetChunks = new Set([...there, ...chunkKeys]);
  for (const key of (await from.list("manifests/")).filter((k) => MANIFEST.test(k))) {
    const raw = await from.get(key);
    if (!raw) continue; // deleted meanwhile
    const size = await to.size(key);
    if (size === raw.length) {
      result.manifests.present++;
      continue;
    }
    const manifest = JSON.parse(raw.toString("utf8")) as { chunks: (string | null)[] };
    const missing = manifest.chunks.find((h) => h && !targetChunks.has(`chunks/${h.slice(0, 2)}/${h}`));
    if (missing) throw new Error(`${key} names chunk ${missing.slice(0, 12)}…, which the source store does not hold`);
    await to.put(key, raw);
    result.manifests.copied++;
  }
  // The source's references are already in the database: the target needs no backfill.
  const marker = await from.get("refs-backfilled");
  if (marker && (await to.size("refs-backfilled")) === null) await to.put("refs-backfilled", marker);
  return result;
}

// The snapshot store on S3 (lib/disks/s3-blob-store.ts) against a real Ceph RADOS Gateway
// (tests/helpers/s3.ts): the same guarantees as the filesystem store. Chunks are written
// once even by racing writers; a create pins each chunk before its PUT publishes it and
// publishes its manifest only after every chunk; the reference rules hold against garbage
// collection; the sweep removes what nobody references, pages past 1,000 keys, and aborts
// abandoned uploads; snapshots restore byte for byte.
import { promises as fs } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { chunkRefs } from "@/lib/jobs/chunk-refs";
import type { BlobStore } from "@/lib/disks/blob-store";
import { createChunkStore } from "@/lib/disks/chunk-store";
import { createLocalDriver } from "@/lib/disks/local";
import { createS3BlobStore, type S3Options } from "@/lib/disks/s3-blob-store";
import { chunkRefsSuite } from "../helpers/chunk-refs-suite";
import { newBucket, s3SkipReason, s3TestClient, applyS3Store } from "../helpers/s3";
import { hashFile, MIB, scribble } from "../disks/helpers";

const skip = await s3SkipReason("tests/s3/s3-store.test.ts");
if (!skip) applyS3Store("s3://unused"); // this file's process: the credentials for the SDK's default chain

function s3Store(bucket: string, prefix = "store", abandonedUploadMs?: number): BlobStore {
  const options: S3Options = {
    bucket,
    prefix,
    endpoint: process.env.SNAPDECK_TEST_S3_ENDPOINT,
    region: "us-east-1",
    forcePathStyle: true,
  };
  return createS3BlobStore(options, undefined, abandonedUploadMs);
}

describe.skipIf(skip)("the S3 store", () => {
  // Runs the filesystem store's race tests (create vs GC) on a bucket of its own.
  chunkRefsSuite("chunk references vs garbage collection (S3 store)", async () => s3Store(await newBucket("refs")));

  let bucket: string;
  let blobs: BlobStore;
  beforeAll(async () => {
    await ensureDb();
    bucket = await newBucket("store");
    blobs = s3Store(bucket, "", 0); // every unfinished upload counts as abandoned here
  });

  it("writes a chunk once: racing writers all succeed and the first PUT stays", async () => {
    const key = `chunks/aa/${"a".repeat(64)}`;
    const bodies = Array.from({ length: 12 }, (_, i) => Buffer.from(`writer ${i} ${randomBytes(8).toString("hex")}`));
    await Promise.all(
      bodies.map(async (body) => {
        const batch = blobs.batch();
        await batch.put(key, body);
        await batch.commit();
      }),
    );
    const stored = await blobs.get(key);
    expect(bodies.some((b) => b.equals(stored!))).toBe(true);
    const late = blobs.batch();
    await late.put(key, Buffer.from("a late writer"));
    expect(await blobs.get(key)).toEqual(stored);
  });

  it("a create pins every chunk before its PUT and publishes the manifest after all of them; restores byte-exact", async () => {
    const dataDir = path.join(process.env.DATA_DIR!, "s3-create");
    // The store as the driver sees it, watched: every chunk PUT must find its reference
    // already committed, and the manifest PUT must find every chunk it names stored.
    const violations: string[] = [];
    const watched: BlobStore = {
      ...blobs,
      batch() {
        const inner = blobs.batch();
        return {
          ...inner,
          async put(key, data) {
            const hash = key.slice(key.lastIndexOf("/") + 1);
            if ((await prisma.snapshotChunk.count({ where: { hash } })) === 0) violations.push(`unpinned PUT ${hash}`);
            await inner.put(key, data);
          },
        };
      },
      async put(key, data) {
        if (key.startsWith("manifests/")) {
          const manifest = JSON.parse(String(data)) as { chunks: (string | null)[] };
          for (const h of new Set(manifest.chunks))
            if (h && (await blobs.size(`chunks/${h.slice(0, 2)}/${h}`)) === null) violations.push(`manifest before ${h}`);
        }
        await blobs.put(key, data);
      },
    };
    const driver = createLocalDriver({ dataDir, blobs: watched, throughputMbps: 0, chunkIndex: chunkRefs });
    await driver.createDisk(1, 48);
    const disk = driver.diskPath(1);
    await scribble(disk, 0, 20 * MIB);
    await scribble(disk, 30 * MIB, 3 * MIB);
    const first = await hashFile(disk);
    await driver.createSnapshot({ serverId: 1, snapshotId: 1, onProgress: () => {} });
    await scribble(disk, 5 * MIB, 256 * 1024);
    const second = await hashFile(disk);
    await driver.createSnapshot({ serverId: 1, snapshotId: 2, onProgress: () => {} });
    expect(violations).toEqual([]);

    // Snapshot 2 stored only what changed, and both restore byte for byte.
    const [m1, m2] = [await driver.storedSize(1), await driver.storedSize(2)];
    expect(m1).toBeGreaterThan(20 * MIB);
    expect(m2).toBeLessThan(2 * MIB); // one 1 MiB chunk (an S3 store's chunk size) of random data
    await driver.restoreSnapshot({ serverId: 2, snapshotId: 1, onProgress: () => {} });
    expect(await hashFile(driver.diskPath(2))).toBe(first);
    await driver.restoreSnapshot({ serverId: 2, snapshotId: 2, onProgress: () => {} });
    expect(await hashFile(driver.diskPath(2))).toBe(second);

    // Deleting both leaves the bucket without a chunk or manifest.
    await driver.deleteSnapshot(1);
    await driver.deleteSnapshot(2);
    await driver.collectGarbage();
    expect(await blobs.list("chunks/")).toEqual([]);
    expect(await blobs.list("manifests/")).toEqual([]);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("the sweep pages past 1,000 keys, removes chunks nobody references, keeps referenced ones, aborts abandoned uploads", async () => {
    const store = createChunkStore(blobs, chunkRefs);
    const hashes = Array.from({ length: 1_100 }, (_, i) => "cc" + i.toString(16).padStart(62, "0"));
    // 1,050 written by a create (pinned, then put, 32 at a time), 50 more with no row at all:
    // a writer that outlived its own failure, which only the listing finds.
    const batch = store.chunkBatch(500);
    await batch.prepare(hashes.slice(0, 1_050));
    for (let i = 0; i < 1_050; i += 32)
      await Promise.all(hashes.slice(i, Math.min(i + 32, 1_050)).map((h) => batch.put(h, Buffer.from(h))));
    await batch.commit();
    const client = s3TestClient();
    for (const h of hashes.slice(1_050))
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `chunks/${h.slice(0, 2)}/${h}`, Body: h }));
    const upload = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "manifests/99.json" }));
    expect(upload.UploadId).toBeTruthy();

    const listed = await blobs.list("chunks/");
    expect(listed.filter((k) => k.startsWith("chunks/cc")).length).toBe(1_100);

    // Snapshot 500 keeps 1,000 of its chunks; the sweep takes the other 100 and the upload.
    await chunkRefs.unpin(500, hashes.slice(1_000, 1_050));
    expect(await chunkRefs.unknown(hashes)).toEqual(hashes.slice(1_050));
    await store.collectGarbage();
    const left = (await blobs.list("chunks/")).filter((k) => k.startsWith("chunks/cc")).map((k) => k.slice(-64));
    const keep = new Set(hashes.slice(0, 1_000));
    expect(left.filter((h) => !keep.has(h)).map((h) => hashes.indexOf(h))).toEqual([]);
    expect(left.sort()).toEqual([...keep].sort());
    expect((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);

    await store.discard(500);
    expect((await blobs.list("chunks/")).filter((k) => k.startsWith("chunks/cc"))).toEqual([]);
  });
});

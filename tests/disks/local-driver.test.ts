// The local driver against real files: byte-exact round trips, dedupe, GC that keeps
// shared chunks, corruption detection, and a create racing a delete.
import { promises as fs } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CHUNK_SIZE } from "@/lib/disks/local";
import { chunkRefs } from "@/lib/jobs/chunk-refs";
import { writeDemoContent } from "@/lib/disks/demo-content";
import { packChunk } from "@/lib/disks/chunk-codec";
import { findFiles, hashFile, localDriver, MIB, scribble, tempFiles } from "./helpers";

const dataDir = path.join(process.env.DATA_DIR!, "local-driver");
const driver = localDriver(dataDir);
const chunkFiles = () => findFiles(path.join(dataDir, "snapshots", "chunks"), (n) => !n.endsWith(".tmp"));
const noProgress = () => {};

describe("local driver", () => {
  beforeAll(async () => {
    await driver.createDisk(1, 100);
    await writeDemoContent(driver.diskPath(1), 60);
  });

  it("creates sparse disks at DATA_DIR/disks/<id>.img and refuses to overwrite one", async () => {
    await driver.createDisk(9, 64);
    const stat = await fs.stat(path.join(dataDir, "disks", "9.img"));
    expect(stat.size).toBe(64 * MIB);
    expect(stat.blocks * 512).toBeLessThan(MIB); // sparse
    await expect(driver.createDisk(9, 64)).rejects.toThrow(/EEXIST/);
  });

  it("restores the disk byte for byte after it was overwritten", async () => {
    const disk = driver.diskPath(1);
    const before = await hashFile(disk);
    const progress: number[] = [];
    const size = await driver.createSnapshot({ serverId: 1, snapshotId: 1, onProgress: (p) => progress.push(p) });
    expect(size.sizeBytes).toBeGreaterThan(0);
    expect(size.sizeBytes).toBeLessThan(60 * MIB); // compressed
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    await scribble(disk, 0, 4096);
    await scribble(disk, 37 * MIB + 123, 3 * MIB);
    await scribble(disk, 100 * MIB - 10, 10);
    expect(await hashFile(disk)).not.toBe(before);

    await driver.restoreSnapshot({ serverId: 1, snapshotId: 1, onProgress: noProgress });
    expect(await hashFile(disk)).toBe(before);
    expect(await tempFiles(dataDir)).toEqual([]);
  });

  it("stores only the changed chunks of a second snapshot (1% change → ~1% new data)", async () => {
    const disk = driver.diskPath(1);
    const first = await driver.createSnapshot({ serverId: 1, snapshotId: 2, onProgress: noProgress });
    const chunksBefore = (await chunkFiles()).length;
    await scribble(disk, 50 * MIB, MIB); // 1% of the 100 MiB disk
    const second = await driver.createSnapshot({ serverId: 1, snapshotId: 3, onProgress: noProgress });
    expect((await chunkFiles()).length).toBe(chunksBefore + MIB / CHUNK_SIZE);
    expect(second.storedBytes).toBeGreaterThan(0);
    expect(second.storedBytes).toBeLessThan(1.1 * MIB); // ≈1% of the disk, random data is incompressible
    expect(second.storedBytes).toBeLessThan(first.sizeBytes / 10);
    expect(await driver.storedSize(3)).toBe(second.storedBytes);
    expect(second.sizeBytes).toBeGreaterThan(first.sizeBytes / 2); // on its own it is a full snapshot
  });

  it("deleting one of two snapshots that share chunks leaves the other restorable", async () => {
    const disk = driver.diskPath(1);
    const hash3 = await hashFile(disk); // snapshot 3 was taken of this content
    const before = (await chunkFiles()).length;
    await driver.deleteSnapshot(3);
    // Only the chunks unique to snapshot 3 are gone; the shared ones stay.
    expect((await chunkFiles()).length).toBe(before - MIB / CHUNK_SIZE);
    await driver.deleteSnapshot(3); // missing is fine

    await scribble(disk, 10 * MIB, 5 * MIB);
    await driver.createSnapshot({ serverId: 1, snapshotId: 4, onProgress: noProgress });
    await driver.deleteSnapshot(2);
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 1, onProgress: noProgress });
    const hash1 = await hashFile(disk);
    expect(hash1).not.toBe(hash3);
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 4, onProgress: noProgress });
    await driver.deleteSnapshot(1);
    await driver.deleteSnapshot(4);
    expect(await chunkFiles()).toEqual([]);
  });

  it("refuses a corrupt chunk with a clear error and leaves the disk untouched", async () => {
    const disk = driver.diskPath(1);
    await driver.createSnapshot({ serverId: 1, snapshotId: 5, onProgress: noProgress });
    const [victim] = await chunkFiles();
    const stored = await fs.readFile(victim);
    stored[Math.floor(stored.length / 2)] ^= 0xff;
    await fs.writeFile(victim, stored);
    await scribble(disk, 0, MIB);
    const before = await hashFile(disk);

    await expect(driver.restoreSnapshot({ serverId: 1, snapshotId: 5, onProgress: noProgress })).rejects.toThrow(
      /stored data is damaged.*disk left unchanged/,
    );
    expect(await hashFile(disk)).toBe(before);
    expect(await tempFiles(dataDir)).toEqual([]);

    await fs.unlink(victim); // a missing chunk is reported just as clearly
    await expect(driver.restoreSnapshot({ serverId: 1, snapshotId: 5, onProgress: noProgress })).rejects.toMatchObject({
      code: "snapshot_corrupt",
      cause: { message: /chunk [0-9a-f]{12}… is missing/ },
    });
    await driver.deleteSnapshot(5);
  });

  it("refuses a chunk that decompresses cleanly to other bytes (the SHA-256 check), wherever it sits", async () => {
    const disk = driver.diskPath(1);
    await driver.createSnapshot({ serverId: 1, snapshotId: 6, onProgress: noProgress });
    const manifest = JSON.parse(await fs.readFile(path.join(dataDir, "snapshots", "manifests", "6.json"), "utf8")) as {
      chunks: (string | null)[];
    };
    // A chunk deep in the disk (not the first of a restore's batch), swapped for a valid
    // zstd frame of the right length but different content.
    const hashes = manifest.chunks.filter((h): h is string => h !== null);
    const victim = hashes[Math.floor(hashes.length * 0.6)]!;
    const file = path.join(dataDir, "snapshots", "chunks", victim.slice(0, 2), victim);
    const original = await fs.readFile(file);
    await fs.writeFile(file, packChunk(Buffer.alloc(CHUNK_SIZE, 7)));
    await scribble(disk, 0, MIB);
    const before = await hashFile(disk);
    await expect(driver.restoreSnapshot({ serverId: 1, snapshotId: 6, onProgress: noProgress })).rejects.toMatchObject({
      code: "snapshot_corrupt",
      cause: { message: `chunk ${victim.slice(0, 12)}… does not match its SHA-256` },
    });
    expect(await hashFile(disk)).toBe(before);
    expect(await tempFiles(dataDir)).toEqual([]);
    await fs.writeFile(file, original);
    await driver.deleteSnapshot(6);
  });

  it("a create running while another snapshot is deleted keeps every chunk it uses", async () => {
    await driver.createDisk(2, 48);
    await writeDemoContent(driver.diskPath(2), 40);
    const expected = await hashFile(driver.diskPath(2));
    for (let round = 0; round < 3; round++) {
      await driver.createSnapshot({ serverId: 2, snapshotId: 10 + round * 2, onProgress: noProgress });
      await Promise.all([
        driver.createSnapshot({ serverId: 2, snapshotId: 11 + round * 2, onProgress: noProgress }),
        driver.deleteSnapshot(10 + round * 2),
      ]);
      await scribble(driver.diskPath(2), 0, 10);
      await driver.restoreSnapshot({ serverId: 2, snapshotId: 11 + round * 2, onProgress: noProgress });
      expect(await hashFile(driver.diskPath(2))).toBe(expected);
      await driver.deleteSnapshot(11 + round * 2);
    }
  });

  it("cleanupPartial removes crash leftovers; the store lists what it holds; GC keeps live chunks", async () => {
    const disk = driver.diskPath(2);
    await driver.createSnapshot({ serverId: 2, snapshotId: 20, onProgress: noProgress });
    await driver.createSnapshot({ serverId: 2, snapshotId: 21, onProgress: noProgress });
    await fs.writeFile(`${disk}.restore-20.tmp`, "half a disk");
    const [someChunk] = await chunkFiles();
    await chunkRefs.pin(22, [path.basename(someChunk!)]); // what a create killed mid-way leaves
    await driver.cleanupPartial({ serverId: 2, snapshotId: 22 });
    expect(await tempFiles(dataDir)).toEqual([]);
    expect(await chunkRefs.pinnedSnapshotIds()).not.toContain(22);
    await chunkRefs.pin(30, [path.basename(someChunk!)]);
    expect(await driver.storedSnapshotIds()).toEqual(expect.arrayContaining([20, 21, 30]));
    await driver.deleteSnapshot(21);
    await driver.deleteSnapshot(30);
    await driver.collectGarbage();
    expect(await driver.storedSize(21)).toBe(0);
    expect(await driver.storedSnapshotIds()).toContain(20);
    expect(await driver.storedSnapshotIds()).not.toEqual(expect.arrayContaining([21]));
    expect(await driver.storedSnapshotIds()).not.toEqual(expect.arrayContaining([30]));
    await scribble(disk, 0, MIB);
    await driver.restoreSnapshot({ serverId: 2, snapshotId: 20, onProgress: noProgress });
  });

  it("caps throughput when asked", async () => {
    const slow = localDriver(dataDir, 32);
    const started = Date.now();
    await slow.createSnapshot({ serverId: 2, snapshotId: 40, onProgress: noProgress }); // 48 MiB at 32 MB/s
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });
});

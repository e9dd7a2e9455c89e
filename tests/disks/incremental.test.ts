// The local store's incremental behaviour and its compatibility with stores written before
// 128 KiB zstd chunks: small scattered edits store about what changed, an unchanged disk
// stores nothing, a create publishes every chunk before it may commit, old stores restore.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeDemoContent } from "@/lib/disks/demo-content";
import { prisma } from "@/lib/server/db";
import { findFiles, forgetChunkRefs, hashFile, localDriver, tempFiles } from "./helpers";

const PIECE = 64 * 1024;
const noProgress = () => {};

async function setup(name: string) {
  await forgetChunkRefs();
  const dataDir = path.join(process.env.DATA_DIR!, name);
  const driver = localDriver(dataDir);
  const chunkFiles = () => findFiles(path.join(dataDir, "snapshots", "chunks"), (n) => !n.endsWith(".tmp"));
  return { dataDir, driver, chunkFiles };
}

/** Overwrites `count` 64 KiB pieces that hold data with random bytes, as the bench does. */
async function editPieces(file: string, count: number): Promise<number> {
  const handle = await fs.open(file, "r+");
  try {
    const pieces = (await handle.stat()).size / PIECE;
    const probe = Buffer.alloc(PIECE);
    const done = new Set<number>();
    for (let i = 0; done.size < count; i++) {
      const piece = (i * 7919) % pieces; // spread over the disk, deterministic
      await handle.read(probe, 0, PIECE, piece * PIECE);
      if (done.has(piece) || probe.every((b) => b === 0)) continue;
      await handle.write(randomBytes(PIECE), 0, PIECE, piece * PIECE);
      done.add(piece);
    }
  } finally {
    await handle.close();
  }
  return count * PIECE;
}

describe("local store increments", () => {
  it("a second snapshot after scattered 64 KiB edits stores at most 2× the changed bytes", async () => {
    const { driver } = await setup("increments");
    await driver.createDisk(1, 64);
    await writeDemoContent(driver.diskPath(1), 40);
    const first = await driver.createSnapshot({ serverId: 1, snapshotId: 1, onProgress: noProgress });
    const changed = await editPieces(driver.diskPath(1), 24);
    const second = await driver.createSnapshot({ serverId: 1, snapshotId: 2, onProgress: noProgress });
    expect(second.storedBytes).toBeGreaterThanOrEqual(changed * 0.9); // random bytes do not compress
    expect(second.storedBytes).toBeLessThanOrEqual(2 * changed);
    expect(second.sizeBytes).toBeGreaterThan(first.sizeBytes / 2);

    const expected = await hashFile(driver.diskPath(1));
    await editPieces(driver.diskPath(1), 3);
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 2, onProgress: noProgress });
    expect(await hashFile(driver.diskPath(1))).toBe(expected);
  });

  it("a snapshot of an unchanged disk stores nothing new", async () => {
    const { driver, chunkFiles } = await setup("unchanged");
    await driver.createDisk(1, 32);
    await writeDemoContent(driver.diskPath(1), 20);
    await driver.createSnapshot({ serverId: 1, snapshotId: 1, onProgress: noProgress });
    const files = (await chunkFiles()).sort();
    const again = await driver.createSnapshot({ serverId: 1, snapshotId: 2, onProgress: noProgress });
    expect(again.storedBytes).toBe(0);
    expect(await driver.storedSize(2)).toBe(0);
    expect((await chunkFiles()).sort()).toEqual(files);
  });

  it("every chunk a create names is published under its final name before the commit hook runs", async () => {
    const { dataDir, driver } = await setup("publish");
    await driver.createDisk(1, 32);
    await writeDemoContent(driver.diskPath(1), 20);
    let checked = 0;
    await driver.createSnapshot({
      serverId: 1,
      snapshotId: 1,
      onProgress: noProgress,
      beforeCommit: async () => {
        expect(await tempFiles(dataDir)).toEqual([]);
        for (const { hash } of await prisma.snapshotChunk.findMany({ where: { snapshotId: 1 } })) {
          await fs.access(path.join(dataDir, "snapshots", "chunks", hash.slice(0, 2), hash));
          checked++;
        }
      },
    });
    expect(checked).toBeGreaterThan(0);
  });

  it("a create that fails before its commit leaves no chunk and no temp file behind", async () => {
    const { dataDir, driver, chunkFiles } = await setup("abandoned");
    await driver.createDisk(1, 32);
    await writeDemoContent(driver.diskPath(1), 20);
    const lost = new Error("lease lost");
    await expect(
      driver.createSnapshot({ serverId: 1, snapshotId: 1, onProgress: noProgress, beforeCommit: () => Promise.reject(lost) }),
    ).rejects.toBe(lost);
    const aborted = new AbortController();
    await expect(
      driver.createSnapshot({
        serverId: 1,
        snapshotId: 2,
        signal: aborted.signal,
        onProgress: (p) => p >= 40 && aborted.abort(),
      }),
    ).rejects.toThrow(/abort/i);
    expect(await chunkFiles()).toEqual([]);
    expect(await tempFiles(dataDir)).toEqual([]);
    expect(await driver.storedSize(1)).toBe(0);
  });

  it("skipping holes through qemu-img map gives the same snapshot as reading the whole disk", async () => {
    const { dataDir, driver } = await setup("holes");
    await driver.createDisk(1, 40);
    const disk = driver.diskPath(1);
    await writeDemoContent(disk, 12);
    const handle = await fs.open(disk, "r+");
    await handle.write(randomBytes(100), 0, 100, 1); // data inside the first chunk, and the last bytes
    await handle.write(randomBytes(10), 0, 10, 40 * 1024 * 1024 - 10);
    await handle.close();
    const manifest = async (id: number) =>
      JSON.parse(await fs.readFile(path.join(dataDir, "snapshots", "manifests", `${id}.json`), "utf8")) as { chunks: unknown[] };
    await driver.createSnapshot({ serverId: 1, snapshotId: 1, onProgress: noProgress });
    // Without qemu-img on the PATH the map is unavailable and every byte is read.
    const onlySync = path.join(dataDir, "bin");
    await fs.mkdir(onlySync);
    await fs.symlink(execFileSync("sh", ["-c", "command -v sync"], { encoding: "utf8" }).trim(), path.join(onlySync, "sync"));
    const pathBefore = process.env.PATH;
    process.env.PATH = onlySync;
    try {
      await driver.createSnapshot({ serverId: 1, snapshotId: 2, onProgress: noProgress });
    } finally {
      process.env.PATH = pathBefore;
    }
    expect((await manifest(1)).chunks).toEqual((await manifest(2)).chunks);
    const expected = await hashFile(disk);
    await fs.writeFile(disk, randomBytes(1024), { flag: "r+" });
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 1, onProgress: noProgress });
    expect(await hashFile(disk)).toBe(expected);
  });

  it("restores a snapshot from a store written before zstd and 128 KiB chunks (1 MiB Brotli)", async () => {
    const { dataDir, driver, chunkFiles } = await setup("old-store");
    const fixture = path.join(__dirname, "../fixtures/store-v1");
    await fs.cp(path.join(fixture, "snapshots"), path.join(dataDir, "snapshots"), { recursive: true });
    const expected = (await fs.readFile(path.join(fixture, "disk-1.sha256"), "utf8")).trim();
    await driver.createDisk(1, 4);
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 7, onProgress: noProgress });
    expect(await hashFile(driver.diskPath(1))).toBe(expected);

    // New snapshots live beside the old ones, and deleting the old one frees its chunks.
    const old = await chunkFiles();
    await driver.createSnapshot({ serverId: 1, snapshotId: 8, onProgress: noProgress });
    await driver.deleteSnapshot(7);
    expect((await chunkFiles()).filter((f) => old.includes(f))).toEqual([]);
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 8, onProgress: noProgress });
    expect(await hashFile(driver.diskPath(1))).toBe(expected);
  });

  it("takes over a store from before the references: manifests and journals become references, strays are collected", async () => {
    const { dataDir, driver, chunkFiles } = await setup("takeover");
    const fixture = path.join(__dirname, "../fixtures/store-v1");
    const store = path.join(dataDir, "snapshots");
    await fs.cp(path.join(fixture, "snapshots"), store, { recursive: true });
    const manifestChunks = (
      JSON.parse(await fs.readFile(path.join(store, "manifests", "7.json"), "utf8")) as { chunks: (string | null)[] }
    ).chunks;
    const listed = [...new Set(manifestChunks.filter((h): h is string => !!h))].sort();
    // What an older version leaves: a journal of a create in progress, a stray chunk, its lock.
    const [journalled] = listed;
    const stray = "f".repeat(64);
    await fs.mkdir(path.join(store, "journals"));
    await fs.writeFile(path.join(store, "journals", "9.refs"), `${journalled}\n`);
    await fs.mkdir(path.join(store, "chunks", "ff"));
    await fs.writeFile(path.join(store, "chunks", "ff", stray), "garbage");
    await fs.symlink("12345@old-host", path.join(store, "store.lock"));

    await driver.collectGarbage();
    const refs = async (snapshotId: number) =>
      (await prisma.snapshotChunk.findMany({ where: { snapshotId }, orderBy: { hash: "asc" } })).map((r) => r.hash);
    expect(await refs(7)).toEqual(listed);
    expect(await refs(9)).toEqual([journalled]);
    expect((await chunkFiles()).map((f) => path.basename(f)).sort()).toEqual(listed);
    expect(await fs.readdir(store)).toEqual(expect.arrayContaining(["refs-backfilled"]));
    expect(await fs.readdir(store)).not.toContain("store.lock");
    expect(await fs.readdir(path.join(store, "journals"))).toEqual([]);
    expect(await driver.storedSnapshotIds()).toEqual(expect.arrayContaining([7, 9]));

    await driver.createDisk(1, 4);
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 7, onProgress: noProgress });
    expect(await hashFile(driver.diskPath(1))).toBe((await fs.readFile(path.join(fixture, "disk-1.sha256"), "utf8")).trim());
  });
});

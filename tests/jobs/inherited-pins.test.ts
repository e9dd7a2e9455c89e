// An incremental create pins the server's previous snapshot's chunks in one statement
// (chunk-refs.ts, inherit) and drops the ones it did not use before it commits: its
// references are exactly its manifest's chunks, also when the previous snapshot is deleted
// while it runs, and what it stores restores byte for byte.
import { promises as fs } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { createSnapshot } from "@/lib/server/snapshots";
import { getDiskDriver } from "@/lib/disks/get-driver";
import { startWorker } from "@/lib/jobs/runner";
import type { Actor } from "@/lib/server/actor";
import { hashFile, scribble, MIB } from "../disks/helpers";
import { operationOf, seedActor, seedServer, waitForOperationEnd } from "./helpers";

const store = path.join(process.env.DATA_DIR!, "snapshots");
let actor: Actor;

beforeAll(async () => {
  await ensureDb();
  actor = await seedActor();
});

async function manifestChunks(snapshotId: number): Promise<string[]> {
  const manifest = JSON.parse(await fs.readFile(path.join(store, "manifests", `${snapshotId}.json`), "utf8"));
  return [...new Set((manifest.chunks as (string | null)[]).filter((h): h is string => h !== null))].sort();
}
const refsOf = async (snapshotId: number) =>
  (await prisma.snapshotChunk.findMany({ where: { snapshotId }, select: { hash: true } })).map((r) => r.hash).sort();

/** A completed snapshot of the server, taken by the operation worker. */
async function snapshotOf(serverId: number, name: string): Promise<number> {
  const snap = await createSnapshot(actor, { server_id: serverId, name });
  const worker = startWorker({ pollMs: 50 });
  try {
    expect((await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id)).status).toBe("completed");
  } finally {
    await worker.stop();
  }
  return snap.id;
}

describe("inherited chunk references", () => {
  it("a second snapshot references exactly its own chunks, and restores byte for byte", async () => {
    const server = await seedServer(actor, { diskMb: 24, contentMb: 16 });
    const disk = getDiskDriver().diskPath(server.id);
    await scribble(disk, 5 * MIB, MIB); // chunks only this snapshot has…
    const first = await snapshotOf(server.id, "first");
    await scribble(disk, 5 * MIB + 4096, 300_000); // …three of them replaced, one changed twice
    await scribble(disk, 5 * MIB + 200_000, 1000);
    const expected = await hashFile(disk);
    const second = await snapshotOf(server.id, "second");

    const [a, b] = [await manifestChunks(first), await manifestChunks(second)];
    expect(a.filter((h) => !b.includes(h)).length).toBeGreaterThan(0); // the edits replaced some chunks
    expect(await refsOf(second)).toEqual(b);
    expect(await refsOf(first)).toEqual(a);

    await scribble(disk, 0, 2 * MIB);
    await getDiskDriver().restoreSnapshot({ serverId: server.id, snapshotId: second, onProgress: () => {} });
    expect(await hashFile(disk)).toBe(expected);
  });

  it("the previous snapshot deleted mid-create: the chunks only it used go, the new snapshot keeps all of its own", async () => {
    const server = await seedServer(actor, { diskMb: 24, contentMb: 16 });
    const driver = getDiskDriver();
    const disk = driver.diskPath(server.id);
    const first = await snapshotOf(server.id, "first");
    await scribble(disk, 2 * MIB, 3 * MIB);
    const expected = await hashFile(disk);

    // Driven directly, so the previous snapshot can be deleted after the create inherited its chunks.
    const next = 1_000_000 + server.id;
    const firstChunks = await manifestChunks(first);
    let refsAtStart: string[] = [];
    let deleted: Promise<void> | null = null;
    await driver.createSnapshot({
      serverId: server.id,
      snapshotId: next,
      onProgress: () =>
        void (deleted ??= refsOf(next).then((refs) => {
          refsAtStart = refs;
          return driver.deleteSnapshot(first);
        })),
    });
    await deleted;
    // After its first block the create already referenced every chunk of the previous snapshot.
    expect(firstChunks.length).toBeGreaterThan(64);
    expect(refsAtStart).toEqual(expect.arrayContaining(firstChunks));
    const own = await manifestChunks(next);
    expect(await refsOf(next)).toEqual(own);
    expect(await refsOf(first)).toEqual([]);
    // No chunk row is left without a reference, and every chunk the snapshot names is stored.
    expect(await prisma.chunk.count({ where: { refs: { none: {} } } })).toBe(0);
    for (const hash of own) await expect(fs.stat(path.join(store, "chunks", hash.slice(0, 2), hash))).resolves.toBeTruthy();

    await scribble(disk, 0, MIB);
    await driver.restoreSnapshot({ serverId: server.id, snapshotId: next, onProgress: () => {} });
    expect(await hashFile(disk)).toBe(expected);
    await driver.deleteSnapshot(next);
  });
});

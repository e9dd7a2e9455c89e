// The runner in-process: create and restore end to end through the API's domain
// functions, failures that release the server, retries capped, heartbeats.
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { prisma, ensureDb } from "@/lib/server/db";
import { createSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { getDiskDriver } from "@/lib/disks/get-driver";
import { startWorker } from "@/lib/jobs/runner";
import type { Actor } from "@/lib/server/actor";
import { hashFile, scribble, tempFiles, MIB } from "../disks/helpers";
import { operationOf, seedActor, seedServer, waitFor, waitForOperationEnd } from "./helpers";

let actor: Actor;
let worker: { stop(): Promise<unknown> } | null = null;
const dataDir = process.env.DATA_DIR!;

beforeAll(async () => {
  await ensureDb();
  actor = await seedActor();
});
afterEach(async () => {
  await worker?.stop();
  worker = null;
});

describe("operation runner", () => {
  it("creates a snapshot, then restores it byte for byte and returns the server to its power state", async () => {
    const server = await seedServer(actor, { diskMb: 24, contentMb: 16, status: "active" });
    const disk = getDiskDriver().diskPath(server.id);
    const original = await hashFile(disk);
    const snap = await createSnapshot(actor, { server_id: server.id, name: "before-update" });
    worker = startWorker({ pollMs: 50 });

    const createOp = await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id);
    expect(createOp).toMatchObject({ status: "completed", progress: 100, attempts: 1, error: null, leaseOwner: null });
    const row = await prisma.snapshot.findUniqueOrThrow({ where: { id: snap.id } });
    expect(row).toMatchObject({ status: "completed", progress: 100, error: null });
    expect(row.sizeMb).toBeGreaterThan(0);
    expect(row.completedAt).toBeInstanceOf(Date);
    expect(Number(row.storedBytes)).toBeGreaterThan(0);
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).activeOperationId).toBeNull();

    await scribble(disk, 3 * MIB, 2 * MIB);
    const restore = await restoreSnapshot(actor, snap.id);
    expect(restore.server.status).toBe("restoring");
    const restoreOp = await waitForOperationEnd((await operationOf(snap.id, "snapshot_restore")).id);
    expect(restoreOp).toMatchObject({ status: "completed", progress: 100 });
    expect(await hashFile(disk)).toBe(original);
    expect(await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).toMatchObject({
      status: "active",
      activeOperationId: null,
    });
    expect(await tempFiles(dataDir)).toEqual([]);
  });

  it("fails a restore from a corrupt store cleanly: error recorded, disk unchanged, server released", async () => {
    const server = await seedServer(actor, { diskMb: 8, contentMb: 6 });
    const snap = await createSnapshot(actor, { server_id: server.id, name: "soon-corrupt" });
    worker = startWorker({ pollMs: 50 });
    await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id);
    const manifest = JSON.parse(await fs.readFile(path.join(dataDir, "snapshots", "manifests", `${snap.id}.json`), "utf8"));
    const hash = manifest.chunks.find(Boolean) as string;
    await fs.writeFile(path.join(dataDir, "snapshots", "chunks", hash.slice(0, 2), hash), "garbage");
    const disk = getDiskDriver().diskPath(server.id);
    await scribble(disk, 0, MIB);
    const before = await hashFile(disk);

    await restoreSnapshot(actor, snap.id);
    const op = await waitForOperationEnd((await operationOf(snap.id, "snapshot_restore")).id);
    expect(op.status).toBe("failed");
    expect(op).toMatchObject({ errorCode: "snapshot_corrupt", error: expect.stringMatching(/damaged.*disk left unchanged/) });
    expect(await hashFile(disk)).toBe(before);
    expect(await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).toMatchObject({
      status: "stopped",
      activeOperationId: null,
    });
  });

  it("fails a create whose disk cannot be read, with a code, a sentence without internals, and nothing stored", async () => {
    const server = await seedServer(actor, { diskMb: 4, contentMb: 2 });
    await fs.unlink(getDiskDriver().diskPath(server.id));
    const snap = await createSnapshot(actor, { server_id: server.id, name: "no-disk" });
    worker = startWorker({ pollMs: 50 });
    const op = await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id);
    expect(op.status).toBe("failed");
    const row = await prisma.snapshot.findUniqueOrThrow({ where: { id: snap.id } });
    expect(row.status).toBe("failed");
    expect(row.errorCode).toBe("internal_error");
    expect(row.error).toMatch(/internal error/);
    expect(row.error).not.toMatch(/\/|ENOENT|no such file/); // no path, no errno text
    // Its stored data is removed by the worker's deletion queue, not by the failing path.
    await waitFor("the deletion queue to drain", async () => (await prisma.pendingDeletion.count()) === 0);
    expect(await getDiskDriver().storedSize(snap.id)).toBe(0);
    expect(await prisma.snapshotChunk.count({ where: { snapshotId: snap.id } })).toBe(0);
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).activeOperationId).toBeNull();
  });

  it("gives up on an operation interrupted too often, releasing the server and the limit", async () => {
    const server = await seedServer(actor, { diskMb: 4, contentMb: 2 });
    const snap = await createSnapshot(actor, { server_id: server.id, name: "crashy" });
    const queued = await operationOf(snap.id, "snapshot_create");
    // As if three workers had claimed it and died.
    await prisma.$transaction((tx) =>
      tx.operation.update({
        where: { id: queued.id },
        data: { status: "running", attempts: 3, leaseOwner: "elsewhere:1:x", leaseExpiresAt: new Date(Date.now() - 1000) },
      }),
    );
    worker = startWorker({ pollMs: 50 });
    const op = await waitForOperationEnd(queued.id);
    expect(op).toMatchObject({ status: "failed", attempts: 4 });
    expect(op).toMatchObject({ errorCode: "interrupted", error: expect.stringMatching(/interrupted too often/) });
    expect(await prisma.snapshot.count({ where: { serverId: server.id, status: { in: ["in_progress", "completed"] } } })).toBe(0);
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).activeOperationId).toBeNull();
  });

  it("never runs one operation twice with several workers in one process", async () => {
    const servers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => seedServer(actor, { diskMb: 4, contentMb: 3 })));
    const snaps: Awaited<ReturnType<typeof createSnapshot>>[] = [];
    for (const s of servers) snaps.push(await createSnapshot(actor, { server_id: s.id, name: "parallel" }));
    const workers = [startWorker({ pollMs: 10 }), startWorker({ pollMs: 10 }), startWorker({ pollMs: 10 })];
    try {
      for (const snap of snaps) {
        const op = await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id);
        expect(op).toMatchObject({ status: "completed", attempts: 1 });
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it("keeps a heartbeat row while running and removes it on stop", async () => {
    const w = startWorker({ pollMs: 50, workerId: "test-host:1:heartbeat" });
    await expectEventually(async () => (await prisma.workerHeartbeat.count({ where: { id: "test-host:1:heartbeat" } })) === 1);
    await w.stop();
    expect(await prisma.workerHeartbeat.count({ where: { id: "test-host:1:heartbeat" } })).toBe(0);
  });
});

async function expectEventually(probe: () => Promise<boolean>) {
  for (let i = 0; i < 100 && !(await probe()); i++) await new Promise((r) => setTimeout(r, 20));
  expect(await probe()).toBe(true);
}

// The worker as a real child process (`tsx scripts/worker.ts`), killed with SIGKILL in
// the middle of a snapshot and of a restore, then restarted: the operation must end
// within seconds, the disk be wholly old or wholly new, no temp file remain, and the
// snapshot limit count stay right. Also: two worker processes never share an operation.
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma, ensureDb } from "@/lib/server/db";
import { createSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { getDiskDriver } from "@/lib/disks/get-driver";
import { chunkRefs } from "@/lib/jobs/chunk-refs";
import type { Actor } from "@/lib/server/actor";
import { hashFile, scribble, tempFiles, MIB } from "../disks/helpers";
import {
  claimedOperations,
  killHard,
  operationOf,
  seedActor,
  seedServer,
  workerProcessesPerTest,
  waitFor,
  waitForOperationEnd,
} from "./helpers";

const dataDir = process.env.DATA_DIR!;
const SLOW = { SNAPDECK_DISK_THROUGHPUT_MBPS: "12" }; // 48 MiB disk → ~4 s per operation
let actor: Actor;
const start = workerProcessesPerTest();

beforeAll(async () => {
  await ensureDb();
  actor = await seedActor();
});

const progressOf = async (id: string) => (await prisma.operation.findUniqueOrThrow({ where: { id } })).progress;
const counted = (serverId: number) =>
  prisma.snapshot.count({ where: { serverId, status: { in: ["in_progress", "completed"] } } });
/** Snapshot ids holding chunk references that are not completed snapshots (a crash's leftovers). */
const strayRefs = async () => {
  const completed = new Set(
    (await prisma.snapshot.findMany({ where: { status: "completed" }, select: { id: true } })).map((s) => s.id),
  );
  return (await chunkRefs.pinnedSnapshotIds()).filter((id) => !completed.has(id));
};
/**
 * The temp files left in the store: none once the restarted worker's startup sweep, which
 * runs beside its operations, has removed the killed one's (under load the operation can
 * end first).
 */
const tempFilesAfterSweep = async () => {
  await waitFor("the startup sweep", async () => (await tempFiles(dataDir)).length === 0, 20_000).catch(() => {});
  return tempFiles(dataDir);
};

describe("worker crash recovery (child processes)", () => {
  it("redoes a snapshot whose worker was killed mid-way", async () => {
    const server = await seedServer(actor, { diskMb: 48, contentMb: 40 });
    const diskHash = await hashFile(getDiskDriver().diskPath(server.id));
    const snap = await createSnapshot(actor, { server_id: server.id, name: "killed-mid-way" });
    const op = await operationOf(snap.id, "snapshot_create");

    const first = start(SLOW);
    await waitFor("snapshot progress", async () => (await progressOf(op.id)) >= 20, 30_000);
    await killHard(first);
    const mid = await prisma.snapshot.findUniqueOrThrow({ where: { id: snap.id } });
    expect(mid.status).toBe("in_progress");
    expect(mid.progress).toBeGreaterThan(0); // progress reached the snapshot row too
    expect(mid.progress).toBeLessThan(100);

    const restartedAt = Date.now();
    start();
    const done = await waitForOperationEnd(op.id, 15_000);
    expect(Date.now() - restartedAt).toBeLessThan(15_000);
    expect(done).toMatchObject({ status: "completed", attempts: 2 });
    expect(await counted(server.id)).toBe(1);
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).activeOperationId).toBeNull();
    expect(await tempFilesAfterSweep()).toEqual([]);
    expect(await strayRefs()).toEqual([]);

    // The redone snapshot is whole: it restores to the disk as it was.
    await scribble(getDiskDriver().diskPath(server.id), 0, 2 * MIB);
    await getDiskDriver().restoreSnapshot({ serverId: server.id, snapshotId: snap.id, onProgress: () => {} });
    expect(await hashFile(getDiskDriver().diskPath(server.id))).toBe(diskHash);
  });

  it("keeps the disk wholly old or wholly new when the worker dies mid-restore", async () => {
    const server = await seedServer(actor, { diskMb: 48, contentMb: 40, status: "active" });
    const disk = getDiskDriver().diskPath(server.id);
    const snap = await createSnapshot(actor, { server_id: server.id, name: "restore-me" });
    const w = start();
    await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id);
    await killHard(w);
    const newHash = await hashFile(disk);
    await scribble(disk, 5 * MIB, 10 * MIB);
    const oldHash = await hashFile(disk);

    await restoreSnapshot(actor, snap.id);
    const op = await operationOf(snap.id, "snapshot_restore");
    const first = start(SLOW);
    await waitFor("restore progress", async () => (await progressOf(op.id)) >= 20, 30_000);
    await killHard(first);
    expect(await hashFile(disk)).toBe(oldHash); // not a mix: the temp file was never renamed
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).status).toBe("restoring");

    start();
    const done = await waitForOperationEnd(op.id, 15_000);
    expect(done.status).toBe("completed");
    expect(await hashFile(disk)).toBe(newHash);
    expect(await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).toMatchObject({
      status: "active",
      activeOperationId: null,
    });
    expect(await tempFilesAfterSweep()).toEqual([]);
    expect(await counted(server.id)).toBe(1);
  });

  it("SIGTERM stops a worker cleanly: its operation goes back to the queue and its heartbeat row away", async () => {
    const server = await seedServer(actor, { diskMb: 48, contentMb: 40 });
    const snap = await createSnapshot(actor, { server_id: server.id, name: "interrupted" });
    const op = await operationOf(snap.id, "snapshot_create");
    const w = start(SLOW);
    await waitFor("progress", async () => (await progressOf(op.id)) >= 10, 30_000);
    expect(await prisma.workerHeartbeat.count()).toBeGreaterThanOrEqual(1);
    w.child.kill("SIGTERM");
    expect(await w.exited).toBe(0);
    expect(await prisma.operation.findUniqueOrThrow({ where: { id: op.id } })).toMatchObject({
      status: "queued",
      leaseOwner: null,
      attempts: 0,
    });
    expect(await prisma.workerHeartbeat.count()).toBe(0);
    expect(await strayRefs()).toEqual([]);
    start();
    expect((await waitForOperationEnd(op.id)).status).toBe("completed");
  });

  it("SIGTERM is bounded even while a handler is stuck in I/O: the worker exits and the operation is requeued", async () => {
    const server = await seedServer(actor, { diskMb: 4, contentMb: 2 });
    const disk = getDiskDriver().diskPath(server.id);
    await fs.unlink(disk);
    execFileSync("mkfifo", [disk]); // opening it for reading blocks until a writer comes: forever
    const snap = await createSnapshot(actor, { server_id: server.id, name: "stuck" });
    const op = await operationOf(snap.id, "snapshot_create");
    const w = start();
    await waitFor(
      "the claim",
      async () => (await prisma.operation.findUniqueOrThrow({ where: { id: op.id } })).status === "running",
      30_000,
    );
    w.child.kill("SIGTERM");
    await w.exited; // killed by itself: Node cannot exit normally while a thread is blocked in open()
    expect(w.output()).toContain("handler did not stop in time; operation put back in the queue");
    expect(await prisma.operation.findUniqueOrThrow({ where: { id: op.id } })).toMatchObject({
      status: "queued",
      leaseOwner: null,
    });
    expect(await prisma.workerHeartbeat.count()).toBe(0);

    await fs.unlink(disk); // the disk is healthy again: the requeued operation now completes
    await getDiskDriver().createDisk(server.id, 4);
    start();
    expect((await waitForOperationEnd(op.id, 30_000)).status).toBe("completed");
  });

  it("two worker processes on one database never execute the same operation", async () => {
    const servers: Awaited<ReturnType<typeof seedServer>>[] = [];
    for (let i = 0; i < 8; i++) servers.push(await seedServer(actor, { diskMb: 6, contentMb: 4 }));
    const a = start({ SNAPDECK_DISK_THROUGHPUT_MBPS: "24" });
    const b = start({ SNAPDECK_DISK_THROUGHPUT_MBPS: "24" });
    await waitFor("both workers up", async () => (await prisma.workerHeartbeat.count()) >= 2, 30_000);
    const ops: string[] = [];
    for (const s of servers) {
      const snap = await createSnapshot(actor, { server_id: s.id, name: "race" });
      ops.push((await operationOf(snap.id, "snapshot_create")).id);
    }
    for (const id of ops) expect(await waitForOperationEnd(id, 30_000)).toMatchObject({ status: "completed", attempts: 1 });
    const claimed = [...claimedOperations(a), ...claimedOperations(b)].filter((id) => ops.includes(id));
    expect(claimed.sort()).toEqual([...ops].sort()); // each exactly once across both processes
    expect(claimedOperations(a).length).toBeGreaterThan(0);
    expect(claimedOperations(b).length).toBeGreaterThan(0);
  });
});

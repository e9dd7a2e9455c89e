// Start-up recovery. Expired leases are reclaimed by the normal claim loop anyway; this
// only makes it immediate for workers on this host that are certainly dead (their pid is
// gone), and queues the removal of stored data whose snapshot was deleted or failed.
import "server-only";
import os from "node:os";
import { prisma } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";
import { isAlive } from "@/lib/disks/pids";
import type { DiskDriver } from "@/lib/disks/driver";
import { enqueueDeletion } from "@/lib/server/deletions";

/** Worker ids are "<hostname>:<pid>:<random>", so a dead local owner is recognisable. */
export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

function isDeadLocalWorker(workerId: string): boolean {
  const [host, pid] = workerId.split(":");
  return host === os.hostname() && !isAlive(Number(pid));
}

export async function expireDeadLocalLeases(): Promise<number> {
  const running = await prisma.operation.findMany({ where: { status: "running" }, select: { id: true, leaseOwner: true } });
  let expired = 0;
  for (const op of running) {
    if (!op.leaseOwner || !isDeadLocalWorker(op.leaseOwner)) continue;
    const { count } = await prisma.$transaction((tx) =>
      tx.operation.updateMany({
        where: { id: op.id, status: "running", leaseOwner: op.leaseOwner },
        data: { leaseExpiresAt: new Date(0) },
      }),
    );
    expired += count;
  }
  const rows = await prisma.workerHeartbeat.findMany({ select: { id: true } });
  const dead = rows.filter((r) => isDeadLocalWorker(r.id)).map((r) => r.id);
  if (dead.length) await prisma.$transaction((tx) => tx.workerHeartbeat.deleteMany({ where: { id: { in: dead } } }));
  if (expired) logger.info({ expired }, "reclaiming operations of dead workers");
  return expired;
}

/**
 * Queues the stored data of snapshots that were deleted or failed (e.g. a crash before the
 * deletion was queued), then collects unreferenced chunks. Safe while other processes
 * create snapshots, because of the order: the store is listed FIRST and the rows are read
 * AFTER. A create writes data only for a snapshot whose row was committed before its
 * operation could be claimed, so any id found in the listing already had its row when the
 * rows are read: absent then means deleted, and failed is final. Plain model queries only.
 */
export async function sweepStore(driver: DiskDriver): Promise<number> {
  const stored = await driver.storedSnapshotIds();
  const live = await prisma.snapshot.findMany({ where: { id: { in: stored }, status: { not: "failed" } }, select: { id: true } });
  const keep = new Set(live.map((r) => r.id));
  const orphans = stored.filter((id) => !keep.has(id));
  for (const id of orphans) await prisma.$transaction((tx) => enqueueDeletion(tx, id));
  await driver.collectGarbage();
  if (orphans.length) logger.info({ orphans: orphans.length }, "queued stored data of deleted or failed snapshots for removal");
  return orphans.length;
}

// Start-up recovery. Expired leases are reclaimed by the normal claim loop anyway; this
// only makes it immediate for workers on this host that are certainly dead (their pid is
// gone), and sweeps the store of data whose snapshot was deleted or failed.
import os from "node:os";
import { prisma } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";
import { isAlive } from "@/lib/disks/store-lock";
import type { DiskDriver } from "@/lib/disks/driver";

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
      tx.operation.updateMany({ where: { id: op.id, status: "running", leaseOwner: op.leaseOwner }, data: { leaseExpiresAt: new Date(0) } }),
    );
    expired += count;
  }
  const rows = await prisma.workerHeartbeat.findMany({ select: { id: true } });
  const dead = rows.filter((r) => isDeadLocalWorker(r.id)).map((r) => r.id);
  if (dead.length) await prisma.$transaction((tx) => tx.workerHeartbeat.deleteMany({ where: { id: { in: dead } } }));
  if (expired) logger.info({ expired }, "reclaiming operations of dead workers");
  return expired;
}

/** Removes stored data of snapshots that were deleted or failed (e.g. a crash mid-delete). */
export async function sweepStore(driver: DiskDriver): Promise<void> {
  const rows = await prisma.snapshot.findMany({ select: { id: true, status: true } });
  const keep = new Set(rows.filter((r) => r.status !== "failed").map((r) => r.id));
  const maxId = rows.reduce((max, r) => Math.max(max, r.id), 0);
  // Deleted rows above the highest remaining id leave data nothing would ever sweep, so
  // the id counter (SQLite AUTOINCREMENT never reuses ids) bounds the sweep instead.
  const seq = await prisma.$queryRawUnsafe<{ seq: number }[]>("SELECT seq FROM sqlite_sequence WHERE name = 'Snapshot'").catch(() => []);
  await driver.sweepOrphans({ keep, maxId: Math.max(maxId, Number(seq[0]?.seq ?? 0)) });
}

// Leases: an operation belongs to the worker named in leaseOwner until leaseExpiresAt.
// Claiming is one compare-and-swap UPDATE (status queued, or running with an expired
// lease), the first statement of its transaction after a clock read that touches no
// table, so SQLite takes the write lock before anything else and two worker processes can
// never both win (PostgreSQL: the row lock and a re-check of the condition). Every later write by the
// worker repeats the CAS on (id, leaseOwner, status running): a worker that lost its lease
// can no longer change anything. Time is the database's (databaseNow), read inside the
// transaction that compares or sets a lease: a worker whose own clock runs ahead cannot see
// a live lease as expired.
import "server-only";
import { databaseNow, prisma } from "@/lib/server/db";
import type { Operation, Prisma } from "@/lib/generated/prisma/client";

/** Short, so a killed worker's operation is picked up again within seconds. */
export const LEASE_MS = 10_000;
/** Renewal period; several renewals fit in one lease, so a busy event loop is tolerated. */
export const HEARTBEAT_MS = 2_500;
export const MAX_ATTEMPTS = 3;

export class LeaseLostError extends Error {
  constructor(operationId: string) {
    super(`Lost the lease on operation ${operationId}; another worker owns it now.`);
  }
}

const claimable = (now: Date): Prisma.OperationWhereInput => ({
  OR: [{ status: "queued" }, { status: "running", leaseExpiresAt: { lt: now } }],
});

/**
 * Claims the oldest claimable operation of a server on `host`. Only the candidate read
 * filters by host (a server never changes host); the claim itself stays the same one-row
 * compare-and-swap, with no join that could turn it into a read before the write.
 */
export async function claimNext(workerId: string, host: string, running: string[] = []): Promise<Operation | null> {
  const candidates = await prisma.operation.findMany({
    // Never an operation this worker is still running: cut off from the database, its lease
    // expired with nobody else to take it, and once back it carries on under the same lease.
    where: { ...claimable(await databaseNow()), server: { host: { name: host } }, id: { notIn: running } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true },
    take: 5,
  });
  for (const { id } of candidates) {
    const op = await claimOperation(id, workerId);
    if (op) return op;
  }
  return null;
}

/** The compare-and-swap of one operation by id; null when it is not claimable (or another worker was faster). */
export async function claimOperation(id: string, workerId: string): Promise<Operation | null> {
  return prisma.$transaction(async (tx) => {
    const now = await databaseNow(tx);
    const { count } = await tx.operation.updateMany({
      where: { id, ...claimable(now) },
      data: {
        status: "running",
        leaseOwner: workerId,
        leaseExpiresAt: new Date(now.getTime() + LEASE_MS),
        attempts: { increment: 1 },
      },
    });
    if (count === 0) return null;
    const claimed = await tx.operation.findUniqueOrThrow({ where: { id } });
    if (claimed.startedAt) return claimed;
    return tx.operation.update({ where: { id }, data: { startedAt: now } });
  });
}

export function ownedBy(op: Pick<Operation, "id">, workerId: string): Prisma.OperationWhereInput {
  return { id: op.id, leaseOwner: workerId, status: "running" };
}

/** Extends the lease; false when it was lost (expired and taken, or finished elsewhere). */
export async function renewLease(op: Pick<Operation, "id">, workerId: string): Promise<boolean> {
  const { count } = await prisma.$transaction(async (tx) => {
    const now = await databaseNow(tx);
    return tx.operation.updateMany({
      where: ownedBy(op, workerId),
      data: { leaseExpiresAt: new Date(now.getTime() + LEASE_MS) },
    });
  });
  return count === 1;
}

/** Puts an operation back in the queue (worker shutting down): another worker redoes it. */
export async function requeue(op: Operation, workerId: string, writesSnapshot: boolean): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.operation.updateMany({
      where: ownedBy(op, workerId),
      data: { status: "queued", leaseOwner: null, leaseExpiresAt: null, progress: 0, attempts: { decrement: 1 } },
    });
    if (count === 1 && writesSnapshot && op.snapshotId !== null)
      await tx.snapshot.updateMany({ where: { id: op.snapshotId, status: "in_progress" }, data: { progress: 0 } });
  });
}

// What a job handler gets: its operation, a signal that fires when the lease is lost or
// the worker stops, throttled progress, and the lease-guarded transactions that end it.
import "server-only";
import { databaseNow, prisma } from "@/lib/server/db";
import type { Operation, Prisma } from "@/lib/generated/prisma/client";
import type { DiskDriver } from "@/lib/disks/driver";
import { LEASE_MS, LeaseLostError, ownedBy, renewLease } from "@/lib/jobs/lease";
import type { Failure } from "@/lib/jobs/failures";

type Tx = Prisma.TransactionClient;
export type JobContext = ReturnType<typeof createJobContext>;

/** At most this often is progress written (the issue allows "a few writes a second"). */
const PROGRESS_EVERY_MS = 400;

/** writesSnapshot: the registry says op.snapshotId is the snapshot this job writes, so its progress follows the operation's. */
export function createJobContext(
  op: Operation,
  workerId: string,
  driver: DiskDriver,
  signal: AbortSignal,
  writesSnapshot: boolean,
) {
  let lastWritten = op.progress;
  let lastWriteAt = 0;
  let writing: Promise<void> | null = null;

  async function writeProgress(percent: number) {
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.operation.updateMany({ where: ownedBy(op, workerId), data: { progress: percent } });
      if (count === 1 && writesSnapshot && op.snapshotId !== null)
        await tx.snapshot.updateMany({ where: { id: op.snapshotId, status: "in_progress" }, data: { progress: percent } });
    });
  }

  /** Ends the operation in one transaction, only while this worker still holds the lease. */
  async function finish(
    result: { status: "completed"; warning?: Failure } | { status: "failed"; failure: Failure },
    extra: (tx: Tx) => Promise<unknown>,
  ) {
    const said = result.status === "failed" ? result.failure : result.warning;
    await writing;
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.operation.updateMany({
        where: ownedBy(op, workerId),
        data: {
          status: result.status,
          error: said?.message ?? null,
          errorCode: said?.code ?? null,
          ...(result.status === "completed" && { progress: 100 }),
          finishedAt: new Date(),
          leaseOwner: null,
          leaseExpiresAt: null,
        },
      });
      if (count === 0) throw new LeaseLostError(op.id);
      await extra(tx);
    });
  }

  return {
    op,
    driver,
    signal,
    /** Sync on purpose: the data loop never waits for the database. */
    progress(percent: number) {
      const value = Math.max(0, Math.min(99, Math.floor(percent))); // 100 only with completion
      const now = Date.now();
      if (value === lastWritten || writing || now - lastWriteAt < PROGRESS_EVERY_MS) return;
      lastWritten = value;
      lastWriteAt = now;
      writing = writeProgress(value)
        .catch(() => {}) // a lost lease is noticed by the heartbeat; progress is best effort
        .finally(() => (writing = null));
    },
    /** Called by drivers right before they make their result visible (rename). */
    async assertLease() {
      if (!(await renewLease(op, workerId))) throw new LeaseLostError(op.id);
    },
    /** For a step that commits before the operation ends: true while this worker holds the lease (renews it). */
    async holdsLease(tx: Tx) {
      const now = await databaseNow(tx);
      const { count } = await tx.operation.updateMany({
        where: ownedBy(op, workerId),
        data: { leaseExpiresAt: new Date(now.getTime() + LEASE_MS) },
      });
      return count === 1;
    },
    /** `warning`: completed, with something to say (a guest that had to be forced off). */
    complete: (extra: (tx: Tx) => Promise<unknown>, warning?: Failure) => finish({ status: "completed", warning }, extra),
    fail: (failure: Failure, extra: (tx: Tx) => Promise<unknown>) => finish({ status: "failed", failure }, extra),
  };
}

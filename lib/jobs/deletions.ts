// Removal of stored snapshot data: the worker's side of the durable queue (PendingDeletion
// rows; lib/server/deletions.ts writes them). Workers drain the queue; a row is removed only
// after the store confirmed the deletion, so a read-only or broken store delays the removal
// but never loses track of it.
import "server-only";
import { prisma } from "@/lib/server/db";
import type { DiskDriver } from "@/lib/disks/driver";
import type { Logger } from "pino";
import { describeFailure } from "@/lib/jobs/failures";

/** While one worker deletes, others skip the row for this long (a crash frees it then). */
const CLAIM_MS = 60_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempts, 16));
}

/** Deletes the data of every due row; returns how many were removed. */
export async function drainDeletions(driver: DiskDriver, log: Logger, limit = 20): Promise<number> {
  const due = await prisma.pendingDeletion.findMany({
    where: { notBefore: { lte: new Date() } },
    orderBy: { notBefore: "asc" },
    take: limit,
  });
  let removed = 0;
  for (const row of due) {
    // Claim: only the worker whose compare-and-swap on notBefore matched works on it.
    const { count } = await prisma.$transaction((tx) =>
      tx.pendingDeletion.updateMany({
        where: { snapshotId: row.snapshotId, notBefore: row.notBefore },
        data: { notBefore: new Date(Date.now() + CLAIM_MS) },
      }),
    );
    if (count === 0) continue;
    try {
      await driver.deleteSnapshot(row.snapshotId);
      await prisma.$transaction((tx) => tx.pendingDeletion.deleteMany({ where: { snapshotId: row.snapshotId } }));
      removed++;
    } catch (err) {
      const delay = retryDelayMs(row.attempts);
      log.warn(
        { err, snapshotId: row.snapshotId, attempts: row.attempts + 1, retryInMs: delay },
        "could not delete stored snapshot data; will retry",
      );
      await prisma.$transaction((tx) =>
        tx.pendingDeletion.updateMany({
          where: { snapshotId: row.snapshotId },
          data: {
            attempts: { increment: 1 },
            notBefore: new Date(Date.now() + delay),
            lastError: describeFailure(err, null).code,
          },
        }),
      );
    }
  }
  return removed;
}

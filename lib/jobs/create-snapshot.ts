// snapshot_create: capture the server's disk into the store. The server's
// activeOperationId was set by the API in the transaction that queued this operation.
import "server-only";
import type { JobContext } from "@/lib/jobs/context";
import type { Prisma } from "@/lib/generated/prisma/client";
import { OperationFailure, type Failure } from "@/lib/jobs/failures";
import { enqueueDeletion } from "@/lib/server/deletions";
import type { SnapshotSize } from "@/lib/disks/driver";

const MIB = 1024 * 1024;

function releaseServer(tx: Prisma.TransactionClient, ctx: JobContext) {
  return tx.server.updateMany({
    where: { id: ctx.op.serverId, activeOperationId: ctx.op.id },
    data: { activeOperationId: null },
  });
}

function snapshotIdOf(ctx: JobContext): number {
  if (ctx.op.snapshotId === null)
    throw new OperationFailure("snapshot_missing", "The snapshot of this operation no longer exists.");
  return ctx.op.snapshotId;
}

type Tx = Prisma.TransactionClient;

/** Records a capture's completion (a create's, or a restore's safety snapshot). */
export function markSnapshotCompleted(
  tx: Tx,
  snapshotId: number,
  size: SnapshotSize,
  consistency: "offline" | "crash-consistent",
) {
  return tx.snapshot.updateMany({
    where: { id: snapshotId, status: "in_progress" },
    data: {
      status: "completed",
      progress: 100,
      sizeMb: Math.round((size.sizeBytes / MIB) * 100) / 100,
      storedBytes: BigInt(size.storedBytes),
      completedAt: new Date(),
      consistency,
      error: null,
    },
  });
}

/** `after` runs in the completing transaction (a scheduled snapshot records its run and prunes). */
export async function runCreateSnapshot(
  ctx: JobContext,
  after?: (tx: Tx, snapshotId: number) => Promise<unknown>,
): Promise<void> {
  const snapshotId = snapshotIdOf(ctx);
  await ctx.driver.cleanupPartial({ snapshotId });
  const size = await ctx.driver.createSnapshot({
    serverId: ctx.op.serverId,
    snapshotId,
    onProgress: ctx.progress,
    signal: ctx.signal,
    beforeCommit: ctx.assertLease,
  });
  await ctx.complete(async (tx) => {
    // Power actions are refused while this operation holds the server, so the status now is
    // the status for the whole capture: stopped throughout means an offline snapshot.
    const server = await tx.server.findUnique({ where: { id: ctx.op.serverId }, select: { status: true } });
    await markSnapshotCompleted(tx, snapshotId, size, server?.status === "stopped" ? "offline" : "crash-consistent");
    await releaseServer(tx, ctx);
    await after?.(tx, snapshotId);
  });
}

/**
 * Marks the snapshot failed and, in the same transaction, queues its stored data for
 * removal: the worker's deletion drain retries that until the store lets it (a full or
 * read-only store cannot refuse the failure itself).
 */
export async function failCreateSnapshot(ctx: JobContext, failure: Failure, after?: (tx: Tx) => Promise<unknown>): Promise<void> {
  await ctx.fail(failure, async (tx) => {
    if (ctx.op.snapshotId !== null) {
      await tx.snapshot.updateMany({
        where: { id: ctx.op.snapshotId, status: "in_progress" },
        data: { status: "failed", error: failure.message, errorCode: failure.code },
      });
      await enqueueDeletion(tx, ctx.op.snapshotId);
    }
    await releaseServer(tx, ctx);
    await after?.(tx);
  });
}

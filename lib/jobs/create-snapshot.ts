// snapshot_create: capture the server's disk into the store. The server's
// activeOperationId was set by the API in the transaction that queued this operation.
import "server-only";
import type { JobContext } from "@/lib/jobs/context";
import type { Prisma } from "@/lib/generated/prisma/client";
import { OperationFailure, type Failure } from "@/lib/jobs/failures";
import { enqueueDeletion } from "@/lib/server/deletions";
import { prisma } from "@/lib/server/db";
import { captureServer, guestOf, type Capture } from "@/lib/jobs/guests";
import { pruneCheckpoints } from "@/lib/disks/guest-data";
import { logger } from "@/lib/server/logger";

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
export function markSnapshotCompleted(tx: Tx, snapshotId: number, size: Capture) {
  return tx.snapshot.updateMany({
    where: { id: snapshotId, status: "in_progress" },
    data: {
      status: "completed",
      progress: 100,
      sizeMb: Math.round((size.sizeBytes / MIB) * 100) / 100,
      storedBytes: BigInt(size.storedBytes),
      completedAt: new Date(),
      consistency: size.consistency,
      checkpoint: size.checkpoint,
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
  // Power actions are refused while this operation holds the server, so the status now is
  // the status for the whole capture: stopped throughout means an offline snapshot. (A
  // guest's consistency comes from its hypervisor instead.)
  const server = await prisma.server.findUnique({ where: { id: ctx.op.serverId }, select: { status: true } });
  const capture = await captureServer(ctx, snapshotId, ctx.progress, server?.status === "stopped");
  await ctx.complete(async (tx) => {
    await markSnapshotCompleted(tx, snapshotId, capture);
    await releaseServer(tx, ctx);
    await after?.(tx, snapshotId);
  });
  // Older checkpoints are no base any more (the newest completed snapshot is); best effort.
  if (capture.checkpoint) {
    const guest = await guestOf(ctx.op.serverId);
    if (guest)
      await pruneCheckpoints(guest.host, guest.domain, capture.checkpoint).catch((err) =>
        logger.warn({ err, domain: guest.domain }, "could not remove older checkpoints"),
      );
  }
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

// snapshot_create: capture the server's disk into the store. The server's
// activeOperationId was set by the API in the transaction that queued this operation.
import type { JobContext } from "@/lib/jobs/context";
import type { Prisma } from "@/lib/generated/prisma/client";

const MIB = 1024 * 1024;

function releaseServer(tx: Prisma.TransactionClient, ctx: JobContext) {
  return tx.server.updateMany({ where: { id: ctx.op.serverId, activeOperationId: ctx.op.id }, data: { activeOperationId: null } });
}

function snapshotIdOf(ctx: JobContext): number {
  if (ctx.op.snapshotId === null) throw new Error("The snapshot of this operation no longer exists.");
  return ctx.op.snapshotId;
}

export async function runCreateSnapshot(ctx: JobContext): Promise<void> {
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
    await tx.snapshot.updateMany({
      where: { id: snapshotId, status: "in_progress" },
      data: {
        status: "completed",
        progress: 100,
        sizeMb: Math.round((size.sizeBytes / MIB) * 100) / 100,
        storedBytes: BigInt(size.storedBytes),
        completedAt: new Date(),
        error: null,
      },
    });
    await releaseServer(tx, ctx);
  });
}

/** Marks the snapshot failed and removes whatever it had stored: no leftovers. */
export async function failCreateSnapshot(ctx: JobContext, error: string): Promise<void> {
  await ctx.fail(error, async (tx) => {
    if (ctx.op.snapshotId !== null)
      await tx.snapshot.updateMany({ where: { id: ctx.op.snapshotId, status: "in_progress" }, data: { status: "failed", error } });
    await releaseServer(tx, ctx);
  });
  // After the commit: should this cleanup die, the worker's startup sweep removes the
  // data of failed snapshots.
  if (ctx.op.snapshotId !== null) {
    await ctx.driver.cleanupPartial({ snapshotId: ctx.op.snapshotId });
    await ctx.driver.deleteSnapshot(ctx.op.snapshotId);
  }
}

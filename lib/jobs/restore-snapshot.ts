// snapshot_restore: the API already set the server to `restoring` and recorded its
// previous power state in the payload; the server gets that state back whatever happens,
// because the disk swap is atomic (the old disk is intact unless the rename happened).
import type { JobContext } from "@/lib/jobs/context";
import { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import { OperationFailure, type Failure } from "@/lib/jobs/failures";

// A server whose previous state is unknown is left stopped: the safe power state.
export const restorePayload = z.object({ previousStatus: z.enum(["active", "stopped"]).catch("stopped") });
export type SnapshotRestorePayload = z.infer<typeof restorePayload>;

function releaseServer(tx: Prisma.TransactionClient, ctx: JobContext, payload: SnapshotRestorePayload) {
  return tx.server.updateMany({
    where: { id: ctx.op.serverId, activeOperationId: ctx.op.id },
    data: { activeOperationId: null, status: payload.previousStatus },
  });
}

export async function runRestoreSnapshot(ctx: JobContext, payload: SnapshotRestorePayload): Promise<void> {
  if (ctx.op.snapshotId === null) throw new OperationFailure("snapshot_missing", "The snapshot to restore no longer exists.");
  await ctx.driver.cleanupPartial({ serverId: ctx.op.serverId });
  await ctx.driver.restoreSnapshot({
    serverId: ctx.op.serverId,
    snapshotId: ctx.op.snapshotId,
    onProgress: ctx.progress,
    signal: ctx.signal,
    beforeCommit: ctx.assertLease,
  });
  await ctx.complete((tx) => releaseServer(tx, ctx, payload));
}

export async function failRestoreSnapshot(ctx: JobContext, payload: SnapshotRestorePayload, failure: Failure): Promise<void> {
  await ctx.fail(failure, (tx) => releaseServer(tx, ctx, payload));
  // After the commit and best effort: on a failing disk this may throw too, and the
  // failure must be recorded regardless. Leftover temp files go at the next restore or start.
  await ctx.driver.cleanupPartial({ serverId: ctx.op.serverId }).catch(() => {});
}

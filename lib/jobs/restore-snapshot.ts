// snapshot_restore: the API already set the server to `restoring` and recorded its
// previous power state in the payload; the server gets that state back whatever happens,
// because the disk swap is atomic (the old disk is intact unless the rename happened).
//
// With a safety snapshot, capture and restore are steps of this one operation, in that
// order: the disk is only ever replaced by the restore's final rename, and the restore
// starts only after the safety snapshot's completion is committed. A crash during the
// capture leaves the disk untouched; the reclaimed operation discards the partial capture
// and takes it again. A crash after that commit finds the safety snapshot completed and
// goes straight to the restore. So the overwritten content is always either still on the
// disk or in a completed safety snapshot.
import "server-only";
import { z } from "zod";
import type { JobContext } from "@/lib/jobs/context";
import type { Prisma } from "@/lib/generated/prisma/client";
import { OperationFailure, type Failure } from "@/lib/jobs/failures";
import { enqueueDeletion } from "@/lib/server/deletions";
import { markSnapshotCompleted } from "@/lib/jobs/create-snapshot";
import { LeaseLostError } from "@/lib/jobs/lease";
import { prisma } from "@/lib/server/db";

// A server whose previous state is unknown is left stopped: the safe power state.
export const restorePayload = z.object({
  previousStatus: z.enum(["active", "stopped"]).catch("stopped"),
  safetySnapshotId: z.number().int().nullable().catch(null),
});
export type SnapshotRestorePayload = z.infer<typeof restorePayload>;

function releaseServer(tx: Prisma.TransactionClient, ctx: JobContext, payload: SnapshotRestorePayload) {
  return tx.server.updateMany({
    where: { id: ctx.op.serverId, activeOperationId: ctx.op.id },
    data: { activeOperationId: null, status: payload.previousStatus },
  });
}

/** Step 1: the disk as it is now into the safety snapshot, committed before step 2 may start. */
async function captureSafetySnapshot(ctx: JobContext, snapshotId: number): Promise<void> {
  const row = await prisma.snapshot.findUnique({ where: { id: snapshotId }, select: { status: true } });
  if (!row)
    throw new OperationFailure(
      "snapshot_missing",
      "The safety snapshot was deleted before it could be taken; the disk was left unchanged.",
    );
  if (row.status === "completed") return; // taken by an earlier attempt of this operation
  await ctx.driver.cleanupPartial({ snapshotId });
  const size = await ctx.driver.createSnapshot({
    serverId: ctx.op.serverId,
    snapshotId,
    onProgress: (p) => ctx.progress(p / 2),
    signal: ctx.signal,
    beforeCommit: ctx.assertLease,
  });
  await prisma.$transaction(async (tx) => {
    if (!(await ctx.holdsLease(tx))) throw new LeaseLostError(ctx.op.id);
    // The server is `restoring`, i.e. stopped, for the whole capture.
    await markSnapshotCompleted(tx, snapshotId, size, "offline");
  });
}

export async function runRestoreSnapshot(ctx: JobContext, payload: SnapshotRestorePayload): Promise<void> {
  if (ctx.op.snapshotId === null) throw new OperationFailure("snapshot_missing", "The snapshot to restore no longer exists.");
  const safety = payload.safetySnapshotId;
  if (safety !== null) await captureSafetySnapshot(ctx, safety);
  await ctx.driver.cleanupPartial({ serverId: ctx.op.serverId });
  // The target may be another, bigger server than the snapshot's (restore to another server).
  const { diskMb } = await prisma.server.findUniqueOrThrow({ where: { id: ctx.op.serverId }, select: { diskMb: true } });
  await ctx.driver.restoreSnapshot({
    serverId: ctx.op.serverId,
    diskBytes: diskMb * 1024 * 1024,
    snapshotId: ctx.op.snapshotId,
    onProgress: safety === null ? ctx.progress : (p) => ctx.progress(50 + p / 2),
    signal: ctx.signal,
    beforeCommit: ctx.assertLease,
  });
  await ctx.complete((tx) => releaseServer(tx, ctx, payload));
}

export async function failRestoreSnapshot(ctx: JobContext, payload: SnapshotRestorePayload, failure: Failure): Promise<void> {
  await ctx.fail(failure, async (tx) => {
    await releaseServer(tx, ctx, payload);
    // A safety snapshot not taken is garbage; a completed one stays (the disk it holds is intact anyway) until it expires.
    if (payload.safetySnapshotId !== null) {
      const { count } = await tx.snapshot.updateMany({
        where: { id: payload.safetySnapshotId, status: "in_progress" },
        data: { status: "failed", error: failure.message, errorCode: failure.code },
      });
      if (count === 1) await enqueueDeletion(tx, payload.safetySnapshotId);
    }
  });
  // After the commit and best effort: on a failing disk this may throw too, and the
  // failure must be recorded regardless. Leftover temp files go at the next restore or start.
  await ctx.driver.cleanupPartial({ serverId: ctx.op.serverId }).catch(() => {});
}

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
import { captureServer, guestOf } from "@/lib/jobs/guests";
import { dropAllCheckpoints } from "@/lib/disks/guest-data";
import { config } from "@/lib/config";
import { shutdownWarning } from "@/lib/jobs/power";

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
  // The server is `restoring`, i.e. stopped (a guest was shut down first), for the whole capture.
  const capture = await captureServer(ctx, snapshotId, (p) => ctx.progress(p / 2), true);
  await prisma.$transaction(async (tx) => {
    if (!(await ctx.holdsLease(tx))) throw new LeaseLostError(ctx.op.id);
    await markSnapshotCompleted(tx, snapshotId, capture);
  });
}

export async function runRestoreSnapshot(ctx: JobContext, payload: SnapshotRestorePayload): Promise<void> {
  if (ctx.op.snapshotId === null) throw new OperationFailure("snapshot_missing", "The snapshot to restore no longer exists.");
  const safety = payload.safetySnapshotId;
  // A guest is shut down first (as `stop`), so the safety snapshot is offline and nothing
  // writes the disk while it is replaced.
  const guest = await guestOf(ctx.op.serverId);
  const forced = guest ? (await guest.host.stop(guest.domain, config.shutdownTimeoutS * 1000, ctx.signal)).forced : false;
  if (safety !== null) await captureSafetySnapshot(ctx, safety);
  await ctx.driver.cleanupPartial({ serverId: ctx.op.serverId });
  const args = {
    serverId: ctx.op.serverId,
    snapshotId: ctx.op.snapshotId,
    onProgress: safety === null ? ctx.progress : (p: number) => ctx.progress(50 + p / 2),
    signal: ctx.signal,
    beforeCommit: ctx.assertLease,
  };
  if (guest) {
    // Written in the guest's own format and renamed into place: wholly old or wholly new.
    const disk = await guest.host.disk(guest.domain);
    await ctx.driver.restoreSnapshot({ ...args, diskBytes: disk.bytes, target: { file: disk.file, format: disk.format } });
    // Its checkpoints describe the old disk: forget them (the next snapshot is a full copy).
    await dropAllCheckpoints(guest.host, guest.domain);
    if (payload.previousStatus === "active") await guest.host.start(guest.domain, ctx.signal);
  } else {
    // The target may be another, bigger server than the snapshot's (restore to another server).
    const { diskMb } = await prisma.server.findUniqueOrThrow({ where: { id: ctx.op.serverId }, select: { diskMb: true } });
    await ctx.driver.restoreSnapshot({ ...args, diskBytes: diskMb * 1024 * 1024 });
  }
  await ctx.complete((tx) => releaseServer(tx, ctx, payload), forced ? shutdownWarning("snapshot_restore") : undefined);
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

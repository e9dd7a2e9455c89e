// One run of a schedule: the scheduler (lib/jobs/scheduler.ts, after it claimed the slot)
// and "run now" both call startScheduledRun inside their transaction. It claims the server
// like a manual create, applies the retention plan (lib/server/retention.ts) and queues a
// scheduled_snapshot operation; a refusal reverts the claim, so it touches nothing but the
// schedule's last_run.
import "server-only";
import { randomUUID } from "node:crypto";
import type { Prisma, Schedule } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/server/errors";
import { recordAudit } from "@/lib/server/audit";
import { busyServerError, withServer } from "@/lib/server/snapshots";
import { planScheduledRun, prunedBeyondKeep, timestampedName } from "@/lib/server/retention";
import { enqueueDeletion } from "@/lib/server/deletions";
import { config } from "@/lib/config";
import { lockSnapshotRow } from "@/lib/server/db";

type Tx = Prisma.TransactionClient;

const retentionFields = {
  id: true,
  name: true,
  kind: true,
  status: true,
  protected: true,
  createdAt: true,
  operations: { where: { status: { in: ["queued", "running"] } }, select: { id: true }, take: 1 },
} satisfies Prisma.SnapshotSelect;

/** The server's snapshots as retention sees them (lib/server/retention.ts). */
async function retentionRows(tx: Tx, serverId: number) {
  const rows = await tx.snapshot.findMany({ where: { serverId }, select: retentionFields });
  return rows.map(({ operations, ...row }) => ({ ...row, inUse: operations.length > 0 }));
}

/** Deletes a snapshot for retention through the normal path (row gone, data queued), unless an operation uses it. */
async function pruneSnapshot(
  tx: Tx,
  snapshotId: number,
  schedule: Pick<Schedule, "id" | "serverId" | "ownerId">,
): Promise<boolean> {
  await lockSnapshotRow(tx, snapshotId);
  // Its name goes on the event: the row is gone afterwards, and the activity reads in names.
  const name = (await tx.snapshot.findUnique({ where: { id: snapshotId }, select: { name: true } }))?.name ?? null;
  const { count } = await tx.snapshot.deleteMany({
    where: { id: snapshotId, protected: false, operations: { none: { status: { in: ["queued", "running"] } } } },
  });
  if (count === 0) return false;
  await enqueueDeletion(tx, snapshotId);
  const target = { type: "snapshot", id: snapshotId, name, ownerId: schedule.ownerId, serverId: schedule.serverId };
  await recordAudit(tx, "schedule", "snapshot.prune", target, "success", `retention of schedule ${schedule.id}`);
  return true;
}

async function refuse(tx: Tx, schedule: Schedule, at: Date, error: AppError) {
  await tx.schedule.update({
    where: { id: schedule.id },
    data: { lastRunAt: at, lastRunStatus: "failed", lastRunSnapshotId: null, lastRunError: error.message },
  });
  const target = { type: "schedule", id: schedule.id, ownerId: schedule.ownerId, serverId: schedule.serverId };
  await recordAudit(tx, "schedule", "schedule.run", target, "failure", error.message);
  return { refused: error } as const;
}

export async function startScheduledRun(tx: Tx, schedule: Schedule, at: Date) {
  const operationId = randomUUID();
  const claimed = await tx.server.updateMany({
    where: { id: schedule.serverId, activeOperationId: null, status: { not: "restoring" } },
    data: { activeOperationId: operationId },
  });
  const server = await tx.server.findUniqueOrThrow({ where: { id: schedule.serverId } });
  if (claimed.count === 0) return refuse(tx, schedule, at, busyServerError(server));

  const rows = await retentionRows(tx, server.id);
  const plan = planScheduledRun(rows, config.snapshotLimit);
  // The plan skips snapshots in use, and this transaction holds the server: the target can
  // only be gone if something outside the rules removed it; then refuse like a full server.
  const pruned = plan.run && (plan.prune === null || (await pruneSnapshot(tx, plan.prune, schedule)));
  if (!pruned) {
    await tx.server.updateMany({ where: { id: server.id, activeOperationId: operationId }, data: { activeOperationId: null } });
    return refuse(
      tx,
      schedule,
      at,
      new AppError(
        "snapshot_limit_reached",
        `Server ${server.name} has ${config.snapshotLimit} of ${config.snapshotLimit} snapshots and none of them is an unprotected scheduled one that could be pruned now (one an operation is using, e.g. the source of a restore, waits); nothing was changed.`,
      ),
    );
  }

  const prunedId = plan.run ? plan.prune : null;
  const taken = new Set(rows.filter((s) => s.status !== "failed" && s.id !== prunedId).map((s) => s.name));
  const snapshot = await tx.snapshot.create({
    data: {
      serverId: server.id,
      ownerId: server.ownerId,
      name: timestampedName("auto", at, taken),
      status: "in_progress",
      kind: "scheduled",
      scheduleId: schedule.id,
    },
    include: withServer,
  });
  await tx.operation.create({
    data: {
      id: operationId,
      kind: "scheduled_snapshot",
      status: "queued",
      serverId: server.id,
      snapshotId: snapshot.id,
      payload: JSON.stringify({ scheduleId: schedule.id }),
    },
  });
  await tx.server.update({ where: { id: server.id }, data: { lastOperationId: operationId } });
  await tx.schedule.update({
    where: { id: schedule.id },
    data: { lastRunAt: at, lastRunStatus: "running", lastRunSnapshotId: snapshot.id, lastRunError: null },
  });
  const target = {
    type: "snapshot",
    id: snapshot.id,
    name: snapshot.name,
    ownerId: schedule.ownerId,
    serverId: schedule.serverId,
  };
  await recordAudit(tx, "schedule", "snapshot.create", target, "success", `schedule ${schedule.id}`);
  return { snapshot: { ...snapshot, serverWasRunning: server.status === "active" } } as const;
}

/** After a scheduled snapshot completed: prune the server's scheduled snapshots beyond the schedule's keep. */
export async function applyRetention(tx: Tx, schedule: Schedule): Promise<void> {
  for (const id of prunedBeyondKeep(await retentionRows(tx, schedule.serverId), schedule.keep))
    await pruneSnapshot(tx, id, schedule);
}

/** Records how a run ended, unless a newer run of the schedule has started since. */
export async function finishScheduledRun(tx: Tx, scheduleId: number, snapshotId: number, outcome: { failed: string } | null) {
  await tx.schedule.updateMany({
    where: { id: scheduleId, lastRunSnapshotId: snapshotId },
    data: outcome
      ? { lastRunStatus: "failed", lastRunError: outcome.failed }
      : { lastRunStatus: "completed", lastRunError: null },
  });
  if (outcome) return;
  const schedule = await tx.schedule.findUnique({ where: { id: scheduleId } });
  if (schedule) await applyRetention(tx, schedule);
}

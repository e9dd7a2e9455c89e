// The scheduler: every worker process runs it (lib/jobs/runner.ts), none double-fires.
// A due slot is claimed by a compare-and-swap on Schedule.nextRunAt (UPDATE … WHERE id AND
// nextRunAt = the value read), the first write of the transaction that also starts the run,
// so SQLite's write lock or PostgreSQL's row lock lets exactly one process through, and the
// claim and the run commit together or not at all. The new nextRunAt is the first slot after
// the database's now, not after the claimed slot: after downtime the missed slots collapse
// into this one run.
import "server-only";
import type { Logger } from "pino";
import { databaseNow, lockSnapshotRow, prisma } from "@/lib/server/db";
import { startScheduledRun } from "@/lib/server/scheduled-runs";
import { recordAudit } from "@/lib/server/audit";
import { nextRunAfter } from "@/lib/schemas/cron";
import { enqueueDeletion } from "@/lib/server/deletions";
import { AppError } from "@/lib/server/errors";
import { isDatabaseUnavailable } from "@/lib/server/db-errors";
import type { Schedule } from "@/lib/generated/prisma/client";

/** Starts the run of every due schedule this process wins; returns how many it started. */
export async function runDueSchedules(log: Logger): Promise<number> {
  const due = await prisma.schedule.findMany({
    where: { enabled: true, nextRunAt: { lte: await databaseNow() } },
    orderBy: { nextRunAt: "asc" },
    take: 20,
  });
  let started = 0;
  for (const schedule of due) {
    const outcome = await prisma
      .$transaction(async (tx) => {
        const now = await databaseNow(tx);
        const { count } = await tx.schedule.updateMany({
          where: { id: schedule.id, enabled: true, nextRunAt: schedule.nextRunAt },
          data: { nextRunAt: nextRunAfter(schedule.cron, now) },
        });
        if (count === 0) return null; // another process claimed this slot, or the schedule changed
        return startScheduledRun(tx, schedule, now);
      })
      .catch((err: unknown) => failRun(log, schedule, err));
    if (!outcome) continue;
    if ("refused" in outcome) log.warn({ scheduleId: schedule.id, reason: outcome.refused.message }, "scheduled run refused");
    else {
      started++;
      log.info({ scheduleId: schedule.id, snapshotId: outcome.snapshot.id, slot: schedule.nextRunAt }, "scheduled run started");
    }
  }
  return started;
}

/** A schedule row whose cron no longer parses (written outside the API) tries again hourly. */
function nextSlotOrInAnHour(cron: string, now: Date): Date {
  try {
    return nextRunAfter(cron, now);
  } catch {
    return new Date(now.getTime() + 3_600_000);
  }
}

/**
 * A run that failed in an unexpected way fails alone: its slot is spent and its last_run
 * says why, so the next tick goes on to the other schedules instead of retrying this one
 * first, forever (one tenant's odd state once stalled every schedule). The database being
 * unreachable is not the schedule's fault: then the slot stays for the next tick.
 */
async function failRun(log: Logger, schedule: Schedule, err: unknown): Promise<null> {
  if (isDatabaseUnavailable(err)) throw err;
  log.error({ err, scheduleId: schedule.id }, "scheduled run failed");
  const reason = err instanceof AppError ? err.message : "The run failed with an internal error; the server log has the details.";
  await prisma
    .$transaction(async (tx) => {
      const now = await databaseNow(tx);
      const { count } = await tx.schedule.updateMany({
        where: { id: schedule.id, nextRunAt: schedule.nextRunAt },
        data: {
          nextRunAt: nextSlotOrInAnHour(schedule.cron, now),
          lastRunAt: now,
          lastRunStatus: "failed",
          lastRunSnapshotId: null,
          lastRunError: reason,
        },
      });
      if (count === 0) return;
      const target = { type: "schedule", id: schedule.id, ownerId: schedule.ownerId, serverId: schedule.serverId };
      await recordAudit(tx, "schedule", "schedule.run", target, "failure", reason);
    })
    .catch((again: unknown) => log.error({ err: again, scheduleId: schedule.id }, "could not record the failed run"));
  return null;
}

/**
 * Collects safety snapshots past their expiresAt: the row goes and the data is queued, as
 * a DELETE does; one in use by an operation (being captured, or restored from) waits.
 */
export async function expireSafetySnapshots(log: Logger): Promise<number> {
  const now = await databaseNow();
  const expired = await prisma.snapshot.findMany({
    where: { kind: "safety", expiresAt: { lte: now }, protected: false },
    select: { id: true, name: true, ownerId: true, serverId: true },
    take: 50,
  });
  let removed = 0;
  for (const { id, name, ownerId, serverId } of expired) {
    const done = await prisma
      .$transaction(async (tx) => {
        await lockSnapshotRow(tx, id);
        const { count } = await tx.snapshot.deleteMany({
          where: { id, status: { not: "in_progress" }, operations: { none: { status: { in: ["queued", "running"] } } } },
        });
        if (count === 0) return false;
        await enqueueDeletion(tx, id);
        await recordAudit(
          tx,
          "system",
          "snapshot.expire",
          { type: "snapshot", id, name, ownerId, serverId },
          "success",
          "safety snapshot expired",
        );
        return true;
      })
      .catch((err: unknown) => {
        if (isDatabaseUnavailable(err)) throw err;
        log.error({ err, snapshotId: id }, "could not collect an expired safety snapshot; the others go on");
        return false;
      });
    if (done) removed++;
  }
  if (removed) log.info({ removed }, "expired safety snapshots collected");
  return removed;
}

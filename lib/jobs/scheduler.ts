// The scheduler: every worker process runs it (lib/jobs/runner.ts), none double-fires.
// A due slot is claimed by a compare-and-swap on Schedule.nextRunAt (UPDATE … WHERE id AND
// nextRunAt = the value read), the first write of the transaction that also starts the run,
// so SQLite's write lock or PostgreSQL's row lock lets exactly one process through, and the
// claim and the run commit together or not at all. The new nextRunAt is the first slot after
// the database's now, not after the claimed slot: after downtime the missed slots collapse
// into this one run.
import "server-only";
import type { Logger } from "pino";
import { databaseNow, prisma } from "@/lib/server/db";
import { startScheduledRun } from "@/lib/server/scheduled-runs";
import { recordAudit } from "@/lib/server/audit";
import { nextRunAfter } from "@/lib/schemas/cron";
import { enqueueDeletion } from "@/lib/server/deletions";

/** Starts the run of every due schedule this process wins; returns how many it started. */
export async function runDueSchedules(log: Logger): Promise<number> {
  const due = await prisma.schedule.findMany({
    where: { enabled: true, nextRunAt: { lte: await databaseNow() } },
    orderBy: { nextRunAt: "asc" },
    take: 20,
  });
  let started = 0;
  for (const schedule of due) {
    const outcome = await prisma.$transaction(async (tx) => {
      const now = await databaseNow(tx);
      const { count } = await tx.schedule.updateMany({
        where: { id: schedule.id, enabled: true, nextRunAt: schedule.nextRunAt },
        data: { nextRunAt: nextRunAfter(schedule.cron, now) },
      });
      if (count === 0) return null; // another process claimed this slot, or the schedule changed
      return startScheduledRun(tx, schedule, now);
    });
    if (!outcome) continue;
    if ("refused" in outcome) log.warn({ scheduleId: schedule.id, reason: outcome.refused.message }, "scheduled run refused");
    else {
      started++;
      log.info({ scheduleId: schedule.id, snapshotId: outcome.snapshot.id, slot: schedule.nextRunAt }, "scheduled run started");
    }
  }
  return started;
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
    const done = await prisma.$transaction(async (tx) => {
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
    });
    if (done) removed++;
  }
  if (removed) log.info({ removed }, "expired safety snapshots collected");
  return removed;
}

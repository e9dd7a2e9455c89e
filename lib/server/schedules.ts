// Schedules (SPEC §6): CRUD scoped like servers (another user's schedule or server is not
// found), and "run now". nextRunAt is always the next slot after now: a schedule created,
// re-enabled or given a new cron never fires for slots before that moment.
import "server-only";
import { prisma, databaseNow } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { assertCanWrite, ownedServers, type Actor } from "@/lib/server/actor";
import { recordAudit } from "@/lib/server/audit";
import { startScheduledRun } from "@/lib/server/scheduled-runs";
import { nextRunAfter } from "@/lib/schemas/cron";
import type { CreateScheduleInput, ListSchedulesQuery, UpdateScheduleInput } from "@/lib/schemas/schedules";

const withServer = { server: { select: { id: true, name: true } } } as const;
const visible = (actor: Actor) => (actor.role === "admin" ? {} : { ownerId: actor.userId });

export async function listSchedules(actor: Actor, query: ListSchedulesQuery) {
  return prisma.schedule.findMany({
    where: { ...visible(actor), ...(query.server_id !== undefined && { serverId: query.server_id }) },
    include: withServer,
    orderBy: [{ serverId: "asc" }, { id: "asc" }],
  });
}

export async function getSchedule(actor: Actor, scheduleId: number) {
  const row = await prisma.schedule.findFirst({ where: { id: scheduleId, ...visible(actor) }, include: withServer });
  if (!row) throw new AppError("not_found", `Schedule ${scheduleId} not found.`);
  return row;
}

export async function createSchedule(actor: Actor, input: CreateScheduleInput) {
  assertCanWrite(actor);
  return prisma.$transaction(async (tx) => {
    const server = await tx.server.findFirst({ where: { id: input.server_id, ...ownedServers(actor) } });
    if (!server) throw new AppError("not_found", `Server ${input.server_id} not found.`);
    const schedule = await tx.schedule.create({
      data: {
        serverId: server.id,
        ownerId: server.ownerId,
        cron: input.cron,
        keep: input.keep,
        enabled: input.enabled,
        nextRunAt: nextRunAfter(input.cron, await databaseNow(tx)),
      },
      include: withServer,
    });
    await recordAudit(
      tx,
      actor,
      "schedule.create",
      { type: "schedule", id: schedule.id, ownerId: server.ownerId, serverId: server.id },
      "success",
      `server ${server.id}, "${input.cron}", keep ${input.keep}`,
    );
    return schedule;
  });
}

export async function updateSchedule(actor: Actor, scheduleId: number, input: UpdateScheduleInput) {
  assertCanWrite(actor);
  return prisma.$transaction(async (tx) => {
    const current = await tx.schedule.findFirst({ where: { id: scheduleId, ...visible(actor) } });
    if (!current) throw new AppError("not_found", `Schedule ${scheduleId} not found.`);
    const cron = input.cron ?? current.cron;
    const reschedule = cron !== current.cron || (input.enabled === true && !current.enabled);
    const schedule = await tx.schedule.update({
      where: { id: scheduleId },
      data: {
        cron,
        ...(input.keep !== undefined && { keep: input.keep }),
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        ...(reschedule && { nextRunAt: nextRunAfter(cron, await databaseNow(tx)) }),
      },
      include: withServer,
    });
    await recordAudit(
      tx,
      actor,
      "schedule.update",
      { type: "schedule", id: scheduleId, ownerId: current.ownerId, serverId: current.serverId },
      "success",
      JSON.stringify(input),
    );
    return schedule;
  });
}

/** Deletes the schedule; its snapshots stay (as scheduled snapshots no schedule prunes any more). */
export async function deleteSchedule(actor: Actor, scheduleId: number) {
  assertCanWrite(actor);
  await prisma.$transaction(async (tx) => {
    const current = await tx.schedule.findFirst({ where: { id: scheduleId, ...visible(actor) } });
    const { count } = await tx.schedule.deleteMany({ where: { id: scheduleId, ...visible(actor) } });
    if (!current || count === 0) throw new AppError("not_found", `Schedule ${scheduleId} not found.`);
    const target = { type: "schedule", id: scheduleId, ownerId: current.ownerId, serverId: current.serverId };
    await recordAudit(tx, actor, "schedule.delete", target, "success");
  });
}

/** "Run now": the same run the scheduler starts, at once; its slot (nextRunAt) is unchanged. */
export async function runScheduleNow(actor: Actor, scheduleId: number) {
  assertCanWrite(actor);
  const outcome = await prisma.$transaction(async (tx) => {
    // A write first, so SQLite takes its lock before the run reads anything (see snapshots.ts).
    const { count } = await tx.schedule.updateMany({
      where: { id: scheduleId, ...visible(actor) },
      data: { updatedAt: new Date() },
    });
    if (count === 0) throw new AppError("not_found", `Schedule ${scheduleId} not found.`);
    const schedule = await tx.schedule.findUniqueOrThrow({ where: { id: scheduleId } });
    const run = await startScheduledRun(tx, schedule, await databaseNow(tx));
    const target = { type: "schedule", id: scheduleId, ownerId: schedule.ownerId, serverId: schedule.serverId };
    if ("snapshot" in run) await recordAudit(tx, actor, "schedule.run", target, "success", "run now");
    return run;
  });
  if ("refused" in outcome) throw outcome.refused;
  return outcome.snapshot;
}

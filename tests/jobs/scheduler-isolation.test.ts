// No tenant's state can stop the shared scheduler (issue: a queued restore's source among a
// full server's scheduled snapshots made every tick throw "prune target vanished", and
// other users' schedules missed their slots). One tenant is put into every odd state we can
// construct; the scheduler runs one tick in this process; the other tenant's schedule fires
// in that tick, and each odd schedule records its own failure and moves on to its next slot.
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { createHost } from "@/lib/server/hosts";
import { restoreSnapshot } from "@/lib/server/snapshots";
import { createSchedule, runScheduleNow } from "@/lib/server/schedules";
import { runDueSchedules } from "@/lib/jobs/scheduler";
import { logger } from "@/lib/server/logger";
import type { Actor } from "@/lib/server/actor";
import { markSnapshotCompleted } from "../helpers/seed";
import { seedActor, seedServer } from "./helpers";

let odd: Actor;
let other: Actor;

beforeAll(async () => {
  await ensureDb();
  odd = await seedActor();
  other = await seedActor();
});

const makeDue = (id: number, agoMs: number) =>
  prisma.$transaction((tx) => tx.schedule.update({ where: { id }, data: { nextRunAt: new Date(Date.now() - agoMs) } }));

/** A server at its limit (5) of completed scheduled snapshots, taken through its schedule. */
async function fullServer(actor: Actor, host?: string) {
  const server = await seedServer(actor, { diskMb: 4, contentMb: 0, host });
  const schedule = await createSchedule(actor, { server_id: server.id, cron: "0 3 * * *", keep: 10, enabled: true });
  const snapshots = [];
  for (let i = 0; i < 5; i++) {
    const snapshot = await runScheduleNow(actor, schedule.id);
    await markSnapshotCompleted(snapshot.id);
    snapshots.push(snapshot);
  }
  return { server, schedule, snapshots };
}

describe("the scheduler isolates each schedule's failure", () => {
  it("the oldest scheduled snapshot, the source of a restore queued for an offline host, is skipped, not a 500", async () => {
    await createHost("offline-1");
    const { schedule, snapshots } = await fullServer(odd);
    const target = await seedServer(odd, { diskMb: 4, contentMb: 0, host: "offline-1" });
    await restoreSnapshot(odd, snapshots[0]!.id, { server_id: target.id });

    // Run now: the in-use one stays, the next oldest is pruned instead.
    const run = await runScheduleNow(odd, schedule.id);
    expect(run.kind).toBe("scheduled");
    const left = await prisma.snapshot.findMany({ where: { scheduleId: schedule.id }, select: { id: true } });
    expect(left.map((s) => s.id)).toContain(snapshots[0]!.id);
    expect(left.map((s) => s.id)).not.toContain(snapshots[1]!.id);
  });

  it("one tenant in every odd state at once: the other tenant's schedule fires in the same tick", async () => {
    await createHost("offline-2");
    const odds: { id: number; why: RegExp }[] = [];

    // 1. Full, and every scheduled snapshot is the source of a queued restore (nothing prunable).
    const inUse = await fullServer(odd);
    for (const s of inUse.snapshots) {
      const target = await seedServer(odd, { diskMb: 4, contentMb: 0, host: "offline-2" });
      await restoreSnapshot(odd, s.id, { server_id: target.id });
    }
    odds.push({ id: inUse.schedule.id, why: /snapshots and none of them/ });

    // 2. Full, and every scheduled snapshot protected.
    const locked = await fullServer(odd);
    await prisma.$transaction((tx) =>
      tx.snapshot.updateMany({ where: { scheduleId: locked.schedule.id }, data: { protected: true } }),
    );
    odds.push({ id: locked.schedule.id, why: /snapshots and none of them/ });

    // 3. The server is being restored (a restore queued for an offline host holds it).
    const busy = await seedServer(odd, { diskMb: 4, contentMb: 0, host: "offline-2" });
    const busySchedule = await createSchedule(odd, { server_id: busy.id, cron: "0 3 * * *", keep: 3, enabled: true });
    const busySnapshot = await runScheduleNow(odd, busySchedule.id);
    await markSnapshotCompleted(busySnapshot.id);
    await restoreSnapshot(odd, busySnapshot.id);
    odds.push({ id: busySchedule.id, why: /restor|busy|operation/i });

    // 4. A schedule row the product would never write: a cron no parser accepts.
    const broken = await seedServer(odd, { diskMb: 4, contentMb: 0 });
    const brokenSchedule = await createSchedule(odd, { server_id: broken.id, cron: "0 3 * * *", keep: 3, enabled: true });
    await prisma.$transaction((tx) => tx.schedule.update({ where: { id: brokenSchedule.id }, data: { cron: "not a cron" } }));
    odds.push({ id: brokenSchedule.id, why: /internal error/ });

    // The other tenant's schedule is due last, after all the odd ones.
    const fine = await seedServer(other, { diskMb: 4, contentMb: 0 });
    const fineSchedule = await createSchedule(other, { server_id: fine.id, cron: "0 3 * * *", keep: 3, enabled: true });
    for (const [i, o] of odds.entries()) await makeDue(o.id, 60_000 - i);
    await makeDue(fineSchedule.id, 1_000);

    await runDueSchedules(logger);

    const fired = await prisma.schedule.findUniqueOrThrow({ where: { id: fineSchedule.id } });
    expect(fired.lastRunStatus).toBe("running");
    expect(await prisma.snapshot.count({ where: { scheduleId: fineSchedule.id, kind: "scheduled" } })).toBe(1);
    for (const o of odds) {
      const row = await prisma.schedule.findUniqueOrThrow({ where: { id: o.id } });
      expect(row.lastRunStatus, `schedule ${o.id}`).toBe("failed");
      expect(row.lastRunError, `schedule ${o.id}`).toMatch(o.why);
      // Its slot is spent: the next tick does not start with it again.
      expect(row.nextRunAt.getTime(), `schedule ${o.id}`).toBeGreaterThan(Date.now());
    }
    // A second tick has nothing due.
    expect(await runDueSchedules(logger)).toBe(0);
  });
});

// The scheduler in real worker processes sharing one database (SPEC §6): each due slot
// fires once however many workers run, missed slots collapse into one run, a completed
// scheduled snapshot prunes beyond `keep`, and safety snapshots expire. Also the safety
// snapshot of a restore survives a kill -9 between its capture and the restore.
import { promises as fs } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma, ensureDb } from "@/lib/server/db";
import { createSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { createSchedule, runScheduleNow } from "@/lib/server/schedules";
import { nextRunAfter } from "@/lib/schemas/cron";
import { getDiskDriver } from "@/lib/disks/get-driver";
import type { Actor } from "@/lib/server/actor";
import { hashFile, scribble, MIB } from "../disks/helpers";
import { killHard, operationOf, seedActor, seedServer, waitFor, waitForOperationEnd, workerProcessesPerTest } from "./helpers";

const dataDir = process.env.DATA_DIR!;
let actor: Actor;
const start = workerProcessesPerTest();

beforeAll(async () => {
  await ensureDb();
  actor = await seedActor();
});

/** Makes a schedule due: its next slot moved into the past (as if its time had come). */
const makeDue = (id: number, agoMs: number) =>
  prisma.$transaction((tx) => tx.schedule.update({ where: { id }, data: { nextRunAt: new Date(Date.now() - agoMs) } }));
const scheduledOf = (scheduleId: number) => prisma.snapshot.findMany({ where: { scheduleId, kind: "scheduled" } });
const manifest = (snapshotId: number) => path.join(dataDir, "snapshots", "manifests", `${snapshotId}.json`);
const exists = (file: string) =>
  fs.stat(file).then(
    () => true,
    () => false,
  );

describe("scheduler (worker processes)", () => {
  it("two workers on one database: each due slot fires exactly once, twice over", async () => {
    const schedules = [];
    for (let i = 0; i < 4; i++) {
      const server = await seedServer(actor, { diskMb: 4, contentMb: 1 });
      schedules.push(await createSchedule(actor, { server_id: server.id, cron: "0 3 * * *", keep: 5, enabled: true }));
    }
    start();
    start();
    for (let round = 1; round <= 2; round++) {
      for (const s of schedules) await makeDue(s.id, 1_000);
      for (const s of schedules) {
        const rows = await waitFor(
          `round ${round} of schedule ${s.id}`,
          async () => {
            const rows = await scheduledOf(s.id);
            return rows.length >= round && rows.every((r) => r.status === "completed") ? rows : null;
          },
          60_000,
        );
        expect(rows).toHaveLength(round);
      }
    }
    // Settled: no extra run appears, and every schedule's next slot is in the future again.
    await waitFor(
      "all operations ended",
      async () => (await prisma.operation.count({ where: { status: { in: ["queued", "running"] } } })) === 0,
    );
    for (const s of schedules) {
      expect(await scheduledOf(s.id)).toHaveLength(2);
      const row = await prisma.schedule.findUniqueOrThrow({ where: { id: s.id } });
      expect(row.nextRunAt.getTime()).toBeGreaterThan(Date.now());
      expect(row).toMatchObject({ lastRunStatus: "completed", lastRunError: null });
    }
  });

  it("missed slots (everything down for hours) run once when a worker is back, not once per slot", async () => {
    const server = await seedServer(actor, { diskMb: 4, contentMb: 1 });
    const schedule = await createSchedule(actor, { server_id: server.id, cron: "*/5 * * * *", keep: 5, enabled: true });
    await makeDue(schedule.id, 3 * 3_600_000); // 36 slots missed
    start();
    const [snap] = await waitFor("the catch-up run", async () => {
      const rows = await scheduledOf(schedule.id);
      return rows.length && rows[0]!.status === "completed" ? rows : null;
    });
    const row = await prisma.schedule.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.nextRunAt.getTime()).toBeGreaterThan(Date.now() - 1_000);
    expect(row.nextRunAt).toEqual(nextRunAfter("*/5 * * * *", new Date(row.nextRunAt.getTime() - 5 * 60_000)));
    expect(row).toMatchObject({ lastRunStatus: "completed", lastRunSnapshotId: snap!.id });
    await waitFor(
      "idle",
      async () => (await prisma.operation.count({ where: { serverId: server.id, status: { in: ["queued", "running"] } } })) === 0,
    );
    expect(await scheduledOf(schedule.id)).toHaveLength(1);
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { action: "snapshot.create", targetId: String(snap!.id) } });
    expect(audit).toMatchObject({ actorType: "schedule", userId: null });
  });

  it("keeps the newest `keep` scheduled snapshots: the oldest is pruned and its stored data removed; manual ones stay", async () => {
    const server = await seedServer(actor, { diskMb: 4, contentMb: 2 });
    const manual = await createSnapshot(actor, { server_id: server.id, name: "manual-base" });
    start();
    await waitForOperationEnd((await operationOf(manual.id, "snapshot_create")).id, 60_000);
    const schedule = await createSchedule(actor, { server_id: server.id, cron: "0 3 * * *", keep: 2, enabled: true });
    const taken: number[] = [];
    for (let i = 0; i < 3; i++) {
      await scribble(getDiskDriver().diskPath(server.id), i * MIB, 64 * 1024);
      const snap = await runScheduleNow(actor, schedule.id);
      taken.push(snap.id);
      await waitForOperationEnd((await operationOf(snap.id, "scheduled_snapshot")).id, 60_000);
    }
    const left = await prisma.snapshot.findMany({ where: { serverId: server.id }, orderBy: { id: "asc" } });
    expect(left.map((s) => s.id)).toEqual([manual.id, taken[1], taken[2]]);
    await waitFor(
      "pruned data removed",
      async () =>
        !(await exists(manifest(taken[0]!))) && (await prisma.pendingDeletion.count({ where: { snapshotId: taken[0] } })) === 0,
    );
    expect(await exists(manifest(taken[2]!))).toBe(true);
    expect(await prisma.schedule.findUniqueOrThrow({ where: { id: schedule.id } })).toMatchObject({
      lastRunStatus: "completed",
      lastRunSnapshotId: taken[2],
    });
  });

  it("collects an expired safety snapshot (row, then data), as Snapdeck", async () => {
    const server = await seedServer(actor, { diskMb: 4, contentMb: 1 });
    const base = await createSnapshot(actor, { server_id: server.id, name: "base" });
    start();
    await waitForOperationEnd((await operationOf(base.id, "snapshot_create")).id, 60_000);
    const restore = await restoreSnapshot(actor, base.id, { safety_snapshot: true });
    const safetyId = restore.safetySnapshot!.id;
    await waitForOperationEnd((await operationOf(base.id, "snapshot_restore")).id, 60_000);
    expect(await prisma.snapshot.findUniqueOrThrow({ where: { id: safetyId } })).toMatchObject({
      kind: "safety",
      status: "completed",
      consistency: "offline",
    });
    expect(await exists(manifest(safetyId))).toBe(true);
    await prisma.$transaction((tx) =>
      tx.snapshot.update({ where: { id: safetyId }, data: { expiresAt: new Date(Date.now() - 1_000) } }),
    );
    await waitFor(
      "safety snapshot collected",
      async () => !(await prisma.snapshot.findUnique({ where: { id: safetyId } })) && !(await exists(manifest(safetyId))),
      60_000,
    );
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { action: "snapshot.expire", targetId: String(safetyId) } });
    expect(audit).toMatchObject({ actorType: "system", userId: null });
  });

  it("a kill -9 during the restore after the safety capture keeps the old disk: the retried restore skips the capture, undo restores it byte for byte", async () => {
    const server = await seedServer(actor, { diskMb: 48, contentMb: 40 });
    const disk = getDiskDriver().diskPath(server.id);
    const base = await createSnapshot(actor, { server_id: server.id, name: "base" });
    const first = start();
    await waitForOperationEnd((await operationOf(base.id, "snapshot_create")).id, 120_000);
    await killHard(first);
    await scribble(disk, 3 * MIB, 4 * MIB); // the data the restore is about to overwrite
    const changed = await hashFile(disk);

    const restore = await restoreSnapshot(actor, base.id, { safety_snapshot: true });
    const safetyId = restore.safetySnapshot!.id;
    const op = await operationOf(base.id, "snapshot_restore");
    const slow = start({ SNAPDECK_DISK_THROUGHPUT_MBPS: "12" });
    await waitFor(
      "safety snapshot committed",
      async () => (await prisma.snapshot.findUniqueOrThrow({ where: { id: safetyId } })).status === "completed",
      120_000,
    );
    await killHard(slow);
    expect(await hashFile(disk)).toBe(changed); // the restore had not replaced the disk yet

    start();
    expect(await waitForOperationEnd(op.id, 120_000)).toMatchObject({ status: "completed", attempts: 2 });
    expect(await hashFile(disk)).not.toBe(changed);
    const safety = await prisma.snapshot.findUniqueOrThrow({ where: { id: safetyId } });
    expect(safety.status).toBe("completed");

    // Undo: restore the safety snapshot.
    await restoreSnapshot(actor, safetyId);
    await waitForOperationEnd((await operationOf(safetyId, "snapshot_restore")).id, 120_000);
    expect(await hashFile(disk)).toBe(changed);
  });
});

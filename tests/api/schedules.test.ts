// SPEC §6, part B over HTTP against `next start` (no worker: snapshots are marked
// completed as the worker would): schedules CRUD and run-now with retention at the limit,
// the safety snapshot on restore. The scheduler itself is in tests/jobs/scheduler.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { dbFingerprint, markSnapshotCompleted, seedServer, seedUser, type SeededUser } from "../helpers/seed";
import {
  createdSnapshotSchema,
  errorSchema,
  restoreResultSchema,
  schedulePageSchema,
  scheduleSchema,
} from "@/lib/schemas/api-responses";
import { prisma } from "@/lib/server/db";

const { api } = serveApp();
let alice: SeededUser;
let bob: SeededUser;

beforeAll(async () => {
  alice = await seedUser();
  bob = await seedUser();
});

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(errorSchema.parse(res.body).code).toBe(code);
}

async function createSchedule(serverId: number, body: Record<string, unknown> = {}) {
  const res = await api("POST", "/api/v1/schedules/", {
    token: alice.write,
    json: { server_id: serverId, cron: "0 3 * * *", keep: 2, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return scheduleSchema.parse(res.body);
}

/** A completed snapshot of the given kind, through the API (manual) or a schedule's run. */
async function completedSnapshot(serverId: number, name: string) {
  const res = await api("POST", "/api/v1/snapshots/", { token: alice.write, json: { server_id: serverId, name } });
  expect(res.status, res.text).toBe(201);
  await markSnapshotCompleted(res.body.id);
  return res.body.id as number;
}

async function runNow(scheduleId: number) {
  return api("POST", `/api/v1/schedules/${scheduleId}/run/`, { token: alice.write });
}

describe("schedules CRUD", () => {
  it("201 with next_run_at (the next UTC slot) and no last_run; GET one and the list, with and without a trailing slash", async () => {
    const server = await seedServer(alice.id);
    const before = Date.now();
    const schedule = await createSchedule(server.id, { cron: "0  3 * * *" });
    expect(schedule).toMatchObject({
      server: { id: server.id, name: server.name },
      cron: "0 3 * * *",
      keep: 2,
      enabled: true,
      last_run: null,
    });
    const next = new Date(schedule.next_run_at!);
    expect(next.getTime()).toBeGreaterThan(before);
    expect(next.getTime() - before).toBeLessThanOrEqual(24 * 3_600_000);
    expect([next.getUTCHours(), next.getUTCMinutes(), next.getUTCSeconds()]).toEqual([3, 0, 0]);

    const one = await api("GET", `/api/v1/schedules/${schedule.id}`, { token: alice.read });
    expect(scheduleSchema.parse(one.body)).toEqual(schedule);
    const list = await api("GET", `/api/v1/schedules/?server_id=${server.id}`, { token: alice.read });
    expect(schedulePageSchema.parse(list.body).results).toEqual([schedule]);
  });

  it("400 for a bad cron or keep, with the field named", async () => {
    const server = await seedServer(alice.id);
    for (const [field, value] of [
      ["cron", "* * * *"],
      ["cron", "0 0 0 * * *"],
      ["cron", "61 * * * *"],
      ["cron", "@daily"],
      ["cron", 5],
      ["keep", 0],
      ["keep", 6],
      ["keep", 1.5],
      ["keep", "2"],
      ["enabled", "yes"],
    ] as const) {
      const res = await api("POST", "/api/v1/schedules/", {
        token: alice.write,
        json: { server_id: server.id, cron: "0 3 * * *", keep: 2, [field]: value },
      });
      expectError(res, 400, "validation_error");
      expect(Object.keys(res.body.errors)).toEqual([field]);
    }
    const schedule = await createSchedule(server.id);
    expectError(
      await api("PATCH", `/api/v1/schedules/${schedule.id}/`, { token: alice.write, json: { cron: "0 25 * * *" } }),
      400,
      "validation_error",
    );
    expectError(
      await api("PATCH", `/api/v1/schedules/${schedule.id}/`, { token: alice.write, json: { keep: 9 } }),
      400,
      "validation_error",
    );
    expectError(
      await api("PATCH", `/api/v1/schedules/${schedule.id}/`, { token: alice.write, json: { server_id: 1 } }),
      400,
      "validation_error",
    );
  });

  it("404 for another user's server or schedule on every route; 401 without a token; 403 for a read token", async () => {
    const server = await seedServer(alice.id);
    const schedule = await createSchedule(server.id);
    expectError(
      await api("POST", "/api/v1/schedules/", { token: bob.write, json: { server_id: server.id, cron: "0 3 * * *", keep: 1 } }),
      404,
      "not_found",
    );
    expectError(await api("GET", `/api/v1/schedules/${schedule.id}/`, { token: bob.read }), 404, "not_found");
    expectError(
      await api("PATCH", `/api/v1/schedules/${schedule.id}/`, { token: bob.write, json: { keep: 1 } }),
      404,
      "not_found",
    );
    expectError(await api("DELETE", `/api/v1/schedules/${schedule.id}/`, { token: bob.write }), 404, "not_found");
    expectError(await api("POST", `/api/v1/schedules/${schedule.id}/run/`, { token: bob.write }), 404, "not_found");
    expect((await api("GET", "/api/v1/schedules/", { token: bob.read })).body.results).toEqual([]);

    for (const [method, path] of [
      ["GET", "/api/v1/schedules/"],
      ["POST", "/api/v1/schedules/"],
      ["GET", `/api/v1/schedules/${schedule.id}/`],
      ["PATCH", `/api/v1/schedules/${schedule.id}/`],
      ["DELETE", `/api/v1/schedules/${schedule.id}/`],
      ["POST", `/api/v1/schedules/${schedule.id}/run/`],
    ] as const) {
      const res = await api(method, path, { json: method === "PATCH" || method === "POST" ? { keep: 1 } : undefined });
      expectError(res, 401, "unauthenticated");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      if (method !== "GET") expectError(await api(method, path, { token: alice.read, json: { keep: 1 } }), 403, "forbidden");
    }
  });

  it("PATCH changes keep, cron and enabled; disabled shows no next run; re-enabling counts from now", async () => {
    const server = await seedServer(alice.id);
    const schedule = await createSchedule(server.id);
    const patched = await api("PATCH", `/api/v1/schedules/${schedule.id}/`, {
      token: alice.write,
      json: { keep: 4, cron: "30 */6 * * *" },
    });
    expect(patched.status, patched.text).toBe(200);
    const body = scheduleSchema.parse(patched.body);
    expect(body).toMatchObject({ keep: 4, cron: "30 */6 * * *", enabled: true });
    expect(new Date(body.next_run_at!).getUTCMinutes()).toBe(30);
    expect(new Date(body.next_run_at!).getUTCHours() % 6).toBe(0);

    const disabled = await api("PATCH", `/api/v1/schedules/${schedule.id}`, { token: alice.write, json: { enabled: false } });
    expect(scheduleSchema.parse(disabled.body)).toMatchObject({ enabled: false, next_run_at: null });
    // A slot missed while disabled must not fire on re-enabling.
    await prisma.$transaction((tx) =>
      tx.schedule.update({ where: { id: schedule.id }, data: { nextRunAt: new Date(Date.now() - 3_600_000) } }),
    );
    const enabled = scheduleSchema.parse(
      (await api("PATCH", `/api/v1/schedules/${schedule.id}/`, { token: alice.write, json: { enabled: true } })).body,
    );
    expect(new Date(enabled.next_run_at!).getTime()).toBeGreaterThan(Date.now() - 5_000);
  });

  it("DELETE 204, then 404; the schedule's snapshots stay", async () => {
    const server = await seedServer(alice.id);
    const schedule = await createSchedule(server.id);
    const run = await runNow(schedule.id);
    expect(run.status, run.text).toBe(201);
    const res = await api("DELETE", `/api/v1/schedules/${schedule.id}/`, { token: alice.write });
    expect(res.status).toBe(204);
    expectError(await api("GET", `/api/v1/schedules/${schedule.id}/`, { token: alice.read }), 404, "not_found");
    expect((await api("GET", `/api/v1/snapshots/${run.body.id}/`, { token: alice.read })).status).toBe(200);
  });
});

describe("POST /api/v1/schedules/{id}/run/", () => {
  it("201 the scheduled snapshot now being taken: auto-YYYYMMDD-HHMM, kind scheduled; last_run says running", async () => {
    const server = await seedServer(alice.id, { status: "active" });
    const schedule = await createSchedule(server.id);
    const res = await runNow(schedule.id);
    expect(res.status, res.text).toBe(201);
    const snap = createdSnapshotSchema.parse(res.body);
    expect(snap).toMatchObject({ status: "in_progress", kind: "scheduled", size_mb: null });
    expect(snap.name).toMatch(/^auto-\d{8}-\d{4}$/);
    expect(snap.warning).toMatch(/inconsistent/);
    const after = scheduleSchema.parse((await api("GET", `/api/v1/schedules/${schedule.id}/`, { token: alice.read })).body);
    expect(after.last_run).toMatchObject({ status: "running", snapshot_id: snap.id, error: null });
    expect(after.next_run_at).toBe(schedule.next_run_at); // run now leaves the slot alone
    const op = await prisma.operation.findFirstOrThrow({ where: { snapshotId: snap.id } });
    expect(op).toMatchObject({ kind: "scheduled_snapshot", status: "queued", userId: null });

    // Errors as create: the server is busy now.
    expectError(await runNow(schedule.id), 400, "operation_in_progress");
    // A second run in the same minute gets the -2 suffix.
    await markSnapshotCompleted(snap.id);
    const second = await runNow(schedule.id);
    expect(second.status, second.text).toBe(201);
    if (second.body.name.slice(0, 18) === snap.name.slice(0, 18)) expect(second.body.name).toBe(`${snap.name}-2`);
  });

  it("at the limit, first deletes the oldest unprotected scheduled snapshot (through the deletion queue), never a manual one", async () => {
    const server = await seedServer(alice.id);
    const schedule = await createSchedule(server.id, { keep: 5 });
    const first = await runNow(schedule.id);
    await markSnapshotCompleted(first.body.id);
    const second = await runNow(schedule.id);
    await markSnapshotCompleted(second.body.id);
    for (const name of ["m1", "m2", "m3"]) await completedSnapshot(server.id, name); // 5 of 5
    const res = await runNow(schedule.id);
    expect(res.status, res.text).toBe(201);
    expect((await api("GET", `/api/v1/snapshots/${first.body.id}/`, { token: alice.read })).status).toBe(404);
    expect((await api("GET", `/api/v1/snapshots/${second.body.id}/`, { token: alice.read })).status).toBe(200);
    expect(await prisma.pendingDeletion.findUnique({ where: { snapshotId: first.body.id } })).not.toBeNull();
    const audit = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "snapshot.prune", targetId: String(first.body.id) },
    });
    expect(audit).toMatchObject({ actorType: "schedule", userId: null, result: "success" });
    const server2 = await api("GET", `/api/v1/servers/${server.id}/`, { token: alice.read });
    expect(server2.body.snapshot_count).toBe(5);
  });

  it("at the limit with nothing prunable: 400, last_run failed with the reason, nothing else touched", async () => {
    const server = await seedServer(alice.id);
    const schedule = await createSchedule(server.id);
    const scheduled = await runNow(schedule.id);
    await markSnapshotCompleted(scheduled.body.id);
    await prisma.$transaction((tx) => tx.snapshot.update({ where: { id: scheduled.body.id }, data: { protected: true } }));
    for (const name of ["a", "b", "c", "d"]) await completedSnapshot(server.id, name);
    const before = await dbFingerprint();
    const res = await runNow(schedule.id);
    expectError(res, 400, "snapshot_limit_reached");
    expect(res.body.detail).toMatch(/nothing was changed/);
    const after = await dbFingerprint();
    expect(after.snapshots).toEqual(before.snapshots);
    expect(after.servers).toEqual(before.servers);
    expect(after.operations).toEqual(before.operations);
    const body = scheduleSchema.parse((await api("GET", `/api/v1/schedules/${schedule.id}/`, { token: alice.read })).body);
    expect(body.last_run).toMatchObject({ status: "failed", snapshot_id: null });
    expect(body.last_run!.error).toMatch(/5 of 5 snapshots/);
  });

  it("two runs at once on a server at its limit: one 201, one refused; exactly one snapshot pruned, the limit holds", async () => {
    const server = await seedServer(alice.id);
    const a = await createSchedule(server.id, { keep: 5 });
    const b = await createSchedule(server.id, { keep: 5, cron: "0 4 * * *" });
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const run = await runNow(a.id);
      await markSnapshotCompleted(run.body.id);
      ids.push(run.body.id);
    }
    for (const name of ["x", "y", "z"]) await completedSnapshot(server.id, name);
    const results = await Promise.all([runNow(a.id), runNow(b.id), runNow(a.id)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 400, 400]);
    for (const r of results.filter((r) => r.status === 400)) expect(r.body.code).toBe("operation_in_progress");
    const remaining = await prisma.snapshot.findMany({
      where: { serverId: server.id, status: { in: ["in_progress", "completed"] } },
    });
    expect(remaining).toHaveLength(5);
    expect(remaining.map((s) => s.id)).not.toContain(ids[0]);
    expect(remaining.map((s) => s.id)).toContain(ids[1]);
  });
});

describe("restore with a safety snapshot", () => {
  it("200 names the safety snapshot: kind safety, expires in 24 h, outside the limit; default off", async () => {
    const server = await seedServer(alice.id);
    const ids: number[] = [];
    for (const name of ["s1", "s2", "s3", "s4", "s5"]) ids.push(await completedSnapshot(server.id, name));

    const plain = await api("POST", `/api/v1/snapshots/${ids[0]}/restore/`, { token: alice.write });
    expect(plain.status, plain.text).toBe(200);
    expect(restoreResultSchema.parse(plain.body).safety_snapshot).toBeUndefined();
    await prisma.$transaction((tx) =>
      tx.operation
        .updateMany({ where: { serverId: server.id, status: "queued" }, data: { status: "completed" } })
        .then(() => tx.server.update({ where: { id: server.id }, data: { activeOperationId: null, status: "stopped" } })),
    );

    const before = Date.now();
    const res = await api("POST", `/api/v1/snapshots/${ids[1]}/restore/`, {
      token: alice.write,
      json: { safety_snapshot: true },
    });
    expect(res.status, res.text).toBe(200);
    const body = restoreResultSchema.parse(res.body);
    expect(body.server.status).toBe("restoring");
    const safety = await api("GET", `/api/v1/snapshots/${body.safety_snapshot!.id}/`, { token: alice.read });
    expect(safety.body).toMatchObject({ kind: "safety", status: "in_progress", server: { id: server.id } });
    expect(safety.body.name).toMatch(/^safety-\d{8}-\d{4}$/);
    const ttl = new Date(safety.body.expires_at).getTime() - before;
    expect(ttl).toBeGreaterThan(23.9 * 3_600_000);
    expect(ttl).toBeLessThan(24.1 * 3_600_000);
    // At 5 of 5 with a safety snapshot on top: it does not count.
    expect((await api("GET", `/api/v1/servers/${server.id}/`, { token: alice.read })).body.snapshot_count).toBe(5);
    // Being captured, it cannot be deleted.
    expectError(
      await api("DELETE", `/api/v1/snapshots/${body.safety_snapshot!.id}/`, { token: alice.write }),
      400,
      "snapshot_in_use",
    );
  });

  it("400 for a safety_snapshot that is not a boolean", async () => {
    const server = await seedServer(alice.id);
    const id = await completedSnapshot(server.id, "only");
    expectError(
      await api("POST", `/api/v1/snapshots/${id}/restore/`, { token: alice.write, json: { safety_snapshot: "yes" } }),
      400,
      "validation_error",
    );
  });
});

describe("OpenAPI", () => {
  it("documents the schedule routes and the restore body", async () => {
    const doc = (await api("GET", "/api/v1/openapi.json")).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/schedules/", "/schedules/{scheduleId}/", "/schedules/{scheduleId}/run/"]),
    );
    expect(Object.keys(doc.paths["/schedules/{scheduleId}/"])).toEqual(expect.arrayContaining(["get", "patch", "delete"]));
    expect(doc.components.schemas.RestoreSnapshot.properties.safety_snapshot.type).toBe("boolean");
    expect(doc.components.schemas.Schedule.properties.last_run).toBeDefined();
  });
});

// docs/SPEC.md §2, row by row: every snapshot route's success and each of its failure statuses,
// over HTTP against `next start`. Snapshots are marked completed directly (as the worker
// would) so these tests do not wait for the data plane; concurrency.test.ts uses the worker.
import { beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { markSnapshotCompleted, seedServer, seedUser, setServerStatus, type SeededUser } from "../helpers/seed";
import {
  createdSnapshotSchema,
  errorSchema,
  restoreResultSchema,
  snapshotPageSchema,
  snapshotSchema,
} from "@/lib/schemas/api-responses";
import { prisma } from "@/lib/server/db";

const { api } = serveApp();
let alice: SeededUser;

beforeAll(async () => {
  alice = await seedUser();
});

function expectError(res: { status: number; body: unknown; headers: Headers }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = errorSchema.parse(res.body);
  expect(body.code).toBe(code);
  expect(body.detail.length).toBeGreaterThan(5);
}

async function takeSnapshot(serverId: number, name = "snap", token = alice.write) {
  const res = await api("POST", "/api/v1/snapshots/", { token, json: { server_id: serverId, name } });
  expect(res.status, res.text).toBe(201);
  return res.body.id as number;
}

describe("POST /api/v1/snapshots/", () => {
  it("201: in_progress, size_mb null, a message, and a warning for an active server", async () => {
    const server = await seedServer(alice.id, { status: "active" });
    const res = await api("POST", "/api/v1/snapshots/", {
      token: alice.write,
      json: { server_id: server.id, name: "before-update_1", description: "Snapshot before system update" },
    });
    expect(res.status).toBe(201);
    const body = createdSnapshotSchema.parse(res.body);
    expect(body).toMatchObject({
      status: "in_progress",
      size_mb: null,
      progress: 0,
      completed_at: null,
      name: "before-update_1",
    });
    expect(body.server).toEqual({ id: server.id, name: server.name });
    expect(body.description).toBe("Snapshot before system update");
    expect(body.message).toMatch(/few minutes/);
    expect(body.warning).toMatch(/inconsistent/);
    expect(body.created_at).toMatch(/Z$/);
    const op = await prisma.operation.findFirst({ where: { snapshotId: body.id } });
    expect(op).toMatchObject({ kind: "snapshot_create", status: "queued" });
  });

  it("201 without a warning for a stopped server, and without the trailing slash", async () => {
    const server = await seedServer(alice.id, { status: "stopped" });
    const res = await api("POST", "/api/v1/snapshots", { token: alice.write, json: { server_id: server.id, name: "quiet" } });
    expect(res.status).toBe(201);
    expect(res.body.warning).toBeUndefined();
  });

  it("400 validation_error with field errors for bad names", async () => {
    const server = await seedServer(alice.id);
    for (const name of ["", "has space", "x".repeat(65), "semi;colon", "ünïcode", 42]) {
      const res = await api("POST", "/api/v1/snapshots/", { token: alice.write, json: { server_id: server.id, name } });
      expectError(res, 400, "validation_error");
      expect(Object.keys(res.body.errors)).toEqual(["name"]);
    }
  });

  it("400 operation_in_progress while a snapshot is being taken", async () => {
    const server = await seedServer(alice.id);
    await takeSnapshot(server.id);
    const res = await api("POST", "/api/v1/snapshots/", { token: alice.write, json: { server_id: server.id, name: "second" } });
    expectError(res, 400, "operation_in_progress");
  });

  it("400 snapshot_limit_reached at 5 snapshots", async () => {
    const server = await seedServer(alice.id);
    for (let i = 0; i < 5; i++) await markSnapshotCompleted(await takeSnapshot(server.id, `s${i}`));
    const res = await api("POST", "/api/v1/snapshots/", { token: alice.write, json: { server_id: server.id, name: "sixth" } });
    expectError(res, 400, "snapshot_limit_reached");
  });

  it("401 without credentials, 403 with a read token, 404 for a server that does not exist", async () => {
    const server = await seedServer(alice.id);
    const json = { server_id: server.id, name: "x" };
    const anon = await api("POST", "/api/v1/snapshots/", { json });
    expectError(anon, 401, "unauthenticated");
    expect(anon.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expectError(await api("POST", "/api/v1/snapshots/", { token: alice.read, json }), 403, "forbidden");
    expectError(
      await api("POST", "/api/v1/snapshots/", { token: alice.write, json: { server_id: 999_999, name: "x" } }),
      404,
      "not_found",
    );
  });
});

describe("GET /api/v1/snapshots/", () => {
  it("200: newest first, filters, pagination with absolute next/previous URLs", async () => {
    const bob = await seedUser();
    const a = await seedServer(bob.id);
    const b = await seedServer(bob.id);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await takeSnapshot(a.id, `a${i}`, bob.write));
      await markSnapshotCompleted(ids.at(-1)!);
    }
    const inB = await takeSnapshot(b.id, "b0", bob.write);

    const all = await api("GET", "/api/v1/snapshots/", { token: bob.read });
    expect(all.status).toBe(200);
    const page = snapshotPageSchema.parse(all.body);
    expect(page.count).toBe(4);
    expect(page.results.map((s) => s.id)).toEqual([inB, ...ids.reverse()]);
    expect(page).toMatchObject({ next: null, previous: null });

    const filtered = await api("GET", `/api/v1/snapshots?server_id=${a.id}&status=completed`, { token: bob.read });
    expect(filtered.body.count).toBe(3);
    const progress = await api("GET", "/api/v1/snapshots/?status=in_progress", { token: bob.read });
    expect(progress.body.results.map((s: { id: number }) => s.id)).toEqual([inB]);

    const first = await api("GET", "/api/v1/snapshots/?page_size=3", { token: bob.read });
    expect(first.body.results).toHaveLength(3);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toMatch(/^http:\/\/.+\/api\/v1\/snapshots\/\?.*page=2/);
    const second = await api("GET", new URL(first.body.next).pathname + new URL(first.body.next).search, { token: bob.read });
    expect(second.body.results).toHaveLength(1);
    expect(second.body.next).toBeNull();
    expect(second.body.previous).toMatch(/page=1/);
    expect(new Set([...first.body.results, ...second.body.results].map((s: { id: number }) => s.id)).size).toBe(4);
  });

  it("400 for bad filters, 401 without credentials", async () => {
    for (const q of ["status=done", "server_id=abc", "page=0", "page_size=101", "page_size=1e2", "colour=red", "page=1&page=2"]) {
      expectError(await api("GET", `/api/v1/snapshots/?${q}`, { token: alice.read }), 400, "validation_error");
    }
    const anon = await api("GET", "/api/v1/snapshots/");
    expectError(anon, 401, "unauthenticated");
    expect(anon.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });
});

describe("GET /api/v1/snapshots/{id}/", () => {
  it("200 with progress, with and without the trailing slash; 401; 404", async () => {
    const server = await seedServer(alice.id);
    const id = await takeSnapshot(server.id);
    for (const path of [`/api/v1/snapshots/${id}/`, `/api/v1/snapshots/${id}`]) {
      const res = await api("GET", path, { token: alice.read });
      expect(res.status).toBe(200);
      expect(snapshotSchema.parse(res.body)).toMatchObject({ id, progress: 0, status: "in_progress" });
    }
    expectError(await api("GET", `/api/v1/snapshots/${id}/`), 401, "unauthenticated");
    expectError(await api("GET", "/api/v1/snapshots/987654/", { token: alice.read }), 404, "not_found");
  });
});

describe("POST /api/v1/snapshots/{id}/restore/", () => {
  it("200 with the restore shape; the server is restoring and an operation is queued", async () => {
    const server = await seedServer(alice.id, { status: "active" });
    const id = await takeSnapshot(server.id, "good");
    await markSnapshotCompleted(id);
    const res = await api("POST", `/api/v1/snapshots/${id}/restore/`, { token: alice.write });
    expect(res.status, res.text).toBe(200);
    const body = restoreResultSchema.parse(res.body);
    expect(body).toMatchObject({
      status: "success",
      snapshot: { id, name: "good" },
      server: { id: server.id, name: server.name, status: "restoring" },
    });
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).status).toBe("restoring");
    const op = await prisma.operation.findFirst({ where: { snapshotId: id, kind: "snapshot_restore" } });
    expect(JSON.parse(op!.payload)).toMatchObject({ previousStatus: "active" });
  });

  it("400 operation_in_progress while the snapshot is still being taken, invalid_snapshot_state for a failed one, invalid_server_state on a suspended server", async () => {
    const server = await seedServer(alice.id);
    const pending = await takeSnapshot(server.id);
    expectError(await api("POST", `/api/v1/snapshots/${pending}/restore`, { token: alice.write }), 400, "operation_in_progress");
    await markSnapshotCompleted(pending);
    const other = await seedServer(alice.id);
    const failed = await takeSnapshot(other.id);
    await prisma.$transaction(async (tx) => {
      await tx.snapshot.update({ where: { id: failed }, data: { status: "failed", error: "boom" } });
      await tx.operation.updateMany({ where: { snapshotId: failed }, data: { status: "failed" } });
      await tx.server.update({ where: { id: other.id }, data: { activeOperationId: null } });
    });
    expectError(await api("POST", `/api/v1/snapshots/${failed}/restore/`, { token: alice.write }), 400, "invalid_snapshot_state");
    await setServerStatus(server.id, "suspended");
    expectError(await api("POST", `/api/v1/snapshots/${pending}/restore/`, { token: alice.write }), 400, "invalid_server_state");
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).status).toBe("suspended");
  });

  it("401, 403 with a read token, 404", async () => {
    const server = await seedServer(alice.id);
    const id = await takeSnapshot(server.id);
    await markSnapshotCompleted(id);
    expectError(await api("POST", `/api/v1/snapshots/${id}/restore/`), 401, "unauthenticated");
    expectError(await api("POST", `/api/v1/snapshots/${id}/restore/`, { token: alice.read }), 403, "forbidden");
    expectError(await api("POST", "/api/v1/snapshots/888888/restore/", { token: alice.write }), 404, "not_found");
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).status).toBe("stopped");
  });
});

describe("DELETE /api/v1/snapshots/{id}/", () => {
  it("204 and the snapshot is gone for good", async () => {
    const server = await seedServer(alice.id);
    const id = await takeSnapshot(server.id);
    await markSnapshotCompleted(id);
    const res = await api("DELETE", `/api/v1/snapshots/${id}`, { token: alice.write });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectError(await api("GET", `/api/v1/snapshots/${id}/`, { token: alice.read }), 404, "not_found");
    expect(await prisma.snapshot.findUnique({ where: { id } })).toBeNull();
    // The stored data is not touched in the request: it is queued for a worker.
    expect(await prisma.pendingDeletion.findUnique({ where: { snapshotId: id } })).not.toBeNull();
  });

  it("400 snapshot_in_use while an operation uses it; 401; 403; 404", async () => {
    const server = await seedServer(alice.id);
    const id = await takeSnapshot(server.id);
    expectError(await api("DELETE", `/api/v1/snapshots/${id}/`, { token: alice.write }), 400, "snapshot_in_use");
    expectError(await api("DELETE", `/api/v1/snapshots/${id}/`), 401, "unauthenticated");
    expectError(await api("DELETE", `/api/v1/snapshots/${id}/`, { token: alice.read }), 403, "forbidden");
    expectError(await api("DELETE", "/api/v1/snapshots/777777/", { token: alice.write }), 404, "not_found");
    expect(await prisma.snapshot.findUnique({ where: { id } })).not.toBeNull();
  });
});

describe("concurrent requests (no worker, so the first operation stays running)", () => {
  it("20 concurrent POSTs on a server without snapshots: exactly one 201, the rest 400 operation_in_progress", async () => {
    const server = await seedServer(alice.id);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api("POST", "/api/v1/snapshots/", { token: alice.write, json: { server_id: server.id, name: `race-${i}` } }),
      ),
    );
    const statuses = responses.map((r) => (r.status === 201 ? "201" : `${r.status} ${r.body?.code}`));
    expect(statuses.filter((s) => s === "201")).toHaveLength(1);
    expect(statuses.filter((s) => s === "400 operation_in_progress")).toHaveLength(19);
    expect(await prisma.snapshot.count({ where: { serverId: server.id } })).toBe(1);
    expect(await prisma.operation.count({ where: { serverId: server.id, kind: { not: "provision" } } })).toBe(1);
  });

  it("concurrent restore and snapshot on one server: exactly one accepted", async () => {
    const server = await seedServer(alice.id, { status: "active" });
    const base = await takeSnapshot(server.id, "base");
    await markSnapshotCompleted(base);
    const [restore, snapshot] = await Promise.all([
      api("POST", `/api/v1/snapshots/${base}/restore/`, { token: alice.write }),
      api("POST", "/api/v1/snapshots/", { token: alice.write, json: { server_id: server.id, name: "during" } }),
    ]);
    expect([restore.status, snapshot.status].sort()).toEqual(restore.status === 200 ? [200, 400] : [201, 400]);
    expect((restore.status === 200 ? snapshot : restore).body.code).toBe("operation_in_progress");
    expect(await prisma.operation.count({ where: { serverId: server.id, status: "queued" } })).toBe(1);
  });
});

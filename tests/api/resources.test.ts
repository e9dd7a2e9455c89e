// Servers, power actions, tokens, Idempotency-Key, the OpenAPI document and the JSON 404.
import { beforeAll, describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import { serveApp } from "../helpers/app-server";
import { markSnapshotCompleted, seedServer, seedUser, setServerStatus, type SeededUser } from "../helpers/seed";
import { createdTokenSchema, serverPageSchema, serverSchema, tokenPageSchema } from "@/lib/schemas/api-responses";
import { prisma } from "@/lib/server/db";
import { openApiPath, routeCases } from "./route-table";

const { api } = serveApp();
let user: SeededUser;

beforeAll(async () => {
  user = await seedUser();
});

describe("servers", () => {
  it("GET list and one server with snapshot_count, with and without trailing slash", async () => {
    const server = await seedServer(user.id, { status: "active" });
    const created = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: server.id, name: "one" } });
    for (const path of ["/api/v1/servers/", "/api/v1/servers"]) {
      const list = await api("GET", path, { token: user.read });
      expect(list.status).toBe(200);
      const page = serverPageSchema.parse(list.body);
      expect(page.results.find((s) => s.id === server.id)).toMatchObject({
        snapshot_count: 1,
        snapshot_limit: 5,
        status: "active",
      });
    }
    for (const path of [`/api/v1/servers/${server.id}/`, `/api/v1/servers/${server.id}`]) {
      const one = await api("GET", path, { token: user.read });
      expect(serverSchema.parse(one.body)).toMatchObject({
        id: server.id,
        snapshot_count: 1,
        operation: { kind: "snapshot_create" },
      });
      // The running operation names its snapshot (the dashboard marks that row) and its id
      // is the operation's UUID string, as the schema and the client type say.
      const operation = serverSchema.parse(one.body).operation!;
      expect(operation.snapshot_id).toBe((created.body as { id: number }).id);
      expect(operation.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await api("GET", "/api/v1/servers/424242/", { token: user.read })).status).toBe(404);
  });

  it("power actions: stop/start 200 with the server; same state is a no-op; 400 while busy; unknown action 404", async () => {
    const server = await seedServer(user.id, { status: "active" });
    const path = (action: string) => `/api/v1/servers/${server.id}/actions/${action}/`;
    const stop = await api("POST", path("stop"), { token: user.write });
    expect(stop.status).toBe(200);
    expect(serverSchema.parse(stop.body).status).toBe("stopped");
    expect((await api("POST", path("stop").slice(0, -1), { token: user.write })).body.status).toBe("stopped");
    expect((await api("POST", path("start"), { token: user.write })).body.status).toBe("active");

    const snap = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: server.id, name: "busy" } });
    const busy = await api("POST", path("stop"), { token: user.write });
    expect(busy.status).toBe(400);
    expect(busy.body.code).toBe("operation_in_progress");
    await markSnapshotCompleted(snap.body.id);
    await api("POST", `/api/v1/snapshots/${snap.body.id}/restore/`, { token: user.write });
    const restoring = await api("POST", path("start"), { token: user.write });
    expect(restoring.status).toBe(400);
    expect(restoring.body.code).toBe("operation_in_progress");

    const suspended = await seedServer(user.id, { status: "stopped" });
    await setServerStatus(suspended.id, "suspended");
    const invalid = await api("POST", `/api/v1/servers/${suspended.id}/actions/start/`, { token: user.write });
    expect(invalid.body.code).toBe("invalid_server_state");

    const unknown = await api("POST", path("reboot"), { token: user.write });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("not_found");
  });
});

describe("tokens", () => {
  it("create shows the secret once; list never does; the new token works; revoke → 204 and then 401", async () => {
    const created = await api("POST", "/api/v1/tokens/", { token: user.write, json: { name: "ci", scope: "read" } });
    expect(created.status).toBe(201);
    const token = createdTokenSchema.parse(created.body);
    const list = await api("GET", "/api/v1/tokens", { token: user.read });
    const page = tokenPageSchema.parse(list.body);
    expect(page.results.map((t) => t.id)).toContain(token.id);
    expect(list.text).not.toContain(token.token);
    const row = await prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(row.tokenHash).not.toContain(token.token);

    expect((await api("GET", "/api/v1/servers/", { token: token.token })).status).toBe(200);
    expect((await api("DELETE", `/api/v1/tokens/${token.id}`, { token: user.write })).status).toBe(204);
    expect((await api("GET", "/api/v1/servers/", { token: token.token })).status).toBe(401);
    expect((await api("DELETE", `/api/v1/tokens/${token.id}/`, { token: user.write })).status).toBe(404);
    const defaults = await api("POST", "/api/v1/tokens/", { token: user.write, json: { name: "default-scope" } });
    expect(defaults.body.scope).toBe("read");
  });
});

describe("Idempotency-Key", () => {
  it("same key and body → the first response and no second operation; other body or route → 400", async () => {
    const server = await seedServer(user.id);
    const headers = { "idempotency-key": "create-once" };
    const json = { server_id: server.id, name: "idem" };
    const first = await api("POST", "/api/v1/snapshots/", { token: user.write, json, headers });
    expect(first.status).toBe(201);
    const again = await api("POST", "/api/v1/snapshots", {
      token: user.write,
      json: { name: "idem", server_id: server.id },
      headers,
    });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await prisma.snapshot.count({ where: { serverId: server.id } })).toBe(1);

    const reused = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { ...json, name: "other" }, headers });
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe("idempotency_key_reused");
    const otherRoute = await api("POST", `/api/v1/servers/${server.id}/actions/start/`, { token: user.write, headers });
    expect(otherRoute.body.code).toBe("idempotency_key_reused");
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).status).toBe("stopped");

    // Another user's identical key is theirs alone.
    const other = await seedUser();
    const theirs = await api("POST", "/api/v1/snapshots/", { token: other.write, json, headers });
    expect(theirs.status).toBe(404);
  });

  it("a refused request does not burn the key: the retry runs once the cause is gone", async () => {
    const server = await seedServer(user.id);
    const blocker = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: server.id, name: "first" } });
    const headers = { "idempotency-key": "retry-me" };
    const json = { server_id: server.id, name: "second" };
    expect((await api("POST", "/api/v1/snapshots/", { token: user.write, json, headers })).body.code).toBe(
      "operation_in_progress",
    );
    await markSnapshotCompleted(blocker.body.id);
    const retry = await api("POST", "/api/v1/snapshots/", { token: user.write, json, headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
  });

  it("records older than 24 hours expire", async () => {
    const server = await seedServer(user.id, { status: "active" });
    const headers = { "idempotency-key": "old-key" };
    const path = `/api/v1/servers/${server.id}/actions/stop/`;
    expect((await api("POST", path, { token: user.write, headers })).status).toBe(200);
    await prisma.$transaction((tx) =>
      tx.idempotencyRecord.updateMany({
        where: { key: "old-key" },
        data: { createdAt: new Date(Date.now() - 25 * 3600 * 1000) },
      }),
    );
    await api("POST", `/api/v1/servers/${server.id}/actions/start/`, { token: user.write });
    const later = await api("POST", path, { token: user.write, headers });
    expect(later.headers.get("idempotent-replayed")).toBeNull();
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).status).toBe("stopped");
  });
});

describe("OpenAPI and unknown paths", () => {
  it("serves a valid OpenAPI 3.1 document that lists every route", async () => {
    const res = await api("GET", "/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result, JSON.stringify(result.errors)).toMatchObject({ valid: true });
    expect(validator.version).toBe("3.1");
    const ops = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => k !== "parameters")
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    // Every declared method of every route file (route-table.ts), which methods.test.ts
    // holds to the route files: a route cannot go undocumented.
    const documented = routeCases().filter((c) => c.spec.documented);
    expect(ops.sort()).toEqual(documented.map((c) => `${c.method} ${openApiPath(c.pattern)}`).sort());
    const operationIds = Object.values(res.body.paths as Record<string, Record<string, { operationId?: string }>>).flatMap(
      (item) => Object.values(item).flatMap((op) => (op.operationId ? [op.operationId] : [])),
    );
    expect(operationIds.sort()).toEqual(documented.map((c) => c.spec.operationId).sort());
    // The new fields and routes of SPEC §6 are described.
    const schemas = res.body.components.schemas;
    expect(Object.keys(schemas.Snapshot.properties)).toEqual(
      expect.arrayContaining(["labels", "protected", "kind", "consistency", "stored_mb"]),
    );
    expect(Object.keys(schemas.UpdateSnapshot.properties).sort()).toEqual(["description", "labels", "name", "protected"]);
    expect(schemas.UpdateSnapshot.properties.labels.propertyNames.pattern).toBe("^[a-z0-9][a-z0-9._/-]{0,62}$");
    expect(Object.keys(schemas.Event.properties)).toEqual(
      expect.arrayContaining(["id", "at", "action", "result", "actor", "target", "detail"]),
    );
    const listParams = res.body.paths["/snapshots/"].get.parameters.map((p: { name: string }) => p.name);
    expect(listParams).toContain("label_selector");
    const eventParams = res.body.paths["/events/"].get.parameters.map((p: { name: string }) => p.name);
    expect(eventParams.sort()).toEqual(["action", "page", "page_size", "result", "server_id"]);
    expect(res.body.components.schemas.CreateSnapshot.properties.name.pattern).toBe("^[A-Za-z0-9_-]+$");
  });

  it("an unknown /api/v1 path answers a JSON 404, not HTML", async () => {
    // /api/floor is the benchmark's same-framework floor: off unless SNAPDECK_BENCH_FLOOR=1.
    for (const path of ["/api/v1/nope", "/api/v1/snapshots/1/2/3", "/api/v1/", "/api/floor/v1/snapshots/"]) {
      const res = await api("GET", path, { token: user.read });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.body.code).toBe("not_found");
    }
  });
});

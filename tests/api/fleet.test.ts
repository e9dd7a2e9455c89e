// The fleet over HTTP: GET /api/v1/hosts/ (admins only), the host in server JSON (admins
// only), and restoring a snapshot onto another server (`server_id`), with the OpenAPI
// document describing both.
import { beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { markSnapshotCompleted, seedServer, seedUser, waitFor, type SeededUser } from "../helpers/seed";
import { hostSchema, restoreResultSchema, serverSchema } from "@/lib/schemas/api-responses";
import { prisma } from "@/lib/server/db";
import { createHost } from "@/lib/server/hosts";
import { createServer } from "@/lib/server/servers";
import { runOperation } from "@/lib/jobs/runner";
import { startHeartbeat } from "@/lib/jobs/heartbeat";

const { api } = serveApp();
let member: SeededUser;
let admin: SeededUser;

beforeAll(async () => {
  member = await seedUser();
  admin = await seedUser("admin");
});

async function provisionedServer(ownerId: number, name: string, diskMb: number) {
  const server = await createServer(ownerId, { name, disk_mb: diskMb });
  await runOperation(server.operationId);
  return server;
}

async function completedSnapshot(serverId: number, token: string, name: string): Promise<number> {
  const created = await api("POST", "/api/v1/snapshots/", { token, json: { server_id: serverId, name } });
  expect(created.status, created.text).toBe(201);
  await markSnapshotCompleted(created.body.id);
  return created.body.id as number;
}

describe("hosts", () => {
  it("GET /api/v1/hosts/: 401 without credentials, 403 for members, each host's presence for admins", async () => {
    await createHost("hv-api-1");
    await createHost("hv-api-2");
    await seedServer(member.id); // on `local`
    // An agent of hv-api-1 (its heartbeat, as lib/jobs/runner.ts starts it).
    const beat = startHeartbeat("test-agent", "hv-api-1");
    try {
      expect((await api("GET", "/api/v1/hosts/")).status).toBe(401);
      const refused = await api("GET", "/api/v1/hosts/", { token: member.read });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("forbidden");

      const listed = async (path: string) => hostSchema.array().parse((await api("GET", path, { token: admin.read })).body);
      expect((await listed("/api/v1/hosts")).map((h) => h.name)).toEqual(
        expect.arrayContaining(["hv-api-1", "hv-api-2", "local"]),
      );
      // Once its first beat is written, hv-api-1 is online.
      const hosts = await waitFor("hv-api-1 to be seen", async () => {
        const all = await listed("/api/v1/hosts/");
        return all.find((h) => h.name === "hv-api-1")?.last_seen_at ? all : null;
      });
      expect(hosts.find((h) => h.name === "hv-api-1")).toMatchObject({ status: "online", servers: 0, running_operations: 0 });
      expect(hosts.find((h) => h.name === "hv-api-2")).toEqual({
        name: "hv-api-2",
        hypervisor: "simulated",
        status: "offline",
        last_seen_at: null,
        servers: 0,
        running_operations: 0,
      });
      expect(hosts.find((h) => h.name === "local")!.servers).toBeGreaterThanOrEqual(1);
    } finally {
      await beat.stop();
    }
  });

  it("server JSON names the host for admins only", async () => {
    const server = await seedServer(member.id);
    const asAdmin = serverSchema.parse((await api("GET", `/api/v1/servers/${server.id}/`, { token: admin.read })).body);
    expect(asAdmin.host).toBe("local");
    const asMember = await api("GET", `/api/v1/servers/${server.id}/`, { token: member.read });
    expect(asMember.body).not.toHaveProperty("host");
  });
});

describe("restore onto another server", () => {
  it("server_id restores onto that server (named in the response); the source is not touched", async () => {
    const source = await provisionedServer(member.id, "restore-source", 16);
    const target = await provisionedServer(member.id, "restore-target", 32);
    const snapshotId = await completedSnapshot(source.id, member.write, "cross");
    const res = await api("POST", `/api/v1/snapshots/${snapshotId}/restore/`, {
      token: member.write,
      json: { server_id: target.id },
    });
    expect(res.status, res.text).toBe(200);
    expect(restoreResultSchema.parse(res.body).server).toEqual({ id: target.id, name: "restore-target", status: "restoring" });
    const op = await prisma.operation.findFirstOrThrow({ where: { snapshotId, kind: "snapshot_restore" } });
    expect(op.serverId).toBe(target.id);
    expect((await prisma.server.findUniqueOrThrow({ where: { id: source.id } })).status).toBe("stopped");
    expect((await prisma.server.findUniqueOrThrow({ where: { id: source.id } })).activeOperationId).toBeNull();
    // The one-operation rule holds on the target.
    const again = await api("POST", `/api/v1/snapshots/${snapshotId}/restore/`, {
      token: member.write,
      json: { server_id: target.id },
    });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("operation_in_progress");
  });

  it("400 disk_too_small for a smaller target, 404 for another user's server, 400 for a bad body; no body restores onto the snapshot's own server", async () => {
    const source = await provisionedServer(member.id, "big-source", 16);
    const small = await provisionedServer(member.id, "small-target", 8);
    const snapshotId = await completedSnapshot(source.id, member.write, "too-big");
    const tooSmall = await api("POST", `/api/v1/snapshots/${snapshotId}/restore/`, {
      token: member.write,
      json: { server_id: small.id },
    });
    expect(tooSmall.status).toBe(400);
    expect(tooSmall.body.code).toBe("disk_too_small");
    expect((await prisma.server.findUniqueOrThrow({ where: { id: small.id } })).activeOperationId).toBeNull();

    const foreign = await provisionedServer(admin.id, "admins-server", 64);
    for (const token of [member.write, admin.write]) {
      // Even an admin cannot move one tenant's data onto another tenant's server.
      const res = await api("POST", `/api/v1/snapshots/${snapshotId}/restore/`, { token, json: { server_id: foreign.id } });
      expect(res.status).toBe(404);
    }
    const bad = await api("POST", `/api/v1/snapshots/${snapshotId}/restore/`, { token: member.write, json: { server_id: "1" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toHaveProperty("server_id");

    const own = await api("POST", `/api/v1/snapshots/${snapshotId}/restore/`, { token: member.write });
    expect(own.status, own.text).toBe(200);
    expect(own.body.server).toMatchObject({ id: source.id, status: "restoring" });
  });

  it("the OpenAPI document describes the restore body and the hosts route", async () => {
    const doc = (await api("GET", "/api/v1/openapi.json")).body;
    const restore = doc.paths["/snapshots/{snapshotId}/restore/"].post;
    expect(restore.requestBody.required).toBe(false);
    expect(doc.components.schemas.RestoreSnapshot.properties).toHaveProperty("server_id");
    expect(doc.paths["/hosts/"].get.responses).toHaveProperty("403");
    expect(doc.components.schemas.Host.required).toEqual(
      expect.arrayContaining(["name", "hypervisor", "status", "last_seen_at", "servers", "running_operations"]),
    );
  });
});

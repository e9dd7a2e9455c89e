// PostgreSQL stops in the middle of a load of reads and a running snapshot, then comes
// back: meanwhile requests answer 503 + Retry-After (the JSON envelope, never a 500 or a
// hang), afterwards the app and the worker recover by themselves, and the snapshot ends
// completed exactly once. Uses a private cluster, since the test stops its server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPgCluster, type PgCluster } from "../helpers/pg-cluster";
import type { AppServer } from "../helpers/app-server";

let cluster: PgCluster;
let app: AppServer | undefined;

beforeAll(async () => {
  cluster = await startPgCluster();
  // Before the Prisma client is first imported, so it binds to the private cluster.
  process.env.DATABASE_URL = cluster.url("postgres");
  const { migrateDatabase } = await import("@/lib/server/setup");
  await migrateDatabase();
});
afterAll(async () => {
  await app?.stop();
  cluster?.destroy();
});

describe("PostgreSQL restart", () => {
  it("answers 503 while the database is down, recovers alone, and loses or doubles no operation", async () => {
    const { startAppServer } = await import("../helpers/app-server");
    const { createApi } = await import("../helpers/api-client");
    const { seedServer, seedUser, waitFor } = await import("../helpers/seed");
    const { prisma } = await import("@/lib/server/db");

    // 8 MB at 1 MB/s: the snapshot is still running when the database goes away.
    app = await startAppServer({ worker: true, env: { SNAPDECK_DISK_THROUGHPUT_MBPS: "1" } });
    const api = createApi(app.url);
    const user = await seedUser();
    const server = await seedServer(user.id);
    const created = await api("POST", "/api/v1/snapshots/", {
      token: user.write,
      json: { server_id: server.id, name: "through-restart" },
    });
    expect(created.status, created.text).toBe(201);
    await waitFor("the snapshot to make progress", async () => {
      const res = await api("GET", `/api/v1/snapshots/${created.body.id}/`, { token: user.read });
      return res.status === 200 && res.body.progress > 0;
    });

    // A steady load of reads across the whole outage.
    const statuses: { status: number; code?: string; retryAfter: string | null }[] = [];
    // And /api/health, which monitors poll: 503 with the reason, never a 500 or an empty body.
    const health: { status: number; database?: string; reason?: string }[] = [];
    let loading = true;
    let i = 0;
    const reader = async () => {
      while (loading) {
        const res = await api("GET", i++ % 2 ? "/api/v1/snapshots/" : "/api/v1/servers/", { token: user.read });
        statuses.push({ status: res.status, code: res.body?.code, retryAfter: res.headers.get("retry-after") });
      }
    };
    const monitor = async () => {
      while (loading) {
        const res = await api("GET", "/api/health");
        health.push({ status: res.status, database: res.body?.database, reason: res.body?.reason });
      }
    };
    const readers = Promise.all([reader(), reader(), reader(), monitor()]);

    cluster.stop();
    await waitFor("a 503 during the outage", async () => statuses.some((s) => s.status === 503));
    await waitFor("/api/health to say the database is down", async () => health.some((h) => h.database === "down"));
    cluster.start();
    const okAfter = statuses.length;
    await waitFor("reads to succeed again", async () => statuses.slice(okAfter).filter((s) => s.status === 200).length >= 5);
    loading = false;
    await readers;

    expect(statuses.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([]);
    for (const s of statuses.filter((s) => s.status === 503))
      expect(s).toMatchObject({ code: "database_unavailable", retryAfter: "5" });
    expect(health.filter((h) => h.status !== 200 && h.status !== 503)).toEqual([]);
    for (const h of health.filter((h) => h.database === "down"))
      expect(h).toEqual({ status: 503, database: "down", reason: "database unreachable" });

    // The snapshot finishes (redone after its lease expired, if the outage hit its writes).
    const snapshot = await waitFor(
      "the snapshot to complete",
      async () => {
        const row = await prisma.snapshot.findUniqueOrThrow({ where: { id: created.body.id } });
        return row.status !== "in_progress" && row;
      },
      90_000,
    );
    expect(snapshot.status).toBe("completed");
    expect(await prisma.snapshot.count({ where: { serverId: server.id } })).toBe(1);
    const operations = await prisma.operation.findMany({ where: { serverId: server.id, kind: { not: "provision" } } });
    expect(operations.map((o) => o.status)).toEqual(["completed"]);
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).activeOperationId).toBeNull();
  });
});

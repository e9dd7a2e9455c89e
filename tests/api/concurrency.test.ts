// The rules of docs/SPEC.md §1 under real parallel HTTP requests, with the real worker running
// operations to completion. (The plain 20-POST race is in snapshots.test.ts, without a
// worker: here a tiny snapshot can finish inside the burst and a second one is legal.)
import { beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { seedServer, seedUser, waitFor, type SeededUser } from "../helpers/seed";
import { prisma } from "@/lib/server/db";

const { api } = serveApp({ worker: true });
let user: SeededUser;

beforeAll(async () => {
  user = await seedUser();
});

const create = (serverId: number, name: string) =>
  api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: serverId, name } });

function tally(responses: { status: number; body: { code?: string } }[]) {
  const out: Record<string, number> = {};
  for (const r of responses) {
    const key = r.status === 201 || r.status === 200 ? String(r.status) : `${r.status} ${r.body?.code}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

async function waitIdle(serverId: number) {
  await waitFor(`server ${serverId} to be idle`, async () => {
    const server = await prisma.server.findUniqueOrThrow({ where: { id: serverId } });
    return server.activeOperationId === null && server.status !== "restoring";
  });
}

describe("concurrency", () => {
  it("4 completed snapshots + 20 concurrent POSTs: one 201, 5 once it completes, then snapshot_limit_reached", async () => {
    const server = await seedServer(user.id);
    for (let i = 0; i < 4; i++) {
      const res = await create(server.id, `base-${i}`);
      expect(res.status, res.text).toBe(201);
      await waitIdle(server.id);
    }
    expect(await prisma.snapshot.count({ where: { serverId: server.id, status: "completed" } })).toBe(4);

    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => create(server.id, `race-${i}`)));
    expect(tally(responses)["201"]).toBe(1);
    expect(responses.filter((r) => r.status !== 201).every((r) => r.status === 400)).toBe(true);
    await waitIdle(server.id);
    const snapshots = await prisma.snapshot.findMany({ where: { serverId: server.id } });
    expect(snapshots).toHaveLength(5);
    expect(snapshots.every((s) => s.status === "completed")).toBe(true);

    const next = await create(server.id, "one-too-many");
    expect(next.status).toBe(400);
    expect(next.body.code).toBe("snapshot_limit_reached");
  });

  it("concurrent restore and snapshot on one server: exactly one is accepted", async () => {
    const server = await seedServer(user.id, { status: "active" });
    const base = await create(server.id, "base");
    await waitIdle(server.id);
    for (let round = 0; round < 3; round++) {
      const [restore, snapshot] = await Promise.all([
        api("POST", `/api/v1/snapshots/${base.body.id}/restore/`, { token: user.write }),
        create(server.id, `during-${round}`),
      ]);
      const accepted = [restore.status, snapshot.status].filter((s) => s === 200 || s === 201);
      expect(accepted, `${restore.text} / ${snapshot.text}`).toHaveLength(1);
      const refused = restore.status === 200 ? snapshot : restore;
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe("operation_in_progress");
      await waitIdle(server.id);
    }
    expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).status).toBe("active");
  });

  it("Idempotency-Key under concurrency: one operation, the twin gets the first response or 409", async () => {
    const server = await seedServer(user.id);
    const send = () =>
      api("POST", "/api/v1/snapshots/", {
        token: user.write,
        json: { server_id: server.id, name: "once" },
        headers: { "idempotency-key": "same-key-1" },
      });
    const responses = await Promise.all(Array.from({ length: 5 }, send));
    expect(
      responses.every((r) => r.status === 201 || (r.status === 409 && r.body.code === "idempotency_request_in_progress")),
    ).toBe(true);
    expect(new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(1);
    expect(await prisma.snapshot.count({ where: { serverId: server.id } })).toBe(1);
    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    await waitIdle(server.id);
  });
});

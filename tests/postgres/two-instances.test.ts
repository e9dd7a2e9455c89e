// Two Snapdeck instances (`next start` each, one worker) on one PostgreSQL database, as
// behind a load balancer: SPEC §1's race tests with the requests spread across both.
// Nothing in either process serialises them; only the database's row locks do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { createApi } from "../helpers/api-client";
import { seedServer, seedUser, waitFor, type SeededUser } from "../helpers/seed";
import { prisma } from "@/lib/server/db";

let a: AppServer;
let b: AppServer;
let user: SeededUser;
const apis: ReturnType<typeof createApi>[] = [];

beforeAll(async () => {
  // 8 MB disks at 4 MB/s: no snapshot can complete inside a burst of requests.
  [a, b] = await Promise.all([startAppServer({ worker: true, env: { SNAPDECK_DISK_THROUGHPUT_MBPS: "4" } }), startAppServer()]);
  apis.push(createApi(a.url), createApi(b.url));
  user = await seedUser();
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

/** Request i goes to instance i % 2. */
const create = (i: number, serverId: number, name: string) =>
  apis[i % 2]!("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: serverId, name } });
const codes = (responses: { status: number; body: { code?: string } }[]) =>
  responses.map((r) => (r.status === 201 ? "201" : `${r.status} ${r.body?.code}`));

async function waitIdle(serverId: number) {
  await waitFor(`server ${serverId} to be idle`, async () => {
    const server = await prisma.server.findUniqueOrThrow({ where: { id: serverId } });
    return server.activeOperationId === null;
  });
}

describe("two instances on one PostgreSQL database", () => {
  it("20 concurrent creates across both: exactly one 201, the rest operation_in_progress", async () => {
    const server = await seedServer(user.id);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => create(i, server.id, `race-${i}`)));
    const got = codes(responses);
    expect(got.filter((c) => c === "201")).toHaveLength(1);
    expect(got.filter((c) => c === "400 operation_in_progress")).toHaveLength(19);
    expect(await prisma.operation.count({ where: { serverId: server.id, kind: { not: "provision" } } })).toBe(1);
    await waitIdle(server.id);
  });

  it("4 completed + 20 concurrent creates across both: the limit of 5 holds", async () => {
    const server = await seedServer(user.id);
    for (let i = 0; i < 4; i++) {
      const res = await create(i, server.id, `base-${i}`);
      expect(res.status, res.text).toBe(201);
      await waitIdle(server.id);
    }
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => create(i, server.id, `race-${i}`)));
    expect(codes(responses).filter((c) => c === "201")).toHaveLength(1);
    expect(responses.filter((r) => r.status !== 201).every((r) => r.status === 400)).toBe(true);
    await waitIdle(server.id);
    expect(await prisma.snapshot.count({ where: { serverId: server.id } })).toBe(5);
    const next = await create(1, server.id, "one-too-many");
    expect(next.body.code).toBe("snapshot_limit_reached");
  });
});

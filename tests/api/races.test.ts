// Every "cannot X while Y" rule of the spec, raced over real HTTP: the two requests leave a
// few milliseconds apart, round after round, on both databases (PostgreSQL's READ COMMITTED
// is where a check-then-write can slip; SQLite runs one writer at a time). Each rule counts
// its violations and its 5xx answers; both must be 0.
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { markSnapshotCompleted, seedServer, seedUser, type SeededUser } from "../helpers/seed";
import type { ApiResponse } from "../helpers/api-client";
import { prisma } from "@/lib/server/db";

const { api } = serveApp();
const ROUNDS = 16;
let user: SeededUser;

beforeAll(async () => {
  user = await seedUser();
});

type Side = () => Promise<ApiResponse>;

/**
 * One side once, then the other again and again over the next ~12 ms (each round shifted
 * by a fraction of a millisecond), so one of them lands inside the first's transaction.
 * Odd rounds start with `a`, even ones with `b`. Returns every answer of each side.
 */
async function race(round: number, a: Side, b: Side) {
  const [once, often] = round % 2 ? [a, b] : [b, a];
  const first = once();
  const rest: Promise<ApiResponse>[] = [];
  await sleep((round % 4) / 4);
  for (const gap of [0, 1, 1, 2, 2, 3, 3]) {
    rest.push(often());
    await sleep(gap);
  }
  const [single, many] = [[await first], await Promise.all(rest)];
  return round % 2 ? { a: single, b: many } : { a: many, b: single };
}

const ok = (res: ApiResponse) => res.status >= 200 && res.status < 300;
const serverErrors = (responses: ApiResponse[]) =>
  responses.filter((r) => r.status >= 500).map((r) => `${r.status} ${r.text.slice(0, 200)}`);

/** A server with one completed snapshot, made through the API. */
async function serverWithSnapshot(name = "base") {
  const server = await seedServer(user.id);
  const created = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: server.id, name } });
  expect(created.status, created.text).toBe(201);
  await markSnapshotCompleted(created.body.id);
  return { serverId: server.id, snapshotId: created.body.id as number };
}

/**
 * One rule, raced for `rounds` rounds, each on fresh state from `setup`: `sides` gives the
 * two requests, `violated` judges a round from both sides' answers (and the database).
 * Over all rounds: no 5xx, no violation.
 */
async function raceRule<S>(
  rounds: number,
  setup: () => Promise<S>,
  sides: (state: S) => [Side, Side],
  violated: (state: S, a: ApiResponse[], b: ApiResponse[]) => boolean | Promise<boolean>,
) {
  const seen: ApiResponse[] = [];
  let violations = 0;
  for (let round = 0; round < rounds; round++) {
    const state = await setup();
    const { a, b } = await race(round, ...sides(state));
    seen.push(...a, ...b);
    if (await violated(state, a, b)) violations++;
  }
  expect(serverErrors(seen)).toEqual([]);
  expect(violations).toBe(0);
}

describe("races on the spec's rules (violations and 5xx both 0)", () => {
  it("delete vs restore from the same snapshot: never both accepted", async () => {
    await raceRule(
      ROUNDS,
      () => serverWithSnapshot(),
      ({ snapshotId }) => [
        () => api("POST", `/api/v1/snapshots/${snapshotId}/restore/`, { token: user.write }),
        () => api("DELETE", `/api/v1/snapshots/${snapshotId}/`, { token: user.write }),
      ],
      (_, restores, deletes) => {
        // A refused delete says why: the snapshot is in use (409), or already gone.
        for (const d of deletes.filter((d) => !ok(d))) expect(["snapshot_in_use", "not_found"]).toContain(d.body?.code);
        return restores.some(ok) && deletes.some(ok);
      },
    );
  });

  it("protect vs delete: a snapshot reported protected is never deleted", async () => {
    await raceRule(
      ROUNDS,
      () => serverWithSnapshot(),
      ({ snapshotId }) => [
        () => api("PATCH", `/api/v1/snapshots/${snapshotId}/`, { token: user.write, json: { protected: true } }),
        () => api("DELETE", `/api/v1/snapshots/${snapshotId}/`, { token: user.write }),
      ],
      async ({ snapshotId }, protects, deletes) =>
        protects.some(ok) && (deletes.some(ok) || !(await prisma.snapshot.findUnique({ where: { id: snapshotId } }))),
    );
  });

  it("rename vs create with the same name on one server: the name stays unique", async () => {
    await raceRule(
      ROUNDS,
      () => serverWithSnapshot(),
      ({ serverId, snapshotId }) => [
        () => api("PATCH", `/api/v1/snapshots/${snapshotId}/`, { token: user.write, json: { name: "taken" } }),
        () => api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: serverId, name: "taken" } }),
      ],
      async ({ serverId }) =>
        (await prisma.snapshot.count({ where: { serverId, name: "taken", status: { not: "failed" } } })) > 1,
    );
  });

  it("the snapshot limit vs a schedule's run now and a manual create: never more than the limit", async () => {
    await raceRule(
      ROUNDS / 2,
      async () => {
        const server = await seedServer(user.id);
        for (let i = 0; i < 4; i++) {
          const made = await api("POST", "/api/v1/snapshots/", {
            token: user.write,
            json: { server_id: server.id, name: `m${i}` },
          });
          await markSnapshotCompleted(made.body.id);
        }
        const schedule = await api("POST", "/api/v1/schedules/", {
          token: user.write,
          json: { server_id: server.id, cron: "0 3 * * *", keep: 3 },
        });
        expect(schedule.status, schedule.text).toBe(201);
        return { serverId: server.id, scheduleId: schedule.body.id as number };
      },
      ({ serverId, scheduleId }) => [
        () => api("POST", `/api/v1/schedules/${scheduleId}/run/`, { token: user.write }),
        () => api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: serverId, name: "m4" } }),
      ],
      async ({ serverId }) =>
        (await prisma.snapshot.count({
          where: { serverId, status: { in: ["in_progress", "completed"] }, kind: { not: "safety" } },
        })) > 5,
    );
  });
});

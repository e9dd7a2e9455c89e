// Leases are timed by the database's clock: a worker on a host whose clock runs an hour
// ahead must not take over an operation another worker holds a live lease on (by its own
// clock, that lease expired long ago).
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { createSnapshot } from "@/lib/server/snapshots";
import type { Actor } from "@/lib/server/actor";
import {
  claimedOperations,
  operationOf,
  seedActor,
  seedServer,
  workerProcessesPerTest,
  waitFor,
  waitForOperationEnd,
} from "./helpers";

const SKEWED = {
  NODE_OPTIONS: `--import ${path.resolve(__dirname, "../helpers/skewed-clock.mjs")}`,
  SNAPDECK_TEST_CLOCK_SKEW_MS: String(60 * 60 * 1000),
};
let actor: Actor;
const start = workerProcessesPerTest();

beforeAll(async () => {
  await ensureDb();
  actor = await seedActor();
});

describe("leases on the database clock", () => {
  it("a worker whose clock runs an hour ahead cannot steal a live lease", async () => {
    const server = await seedServer(actor, { diskMb: 32, contentMb: 24 });
    const snap = await createSnapshot(actor, { server_id: server.id, name: "held" });
    const op = await operationOf(snap.id, "snapshot_create");

    // ~8 s of work: many lease renewals and many polls of the skewed worker.
    const holder = start({ SNAPDECK_DISK_THROUGHPUT_MBPS: "4" });
    await waitFor("the first worker to claim", async () => claimedOperations(holder).includes(op.id), 30_000);
    const skewed = start(SKEWED);
    await waitFor("the skewed worker to start", async () => (await prisma.workerHeartbeat.count()) >= 2, 30_000);

    const done = await waitForOperationEnd(op.id, 60_000);
    expect(done).toMatchObject({ status: "completed", attempts: 1 });
    expect(claimedOperations(skewed)).toEqual([]);
  });
});

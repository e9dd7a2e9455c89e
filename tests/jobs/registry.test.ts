// The job registry: every operation kind has exactly one definition, and operations the
// runner cannot read (unknown kind, unreadable payload) still end and release their server.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { prisma, ensureDb } from "@/lib/server/db";
import { createSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { startWorker } from "@/lib/jobs/runner";
import { JOBS } from "@/lib/jobs/registry";
import { OPERATION_KINDS } from "@/lib/schemas/operation-kinds";
import type { Actor } from "@/lib/server/actor";
import { operationOf, seedActor, seedServer, waitForOperationEnd } from "./helpers";

let actor: Actor;
let worker: { stop(): Promise<unknown> } | null = null;

beforeAll(async () => {
  await ensureDb();
  actor = await seedActor();
});
afterEach(async () => {
  await worker?.stop();
  worker = null;
});

describe("job registry", () => {
  it("has one definition per operation kind, and each accepts an empty payload", () => {
    expect(Object.keys(JOBS).sort()).toEqual([...OPERATION_KINDS].sort());
    for (const kind of OPERATION_KINDS) expect(() => JOBS[kind].payload.parse({})).not.toThrow();
  });

  it("fails a restore whose payload is unreadable and leaves its server stopped (the safe state)", async () => {
    const server = await seedServer(actor, { diskMb: 4, contentMb: 1, status: "active" });
    const snap = await createSnapshot(actor, { server_id: server.id, name: "base" });
    worker = startWorker({ pollMs: 50 });
    await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id);
    await worker.stop();
    await restoreSnapshot(actor, snap.id);
    const op = await operationOf(snap.id, "snapshot_restore");
    await prisma.$transaction((tx) => tx.operation.update({ where: { id: op.id }, data: { payload: "{not json" } }));
    worker = startWorker({ pollMs: 50 });
    expect(await waitForOperationEnd(op.id)).toMatchObject({ status: "failed", errorCode: "internal_error" });
    expect(await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).toMatchObject({
      status: "stopped",
      activeOperationId: null,
    });
  });

  it("fails an operation of an unknown kind and releases its server", async () => {
    const server = await seedServer(actor, { diskMb: 4, contentMb: 1 });
    const snap = await createSnapshot(actor, { server_id: server.id, name: "future" });
    const op = await operationOf(snap.id, "snapshot_create");
    await prisma.$transaction((tx) => tx.operation.update({ where: { id: op.id }, data: { kind: "from_a_newer_version" } }));
    worker = startWorker({ pollMs: 50 });
    expect(await waitForOperationEnd(op.id)).toMatchObject({ status: "failed", errorCode: "internal_error" });
    expect(await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).toMatchObject({ activeOperationId: null });
  });
});

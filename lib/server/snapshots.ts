// Snapshots: the rules of docs/SPEC.md §1, enforced inside the transaction that changes state.
//
// Every state-changing transaction starts with a write (a compare-and-swap on
// Server.activeOperationId), so on SQLite it holds the write lock before it reads
// anything and concurrent requests serialise instead of racing; on PostgreSQL the same
// UPDATE takes a row lock. The per-server limit is counted only after that lock.
import "server-only";
import { randomUUID } from "node:crypto";
import type { Prisma } from "@/lib/generated/prisma/client";
import { lockSnapshotRow, prisma } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { assertCanWrite, ownedServers, type Actor } from "@/lib/server/actor";
import { recordAudit, recordRefusal, type AuditAction, type AuditTarget } from "@/lib/server/audit";
import { config } from "@/lib/config";
import type { CreateSnapshotInput, RestoreSnapshotInput } from "@/lib/schemas/snapshots";
import { timestampedName } from "@/lib/server/retention";
import { enqueueDeletion } from "@/lib/server/deletions";

const COUNTED_STATUSES = ["in_progress", "completed"];
const RESTORABLE_SERVER_STATUSES = ["active", "stopped"];
const RUNNING_OPERATION_STATUSES = ["queued", "running"];

export const withServer = {
  server: { select: { id: true, name: true } },
  labels: { select: { key: true, value: true }, orderBy: { key: "asc" } },
} as const;

/** A snapshot row with its server's id and name: what the domain returns; lib/api serialises it. */
export type SnapshotWithServer = {
  id: number;
  name: string;
  description: string;
  status: string;
  sizeMb: number | null;
  progress: number;
  error: string | null;
  errorCode: string | null;
  createdAt: Date;
  completedAt: Date | null;
  kind: string;
  expiresAt: Date | null;
  consistency: string | null;
  protected: boolean;
  storedBytes: bigint | null;
  labels: { key: string; value: string }[];
  server: { id: number; name: string };
};

/**
 * Names are unique per server among snapshots that are not failed. Callers hold the
 * server's row lock (the compare-and-swap on it, or lockServerRow) so two requests for one
 * name serialise and the second sees the first's row.
 */
export async function assertNameFree(tx: Prisma.TransactionClient, serverId: number, name: string, exceptId?: number) {
  const taken = await tx.snapshot.findFirst({
    where: { serverId, name, status: { not: "failed" }, ...(exceptId !== undefined && { id: { not: exceptId } }) },
    select: { id: true },
  });
  if (taken)
    throw new AppError("name_taken", `This server already has a snapshot named ${name} (id ${taken.id}); choose another name.`);
}

/** Runs a state change and audits a refusal; successes audit inside the change itself. */
export async function audited<T>(actor: Actor, action: AuditAction, target: AuditTarget, fn: () => Promise<T>) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && err.code !== "not_found") await recordRefusal(actor, action, target, err);
    throw err;
  }
}

/** Explains why the compare-and-swap on a server did not match. */
export function busyServerError(server: { name: string; status: string; activeOperationId: string | null }): AppError {
  if (server.status === "restoring")
    return new AppError(
      "operation_in_progress",
      `Server ${server.name} is being restored; try again when the restore has finished.`,
    );
  if (server.activeOperationId)
    return new AppError(
      "operation_in_progress",
      `Server ${server.name} already has an operation running; try again when it has finished.`,
    );
  return new AppError("invalid_server_state", `Server ${server.name} is ${server.status}; it cannot be restored in this state.`);
}

export async function createSnapshot(actor: Actor, input: CreateSnapshotInput) {
  assertCanWrite(actor);
  const operationId = randomUUID();
  return audited(actor, "snapshot.create", { type: "server", id: input.server_id, serverId: input.server_id }, () =>
    prisma.$transaction(async (tx) => {
      const claimed = await tx.server.updateMany({
        where: { id: input.server_id, ...ownedServers(actor), activeOperationId: null, status: { not: "restoring" } },
        data: { activeOperationId: operationId, lastOperationId: operationId },
      });
      const server = await tx.server.findFirst({ where: { id: input.server_id, ...ownedServers(actor) } });
      if (!server) throw new AppError("not_found", `Server ${input.server_id} not found.`);
      if (claimed.count === 0) throw busyServerError(server);

      // Safety snapshots do not count against the limit (SPEC §6).
      const used = await tx.snapshot.count({
        where: { serverId: server.id, status: { in: COUNTED_STATUSES }, kind: { not: "safety" } },
      });
      if (used >= config.snapshotLimit)
        throw new AppError(
          "snapshot_limit_reached",
          `Server ${server.name} already has ${used} of ${config.snapshotLimit} snapshots; delete one before creating another.`,
        );
      await assertNameFree(tx, server.id, input.name);

      const snapshot = await tx.snapshot.create({
        data: {
          serverId: server.id,
          ownerId: server.ownerId,
          name: input.name,
          description: input.description ?? "",
          status: "in_progress",
        },
        include: withServer,
      });
      await tx.operation.create({
        data: {
          id: operationId,
          kind: "snapshot_create",
          status: "queued",
          serverId: server.id,
          snapshotId: snapshot.id,
          userId: actor.userId,
        },
      });
      const target = { type: "snapshot", id: snapshot.id, name: snapshot.name, ownerId: server.ownerId, serverId: server.id };
      await recordAudit(tx, actor, "snapshot.create", target, "success", `on ${server.name}`);
      // A running server's snapshot may be filesystem-inconsistent: the API warns about it,
      // unless it is a guest whose agent answers (its filesystems are frozen for the copy).
      return { ...snapshot, serverWasRunning: server.status === "active" && server.guestAgent !== "responding" };
    }),
  );
}

/**
 * A safety snapshot (SPEC §6) is a row written with the restore's operation; the restore job
 * captures it before it touches the disk (lib/jobs/restore-snapshot.ts says why that order
 * survives a crash). Its name follows the scheduled ones: `safety-YYYYMMDD-HHMM`.
 */
async function createSafetySnapshot(tx: Prisma.TransactionClient, server: { id: number; ownerId: number }, restoring: string) {
  const now = new Date();
  const taken = await tx.snapshot.findMany({ where: { serverId: server.id, status: { not: "failed" } }, select: { name: true } });
  const name = timestampedName("safety", now, new Set(taken.map((s) => s.name)));
  return tx.snapshot.create({
    data: {
      serverId: server.id,
      ownerId: server.ownerId,
      name,
      description: `Taken before restoring ${restoring}`,
      status: "in_progress",
      kind: "safety",
      expiresAt: new Date(now.getTime() + config.safetyTtlHours * 3_600_000),
    },
  });
}

/**
 * Restores a snapshot onto its own server or, with `server_id`, onto another server of the
 * same owner on any host (the target's agent reads the shared store). Only the target is
 * claimed (`restoring`, one operation per server); the source server is not touched and may
 * keep working, and the snapshot cannot be deleted while the restore runs.
 * With `safety_snapshot`, the target's disk is captured first (createSafetySnapshot).
 */
export async function restoreSnapshot(actor: Actor, snapshotId: number, input: RestoreSnapshotInput = {}) {
  assertCanWrite(actor);
  // A snapshot's server and owner never change, so they can be read before the transaction.
  const found = await prisma.snapshot.findFirst({
    where: { id: snapshotId, server: ownedServers(actor) },
    select: { serverId: true, ownerId: true, server: { select: { diskMb: true } } },
  });
  if (!found) throw new AppError("not_found", `Snapshot ${snapshotId} not found.`);
  const targetId = input.server_id ?? found.serverId;
  if (targetId !== found.serverId) {
    // Another user's server (even for an admin: a tenant's data stays with its tenant) answers 404.
    const target = await prisma.server.findFirst({ where: { id: targetId, ownerId: found.ownerId, ...ownedServers(actor) } });
    if (!target) throw new AppError("not_found", `Server ${targetId} not found.`);
    // Servers are never resized, so the source server's disk is the snapshot's size.
    if (target.diskMb < found.server.diskMb)
      throw new AppError(
        "disk_too_small",
        `Server ${target.name} has a ${target.diskMb} MB disk; the snapshot needs ${found.server.diskMb} MB.`,
        { server_id: ["disk is smaller than the snapshot"] },
      );
  }
  const operationId = randomUUID();
  return audited(actor, "snapshot.restore", { type: "snapshot", id: snapshotId, serverId: found.serverId }, () =>
    prisma.$transaction(async (tx) => {
      // One compare-and-swap per restorable state, so the first statement is a write and
      // the state the server returns to afterwards is known without an earlier read.
      let previousStatus: string | null = null;
      for (const status of RESTORABLE_SERVER_STATUSES) {
        const claimed = await tx.server.updateMany({
          where: { id: targetId, activeOperationId: null, status },
          data: { activeOperationId: operationId, lastOperationId: operationId, status: "restoring" },
        });
        if (claimed.count === 1) {
          previousStatus = status;
          break;
        }
      }
      const target = await tx.server.findUniqueOrThrow({
        where: { id: targetId },
        select: { id: true, name: true, status: true, activeOperationId: true },
      });
      if (!previousStatus) throw busyServerError(target);

      await lockSnapshotRow(tx, snapshotId);
      const snapshot = await tx.snapshot.findUnique({ where: { id: snapshotId }, include: withServer });
      if (!snapshot) throw new AppError("not_found", `Snapshot ${snapshotId} not found.`);
      if (snapshot.status !== "completed")
        throw new AppError(
          "invalid_snapshot_state",
          `Snapshot ${snapshot.name} is ${snapshot.status}; only completed snapshots can be restored.`,
        );

      // The safety snapshot is of the disk being overwritten: the target's.
      const safety = input.safety_snapshot
        ? await createSafetySnapshot(tx, { id: targetId, ownerId: found.ownerId }, snapshot.name)
        : null;
      await tx.operation.create({
        data: {
          id: operationId,
          kind: "snapshot_restore",
          status: "queued",
          serverId: targetId,
          snapshotId,
          userId: actor.userId,
          payload: JSON.stringify({ previousStatus, safetySnapshotId: safety?.id ?? null }),
        },
      });
      const detail = `onto ${target.name}${safety ? `, safety snapshot ${safety.id}` : ""}`;
      const audit = { type: "snapshot", id: snapshotId, name: snapshot.name, ownerId: snapshot.ownerId, serverId: targetId };
      await recordAudit(tx, actor, "snapshot.restore", audit, "success", detail);
      return {
        snapshot,
        server: { id: target.id, name: target.name, status: "restoring" as const },
        previousStatus,
        safetySnapshot: safety,
      };
    }),
  );
}

/**
 * Deletes the row and queues its stored data for removal, in one transaction: the snapshot
 * is gone from the API at once, and a worker removes the data (retrying while the store
 * cannot be written). Nothing slow or fallible runs in the request.
 */
export async function deleteSnapshot(actor: Actor, snapshotId: number) {
  assertCanWrite(actor);
  // Read first only for the audit entry (owner and server never change; the name may be
  // renamed meanwhile, the event then shows the name it had a moment before).
  const found = await prisma.snapshot.findFirst({ where: { id: snapshotId, server: ownedServers(actor) } });
  if (!found) throw new AppError("not_found", `Snapshot ${snapshotId} not found.`);
  const target = { type: "snapshot", id: snapshotId, name: found.name, ownerId: found.ownerId, serverId: found.serverId };
  await audited(actor, "snapshot.delete", target, () =>
    prisma.$transaction(async (tx) => {
      // One conditional delete: a concurrent PATCH protected=true either commits first
      // (nothing matches: snapshot_protected) or finds the row gone (404). The row lock
      // first, so a restore being accepted from it commits before this looks for it.
      await lockSnapshotRow(tx, snapshotId);
      const { count } = await tx.snapshot.deleteMany({
        where: {
          id: snapshotId,
          server: ownedServers(actor),
          // A safety snapshot being captured is in_progress without an operation of its own.
          status: { not: "in_progress" },
          protected: false,
          operations: { none: { status: { in: RUNNING_OPERATION_STATUSES } } },
        },
      });
      if (count === 1) {
        await enqueueDeletion(tx, snapshotId);
        return recordAudit(tx, actor, "snapshot.delete", target, "success");
      }
      const exists = await tx.snapshot.findFirst({ where: { id: snapshotId, server: ownedServers(actor) } });
      if (!exists) throw new AppError("not_found", `Snapshot ${snapshotId} not found.`);
      if (exists.protected)
        throw new AppError("snapshot_protected", `Snapshot ${exists.name} is protected; unprotect it before deleting it.`);
      throw new AppError(
        "snapshot_in_use",
        `Snapshot ${exists.name} is in use by a running operation; try again when it has finished.`,
      );
    }),
  );
}

// Servers: listing with snapshot counts, and the power actions. A power action is a
// compare-and-swap on the server row, so it can never interleave with an operation.
import "server-only";
import { prisma } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { assertCanWrite, ownedServers, type Actor } from "@/lib/server/actor";
import { recordAudit, recordRefusal } from "@/lib/server/audit";
import { config } from "@/lib/config";
import { createServerSchema, type CreateServerInput, type PowerAction } from "@/lib/schemas/servers";
import { hostPresence, resolveHost, type HostPresence } from "@/lib/server/hosts";
import { randomUUID } from "node:crypto";
import { z } from "zod";

const withHost = { host: { select: { name: true, hypervisor: true } } } as const;
type ServerRow = Awaited<ReturnType<typeof prisma.server.findFirstOrThrow<{ where: object; include: typeof withHost }>>>;
const COUNTED = ["in_progress", "completed"];

const ACTIVE_OPERATION = ["queued", "running"];
const operationSnapshot = { select: { id: true, name: true, server: { select: { id: true, name: true } } } } as const;
const restorePayload = z.object({ safetySnapshotId: z.number().int().nullable().catch(null) });

/**
 * Undo restore (SPEC §6): per server, the safety snapshot taken by its most recent restore
 * that did not fail, if that restore completed and the snapshot exists, completed. A later
 * restore (an undo included) ends it; a failed one does not (it left the disk as it was).
 * Safety snapshots are few (they expire), so the restores are read only for the servers
 * that have one.
 */
async function loadUndoSnapshots(ids: number[]): Promise<Map<number, { id: number; name: string }>> {
  const safety = await prisma.snapshot.findMany({
    where: { serverId: { in: ids }, kind: "safety", status: "completed" },
    select: { id: true, name: true, serverId: true },
  });
  if (safety.length === 0) return new Map();
  const restores = await prisma.operation.findMany({
    where: { serverId: { in: [...new Set(safety.map((s) => s.serverId))] }, kind: "snapshot_restore", status: { not: "failed" } },
    orderBy: { createdAt: "desc" },
    select: { serverId: true, status: true, payload: true },
  });
  const undo = new Map<number, { id: number; name: string }>();
  const seen = new Set<number>();
  for (const restore of restores) {
    if (seen.has(restore.serverId)) continue; // only each server's newest restore counts
    seen.add(restore.serverId);
    if (restore.status !== "completed") continue;
    const parsed = restorePayload.safeParse(JSON.parse(restore.payload));
    const taken = parsed.success && safety.find((s) => s.id === parsed.data.safetySnapshotId);
    if (taken && taken.serverId === restore.serverId) undo.set(restore.serverId, { id: taken.id, name: taken.name });
  }
  return undo;
}

/**
 * Snapshot counts, latest snapshot times, operations (running and last), the servers'
 * snapshots being restored onto other servers, and Undo restore, for many servers.
 */
async function loadServerExtras(servers: ServerRow[]) {
  const ids = servers.map((s) => s.id);
  const operationIds = [
    ...new Set(servers.flatMap((s) => [s.activeOperationId, s.lastOperationId].filter((id): id is string => !!id))),
  ];
  const hostNames = [...new Set(servers.map((s) => s.host.name))];
  const [counts, latest, operations, presence, elsewhere, undo] = await Promise.all([
    prisma.snapshot.groupBy({
      by: ["serverId"],
      // Safety snapshots do not count against the limit (SPEC §6).
      where: { serverId: { in: ids }, status: { in: COUNTED }, kind: { not: "safety" } },
      _count: { _all: true },
    }),
    prisma.snapshot.groupBy({ by: ["serverId"], where: { serverId: { in: ids } }, _max: { createdAt: true } }),
    operationIds.length
      ? prisma.operation.findMany({
          where: { id: { in: operationIds } },
          include: { snapshot: operationSnapshot },
        })
      : [],
    hostPresence(hostNames),
    // Running operations are few and indexed by status: a restore of one of these servers'
    // snapshots onto another server (the target is the same owner's, SPEC §6).
    prisma.operation.findMany({
      where: { status: { in: ACTIVE_OPERATION }, kind: "snapshot_restore", snapshot: { serverId: { in: ids } } },
      select: {
        serverId: true,
        progress: true,
        snapshot: { select: { id: true, name: true, serverId: true } },
        server: { select: { id: true, name: true } },
      },
      orderBy: { createdAt: "asc" },
    }),
    loadUndoSnapshots(ids),
  ]);
  const restoringElsewhere = new Map<
    number,
    Array<{ snapshot: { id: number; name: string }; server: { id: number; name: string }; progress: number }>
  >();
  for (const op of elsewhere) {
    if (!op.snapshot || op.snapshot.serverId === op.serverId) continue;
    const list = restoringElsewhere.get(op.snapshot.serverId) ?? [];
    list.push({ snapshot: { id: op.snapshot.id, name: op.snapshot.name }, server: op.server, progress: op.progress });
    restoringElsewhere.set(op.snapshot.serverId, list);
  }
  return {
    presence,
    undo,
    restoringElsewhere,
    count: new Map(counts.map((c) => [c.serverId, c._count._all])),
    latest: new Map(latest.map((l) => [l.serverId, l._max.createdAt])),
    operation: new Map(operations.map((o) => [o.id, o])),
  };
}

/** A server as the domain sees it: its row plus counts, the running operation and the newest one. lib/api serialises it. */
function toServerView(actor: Actor, server: ServerRow, extras: Awaited<ReturnType<typeof loadServerExtras>>) {
  const operation = server.activeOperationId ? extras.operation.get(server.activeOperationId) : undefined;
  const last = server.lastOperationId ? extras.operation.get(server.lastOperationId) : undefined;
  return {
    ...server,
    // Which hypervisor holds a server is the operator's business: admins only.
    hostName: actor.role === "admin" ? server.host.name : null,
    snapshotCount: extras.count.get(server.id) ?? 0,
    snapshotLimit: config.snapshotLimit,
    latestSnapshotAt: extras.latest.get(server.id) ?? null,
    operation: operation ?? null,
    // The newest operation, kept until the next one starts, so a failure cannot go unseen.
    lastOperation: last ?? null,
    undoSnapshot: extras.undo.get(server.id) ?? null,
    restoringElsewhere: extras.restoringElsewhere.get(server.id) ?? [],
    // A queued operation whose host has no live agent waits for it: say so, with since when.
    waitingForHost: waitingFor(server.host.name, operation, extras.presence),
  };
}

function waitingFor(host: string, op: { status: string } | undefined, presence: Map<string, HostPresence>) {
  const state = presence.get(host);
  if (op?.status !== "queued" || !state || state.online) return null;
  return { name: host, offlineSince: state.lastSeenAt };
}
export type ServerView = ReturnType<typeof toServerView>;

export async function listServers(actor: Actor) {
  const servers = await prisma.server.findMany({ where: ownedServers(actor), include: withHost, orderBy: { id: "asc" } });
  const extras = await loadServerExtras(servers);
  return servers.map((server) => toServerView(actor, server, extras));
}

export async function getServerRow(actor: Actor, serverId: number) {
  const server = await prisma.server.findFirst({ where: { id: serverId, ...ownedServers(actor) }, include: withHost });
  if (!server) throw new AppError("not_found", `Server ${serverId} not found.`);
  return server;
}

export async function getServer(actor: Actor, serverId: number) {
  const server = await getServerRow(actor, serverId);
  return toServerView(actor, server, await loadServerExtras([server]));
}

const TRANSITIONS: Record<PowerAction, { from: string; to: string }> = {
  stop: { from: "active", to: "stopped" },
  start: { from: "stopped", to: "active" },
};

/**
 * stop: active → stopped; start: stopped → active. Asking for the state the server is
 * already in succeeds without change (as Hetzner Cloud does); anything else is a 400. On a
 * simulated host the recorded status changes here; on a libvirt host the action is an
 * operation its agent runs on the real domain (lib/jobs/power.ts), which holds the server.
 */
export async function runPowerAction(actor: Actor, serverId: number, action: PowerAction) {
  assertCanWrite(actor);
  const { from, to } = TRANSITIONS[action];
  try {
    await prisma.$transaction(async (tx) => {
      const row = await tx.server.findFirst({
        where: { id: serverId, ...ownedServers(actor) },
        select: { name: true, ownerId: true, host: { select: { hypervisor: true } } },
      });
      if (!row) throw new AppError("not_found", `Server ${serverId} not found.`);
      const operationId = randomUUID();
      const guest = row.host.hypervisor === "libvirt";
      const { count } = await tx.server.updateMany({
        where: { id: serverId, activeOperationId: null, status: from },
        data: guest ? { activeOperationId: operationId, lastOperationId: operationId } : { status: to },
      });
      if (count === 1) {
        if (guest)
          await tx.operation.create({
            data: { id: operationId, kind: `server_${action}`, status: "queued", serverId, userId: actor.userId },
          });
        const target = { type: "server", id: serverId, name: row.name, ownerId: row.ownerId, serverId };
        return recordAudit(tx, actor, `server.${action}`, target, "success");
      }
      const server = await tx.server.findUniqueOrThrow({ where: { id: serverId } });
      if (server.activeOperationId || server.status === "restoring")
        throw new AppError(
          "operation_in_progress",
          `Server ${server.name} has an operation running; try again when it has finished.`,
        );
      if (server.status !== to)
        throw new AppError(
          "invalid_server_state",
          `Server ${server.name} is ${server.status}; it cannot be ${action === "stop" ? "stopped" : "started"}.`,
        );
    });
  } catch (err) {
    if (err instanceof AppError && err.code !== "not_found")
      await recordRefusal(actor, `server.${action}`, { type: "server", id: serverId, serverId }, err);
    throw err;
  }
  return getServer(actor, serverId);
}

/**
 * Records a server on its host and queues the `provision` operation that makes its disk:
 * the control plane never touches disks, the host's agent does. The operation holds the
 * server (one operation per server) until the disk exists. Used by the operator CLI and the
 * demo seed, whose disks also get `demoContentMb` of content.
 */
export async function createServer(
  ownerId: number,
  input: CreateServerInput & { host?: string },
  options: { demoContentMb?: number } = {},
) {
  const { host: hostName, ...rest } = input;
  const data = createServerSchema.parse(rest);
  const operationId = randomUUID();
  return prisma.$transaction(async (tx) => {
    const host = await resolveHost(tx, hostName);
    if (host.hypervisor === "libvirt")
      throw new AppError(
        "validation_error",
        `Host ${host.name} is a libvirt host: its servers are its domains; import one with: npm run cli -- server import --host ${host.name} --domain NAME --owner EMAIL`,
      );
    const server = await tx.server.create({
      data: {
        name: data.name,
        hostname: `${data.name}.${data.location}.snapdeck.internal`,
        status: data.status,
        location: data.location,
        diskMb: data.disk_mb,
        ownerId,
        hostId: host.id,
        activeOperationId: operationId,
        lastOperationId: operationId,
      },
    });
    await tx.operation.create({
      data: {
        id: operationId,
        kind: "provision",
        status: "queued",
        serverId: server.id,
        payload: JSON.stringify({ diskMb: data.disk_mb, demoContentMb: options.demoContentMb ?? 0 }),
      },
    });
    return { ...server, host: { name: host.name }, operationId };
  });
}

/** Status of an operation by id (the CLI's `server create --wait` polls it). */
export async function getOperationStatus(operationId: string) {
  const op = await prisma.operation.findUnique({ where: { id: operationId }, select: { status: true, error: true } });
  if (!op) throw new AppError("not_found", `Operation ${operationId} not found.`);
  return op;
}

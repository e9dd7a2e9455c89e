// Domain objects → the API's JSON. Response bodies go through their schema in
// lib/schemas/api-responses.ts (parse: the shape is checked, unknown fields such as a
// token's hash are dropped), so the schemas are the one definition of the wire format:
// the OpenAPI document is generated from them and the dashboard uses their z.infer types.
// The exception is a snapshot, the body of the two hottest reads (a list page holds 50):
// it is built field by field, typed by the schema's z.infer type, so the compiler checks
// its shape instead of a parse per row, and the API tests parse it with snapshotSchema.
import "server-only";
import {
  createdSnapshotSchema,
  createdTokenSchema,
  hostSchema,
  eventSchema,
  type AuditEventView,
  restoreResultSchema,
  scheduleSchema,
  serverSchema,
  tokenSchema,
  type ApiToken,
  type CreatedApiToken,
  type CreatedSnapshot,
  type Host,
  type Page,
  type RestoreResult,
  type Schedule,
  type Server,
  type Snapshot,
} from "@/lib/schemas/api-responses";
import type { ServerView } from "@/lib/server/servers";
import type { SnapshotWithServer } from "@/lib/server/snapshots";
import type { EventRow } from "@/lib/server/events";

type TokenRow = {
  id: number;
  name: string;
  scope: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
};

const MIB = 1024 * 1024;
const iso = (date: Date | null) => date?.toISOString() ?? null;

export function serializeSnapshot(s: SnapshotWithServer): Snapshot {
  const completed = s.status === "completed";
  return {
    id: s.id,
    server: { id: s.server.id, name: s.server.name },
    name: s.name,
    description: s.description,
    status: s.status as Snapshot["status"],
    size_mb: s.sizeMb,
    progress: s.progress,
    error: s.error,
    error_code: s.errorCode as Snapshot["error_code"],
    created_at: s.createdAt.toISOString(),
    completed_at: iso(s.completedAt),
    labels: Object.fromEntries(s.labels.map((l) => [l.key, l.value])),
    protected: s.protected,
    kind: s.kind as Snapshot["kind"],
    consistency: completed ? (s.consistency as Snapshot["consistency"]) : null,
    stored_mb: completed && s.storedBytes !== null ? Math.round((Number(s.storedBytes) / MIB) * 100) / 100 : null,
    expires_at: iso(s.expiresAt),
  };
}

export function serializeEvent(e: EventRow): AuditEventView {
  return eventSchema.parse({
    id: e.id,
    at: e.createdAt.toISOString(),
    action: e.action,
    result: e.result,
    actor: { type: e.actorType, email: e.user?.email ?? null, token: e.token?.name ?? null },
    target: { type: e.targetType, id: /^[0-9]+$/.test(e.targetId) ? Number(e.targetId) : e.targetId, name: e.targetName },
    server_id: e.serverId,
    server_name: e.serverName,
    detail: e.detail,
    ip: e.ip,
  });
}

export function serializeCreatedSnapshot(s: SnapshotWithServer & { serverWasRunning: boolean }): CreatedSnapshot {
  return createdSnapshotSchema.parse({
    ...serializeSnapshot(s),
    message: "Snapshot creation started; it usually takes a few minutes. Poll the snapshot for progress.",
    ...(s.serverWasRunning && {
      warning:
        "The server is running: the snapshot may be filesystem-inconsistent. Stop the server first for a consistent snapshot.",
    }),
  });
}

export function serializeRestore(r: {
  snapshot: { id: number; name: string; createdAt: Date };
  server: { id: number; name: string; status: "restoring" };
  previousStatus: string;
  safetySnapshot?: { id: number } | null;
}): RestoreResult {
  return restoreResultSchema.parse({
    status: "success",
    message: `Restore of ${r.snapshot.name} started. The server is stopped, its disk overwritten, and then returned to ${r.previousStatus}.`,
    snapshot: { id: r.snapshot.id, name: r.snapshot.name, created_at: r.snapshot.createdAt.toISOString() },
    server: { id: r.server.id, name: r.server.name, status: r.server.status },
    ...(r.safetySnapshot && { safety_snapshot: { id: r.safetySnapshot.id } }),
  });
}

export function serializeServer(s: ServerView): Server {
  const op = s.operation;
  const last = s.lastOperation;
  return serverSchema.parse({
    id: s.id,
    name: s.name,
    hostname: s.hostname,
    status: s.status,
    location: s.location,
    disk_mb: s.diskMb,
    ...(s.hostName !== null && { host: s.hostName }),
    hypervisor: s.host.hypervisor,
    hypervisor_state: s.hypervisorState,
    guest_agent: s.guestAgent,
    owner_id: s.ownerId,
    snapshot_count: s.snapshotCount,
    snapshot_limit: s.snapshotLimit,
    latest_snapshot_at: iso(s.latestSnapshotAt),
    operation: op
      ? {
          id: op.id,
          kind: op.kind,
          status: op.status,
          progress: op.progress,
          snapshot_id: op.snapshotId,
          snapshot: op.snapshot && {
            id: op.snapshot.id,
            name: op.snapshot.name,
            server: { id: op.snapshot.server.id, name: op.snapshot.server.name },
          },
          started_at: iso(op.startedAt),
          waiting_for_host: s.waitingForHost && {
            name: s.waitingForHost.name,
            offline_since: iso(s.waitingForHost.offlineSince),
          },
        }
      : null,
    last_operation: last && {
      id: last.id,
      kind: last.kind,
      status: last.status,
      error: last.error,
      error_code: last.errorCode,
      started_at: iso(last.startedAt),
      finished_at: iso(last.finishedAt),
      snapshot: last.snapshot && { id: last.snapshot.id, name: last.snapshot.name },
    },
    undo_snapshot: s.undoSnapshot,
    restoring_elsewhere: s.restoringElsewhere,
    created_at: s.createdAt.toISOString(),
  });
}

export function serializeHost(h: {
  name: string;
  hypervisor: string;
  online: boolean;
  lastSeenAt: Date | null;
  servers: number;
  runningOperations: number;
}): Host {
  return hostSchema.parse({
    name: h.name,
    hypervisor: h.hypervisor,
    status: h.online ? "online" : "offline",
    last_seen_at: iso(h.lastSeenAt),
    servers: h.servers,
    running_operations: h.runningOperations,
  });
}

export function serializeToken(t: TokenRow): ApiToken {
  return tokenSchema.parse({
    id: t.id,
    name: t.name,
    scope: t.scope,
    prefix: t.prefix,
    created_at: t.createdAt.toISOString(),
    last_used_at: iso(t.lastUsedAt),
    revoked_at: iso(t.revokedAt),
    expires_at: iso(t.expiresAt),
  });
}

export function serializeCreatedToken(t: TokenRow & { token: string }): CreatedApiToken {
  return createdTokenSchema.parse({ ...serializeToken(t), token: t.token });
}

/** The list envelope for a result that fits on one page (servers, tokens). */
export function singlePage<T>(results: T[]): Page<T> {
  return { count: results.length, next: null, previous: null, results };
}

type ScheduleRow = {
  id: number;
  server: { id: number; name: string };
  cron: string;
  keep: number;
  enabled: boolean;
  nextRunAt: Date;
  lastRunAt: Date | null;
  lastRunStatus: string | null;
  lastRunSnapshotId: number | null;
  lastRunError: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export function serializeSchedule(s: ScheduleRow): Schedule {
  return scheduleSchema.parse({
    id: s.id,
    server: s.server,
    cron: s.cron,
    keep: s.keep,
    enabled: s.enabled,
    next_run_at: s.enabled ? s.nextRunAt.toISOString() : null,
    last_run: s.lastRunAt && {
      at: s.lastRunAt.toISOString(),
      status: s.lastRunStatus,
      snapshot_id: s.lastRunSnapshotId,
      error: s.lastRunError,
    },
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  });
}

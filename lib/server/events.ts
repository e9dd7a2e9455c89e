// The activity list (GET /api/v1/events/): audit events the caller may see, newest first.
// Members see events about their own resources (AuditEvent.ownerId), admins all of them;
// a server_id the caller cannot see simply matches nothing, as the snapshot list does.
// Each filter walks one index ((ownerId|serverId|-), createdAt, id): a page costs per page;
// action and result narrow that walk rather than pick another index.
//
// Events keep the ids they were about; a page also carries each server's current name, and
// the current name of a snapshot or server the event recorded without one (a refusal
// knows only the id), so the activity reads in names.
import "server-only";
import { prisma } from "@/lib/server/db";
import type { Actor } from "@/lib/server/actor";
import type { ListEventsQuery } from "@/lib/schemas/events";

export async function listEvents(actor: Actor, query: ListEventsQuery) {
  const owned = actor.role === "admin" ? {} : { ownerId: actor.userId };
  const where = {
    ...owned,
    ...(query.server_id !== undefined && { serverId: query.server_id }),
    ...(query.action !== undefined && { action: query.action }),
    ...(query.result !== undefined && { result: query.result }),
  };
  const [count, rows] = await Promise.all([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findMany({
      where,
      include: { user: { select: { email: true } }, token: { select: { name: true } } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (query.page - 1) * query.page_size,
      take: query.page_size,
    }),
  ]);

  const ids = (values: (number | null)[]) => [...new Set(values.filter((v): v is number => v !== null))];
  const numericId = (id: string) => (/^[0-9]{1,10}$/.test(id) ? Number(id) : null);
  const serverIds = ids([
    ...rows.map((r) => r.serverId),
    ...rows.filter((r) => r.targetType === "server" && !r.targetName).map((r) => numericId(r.targetId)),
  ]);
  const snapshotIds = ids(rows.filter((r) => r.targetType === "snapshot" && !r.targetName).map((r) => numericId(r.targetId)));
  // Only names of what the caller may see (members: their own servers).
  const [servers, snapshots] = await Promise.all([
    serverIds.length
      ? prisma.server.findMany({ where: { id: { in: serverIds }, ...owned }, select: { id: true, name: true } })
      : [],
    snapshotIds.length
      ? prisma.snapshot.findMany({ where: { id: { in: snapshotIds }, ...owned }, select: { id: true, name: true } })
      : [],
  ]);
  const serverNames = new Map(servers.map((s) => [s.id, s.name]));
  const snapshotNames = new Map(snapshots.map((s) => [s.id, s.name]));

  const results = rows.map((row) => {
    const targetId = numericId(row.targetId);
    const names = row.targetType === "server" ? serverNames : row.targetType === "snapshot" ? snapshotNames : null;
    const targetName = row.targetName ?? (targetId === null ? null : names?.get(targetId)) ?? null;
    // A deleted server's name survives on the events that were about the server itself.
    const serverName =
      (row.serverId === null ? null : serverNames.get(row.serverId)) ??
      (row.targetType === "server" && targetId === row.serverId ? targetName : null);
    return { ...row, targetName, serverName };
  });
  return { count, results };
}
export type EventRow = Awaited<ReturnType<typeof listEvents>>["results"][number];

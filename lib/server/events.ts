// The activity list (GET /api/v1/events/): audit events the caller may see, newest first.
// Members see events about their own resources (AuditEvent.ownerId), admins all of them;
// a server_id the caller cannot see simply matches nothing, as the snapshot list does.
// Each filter walks one index ((ownerId|serverId|-), createdAt, id): a page costs per page.
import "server-only";
import { prisma } from "@/lib/server/db";
import type { Actor } from "@/lib/server/actor";
import type { ListEventsQuery } from "@/lib/schemas/events";

export async function listEvents(actor: Actor, query: ListEventsQuery) {
  const where = {
    ...(actor.role === "admin" ? {} : { ownerId: actor.userId }),
    ...(query.server_id !== undefined && { serverId: query.server_id }),
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
  return { count, results: rows };
}
export type EventRow = Awaited<ReturnType<typeof listEvents>>["results"][number];

// Live updates for the dashboard (GET /api/live, server-sent events). One watcher per
// `next start` instance reads what changed once a second, whatever the number of open
// browsers, from what the product already records: servers whose row changed (status, the
// operation that holds them, the hypervisor's state: `updatedAt`), operations queued or
// running (their progress), and new audit events (renames, labels, deletes, schedules, …).
// Each change names a server; it goes to the browsers of that server's owner and of admins,
// who then refetch that server's queries. Changes made by any instance or agent are seen
// alike: they are all rows. The watcher runs only while someone listens.
import "server-only";
import { prisma } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";

export const LIVE_POLL_MS = 1_000;
/** Changes written up to this long ago are read again (clocks of instances and agents differ). */
const OVERLAP_MS = 10_000;

export type LiveChange = { server: number };
type Listener = { userId: number; admin: boolean; send: (change: LiveChange) => void };

const listeners = new Set<Listener>();
let timer: NodeJS.Timeout | null = null;
/** What was already announced: server id → updatedAt, operation id → its state, last event id. */
const seenServers = new Map<number, number>();
type OperationState = { state: string; owner: number; servers: number[] };
let seenOperations = new Map<string, OperationState>();
let lastEventId: number | null = null;

async function tick() {
  const since = new Date(Date.now() - OVERLAP_MS);
  const [servers, operations, events] = await Promise.all([
    prisma.server.findMany({ where: { updatedAt: { gte: since } }, select: { id: true, ownerId: true, updatedAt: true } }),
    prisma.operation.findMany({
      where: { status: { in: ["queued", "running"] } },
      select: {
        id: true,
        serverId: true,
        status: true,
        progress: true,
        server: { select: { ownerId: true } },
        // A restore onto another server changes what the source server's page shows too.
        snapshot: { select: { serverId: true } },
      },
    }),
    lastEventId === null
      ? prisma.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }).then((e) => (e ? [e] : []))
      : prisma.auditEvent.findMany({
          where: { id: { gt: lastEventId } },
          orderBy: { id: "asc" },
          take: 500,
          select: { id: true, ownerId: true, serverId: true },
        }),
  ]);
  const changed = new Map<number, number | null>(); // server id → owner id
  for (const s of servers) {
    const at = s.updatedAt.getTime();
    if (seenServers.get(s.id) !== at) changed.set(s.id, s.ownerId);
    seenServers.set(s.id, at);
  }
  for (const [id, at] of seenServers) if (at < since.getTime() - OVERLAP_MS) seenServers.delete(id);
  const operationState = new Map<string, OperationState>();
  for (const op of operations) {
    const servers = [op.serverId, ...(op.snapshot && op.snapshot.serverId !== op.serverId ? [op.snapshot.serverId] : [])];
    const now = { state: `${op.status}:${op.progress}`, owner: op.server.ownerId, servers };
    operationState.set(op.id, now);
    if (seenOperations.get(op.id)?.state !== now.state) for (const s of servers) changed.set(s, now.owner);
  }
  // Ended since the last look: its servers' pages show the outcome.
  for (const [id, was] of seenOperations) if (!operationState.has(id)) for (const s of was.servers) changed.set(s, was.owner);
  seenOperations = operationState;
  if (lastEventId !== null)
    for (const e of events as { id: number; ownerId: number | null; serverId: number | null }[])
      if (e.serverId !== null) changed.set(e.serverId, e.ownerId);
  if (events.length) lastEventId = events.at(-1)!.id;
  else lastEventId ??= 0;
  for (const [server, owner] of changed) for (const l of listeners) if (l.admin || l.userId === owner) l.send({ server });
}

function schedule() {
  timer = setTimeout(async () => {
    try {
      await tick();
    } catch (err) {
      logger.warn({ err }, "live updates: could not read changes");
    }
    if (listeners.size) schedule();
    else timer = null;
  }, LIVE_POLL_MS);
  timer.unref?.();
}

/** Calls `send` with every change of a server the user may see; returns the unsubscribe. */
export function subscribe(userId: number, admin: boolean, send: (change: LiveChange) => void): () => void {
  const listener = { userId, admin, send };
  listeners.add(listener);
  if (!timer) schedule();
  return () => listeners.delete(listener);
}

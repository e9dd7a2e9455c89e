// /api/health: the database, a live agent, and a writable snapshot store. The web tier never
// touches the store itself: each agent probes it and reports the result in its heartbeat
// row (lib/jobs/heartbeat.ts). Reasons name the failing component and a stable code, never
// a driver message (those go to the agents' logs).
import "server-only";
import { databaseNow, ensureDb, prisma } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";

const WORKER_FRESH_MS = 30_000;

export async function checkHealth() {
  try {
    await ensureDb();
  } catch (err) {
    logger.error({ err }, "health: database unreachable");
    return {
      status: "unavailable" as const,
      database: "down" as const,
      worker: "unknown" as const,
      store: "unknown" as const,
      reason: "database unreachable",
    };
  }
  const now = await databaseNow();
  const fresh = await prisma.workerHeartbeat.findMany({
    where: { heartbeatAt: { gte: new Date(now.getTime() - WORKER_FRESH_MS) } },
    orderBy: { heartbeatAt: "desc" },
  });
  const latest = fresh[0] ?? (await prisma.workerHeartbeat.findFirst({ orderBy: { heartbeatAt: "desc" } }));
  const workerAge = latest ? now.getTime() - latest.heartbeatAt.getTime() : null;
  const workerAlive = fresh.length > 0;
  // The store is shared: one live agent that cannot write it is enough to report it down.
  const store = fresh.find((beat) => beat.storeFault)?.storeFault ?? null;
  const reasons = [
    ...(workerAlive ? [] : [latest ? `worker: no heartbeat for ${Math.round(workerAge! / 1000)} s` : "worker: none has started"]),
    ...(store ? [`store: cannot be written (${store})`] : []),
  ];
  return {
    status: reasons.length ? ("unavailable" as const) : ("ok" as const),
    database: "ok" as const,
    worker: workerAlive ? ("ok" as const) : ("down" as const),
    store: store ? ("down" as const) : workerAlive ? ("ok" as const) : ("unknown" as const),
    ...(reasons.length && { reason: reasons.join("; ") }),
  };
}

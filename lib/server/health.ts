// /api/health: the database, a live agent, and a writable snapshot store. The web tier never
// touches the store itself: each agent probes it and reports the result in its heartbeat
// row (lib/jobs/heartbeat.ts). Reasons name the failing component and a stable code, never
// a driver message (those go to the agents' logs).
import "server-only";
import { databaseNow, ensureDb, prisma } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";
import { describeStore } from "@/lib/disks/stores";

const WORKER_FRESH_MS = 30_000;
/** Each check's own bound: a monitor gets an answer in seconds whatever is down. */
const CHECK_TIMEOUT_MS = 3_000;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const databaseDown = (reason: string) => ({
  status: "unavailable" as const,
  database: "down" as const,
  worker: "unknown" as const,
  store: "unknown" as const,
  reason,
});

/** Never throws: whatever fails is reported as down, with the reason. */
export async function checkHealth() {
  let now: Date;
  try {
    now = await within(
      CHECK_TIMEOUT_MS,
      ensureDb().then(() => databaseNow()),
    );
  } catch (err) {
    logger.error({ err }, "health: database unreachable");
    return databaseDown("database unreachable");
  }
  let beats: { heartbeatAt: Date; storeFault: string | null }[];
  try {
    beats = await within(
      CHECK_TIMEOUT_MS,
      prisma.workerHeartbeat.findMany({
        orderBy: { heartbeatAt: "desc" },
        select: { heartbeatAt: true, storeFault: true },
        take: 200,
      }),
    );
  } catch (err) {
    logger.error({ err }, "health: could not read the agents' heartbeats");
    return databaseDown("database: the heartbeats could not be read");
  }
  const fresh = beats.filter((beat) => beat.heartbeatAt.getTime() >= now.getTime() - WORKER_FRESH_MS);
  const latest = beats[0];
  const workerAge = latest ? now.getTime() - latest.heartbeatAt.getTime() : null;
  const workerAlive = fresh.length > 0;
  // The store is shared: one live agent that cannot write it is enough to report it down.
  const store = fresh.find((beat) => beat.storeFault)?.storeFault ?? null;
  const reasons = [
    ...(workerAlive ? [] : [latest ? `worker: no heartbeat for ${Math.round(workerAge! / 1000)} s` : "worker: none has started"]),
    ...(store ? [`store${describeStore() ? ` ${describeStore()}` : ""}: cannot be written (${store})`] : []),
  ];
  return {
    status: reasons.length ? ("unavailable" as const) : ("ok" as const),
    database: "ok" as const,
    worker: workerAlive ? ("ok" as const) : ("down" as const),
    store: store ? ("down" as const) : workerAlive ? ("ok" as const) : ("unknown" as const),
    ...(reasons.length && { reason: reasons.join("; ") }),
  };
}

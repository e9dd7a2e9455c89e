// /api/health: the database, a live worker, and a writable snapshot store. Reasons name the
// failing component and a stable code, never a driver message (those go to the log).
import { ensureDb, prisma } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";
import { getStoreDir } from "@/lib/config";
import { probeWritable } from "@/lib/disks/fs-util";
import { describeFailure } from "@/lib/jobs/failures";

const WORKER_FRESH_MS = 30_000;
/** A monitor polling every second costs one small write per this period, not per request. */
const STORE_PROBE_TTL_MS = 2_000;

let storeProbe: { at: number; result: Promise<string | null> } | null = null;

/** null when the store takes a write, else the failure code (storage_full, …). */
function storeFault(): Promise<string | null> {
  if (storeProbe && Date.now() - storeProbe.at < STORE_PROBE_TTL_MS) return storeProbe.result;
  const result = probeWritable(getStoreDir()).then(
    () => null,
    (err: unknown) => {
      const { code } = describeFailure(err, null);
      logger.warn({ err, code }, "health: the snapshot store cannot be written");
      return code;
    },
  );
  storeProbe = { at: Date.now(), result };
  return result;
}

export async function checkHealth() {
  try {
    await ensureDb();
  } catch (err) {
    logger.error({ err }, "health: database unreachable");
    return { status: "unavailable" as const, database: "down" as const, worker: "unknown" as const, store: "unknown" as const, reason: "database unreachable" };
  }
  const [latest, store] = await Promise.all([prisma.workerHeartbeat.findFirst({ orderBy: { heartbeatAt: "desc" } }), storeFault()]);
  const workerAge = latest ? Date.now() - latest.heartbeatAt.getTime() : null;
  const workerAlive = workerAge !== null && workerAge < WORKER_FRESH_MS;
  const reasons = [
    ...(workerAlive ? [] : [latest ? `worker: no heartbeat for ${Math.round(workerAge! / 1000)} s` : "worker: none has started"]),
    ...(store ? [`store: cannot be written (${store})`] : []),
  ];
  return {
    status: reasons.length ? ("unavailable" as const) : ("ok" as const),
    database: "ok" as const,
    worker: workerAlive ? ("ok" as const) : ("down" as const),
    store: store ? ("down" as const) : ("ok" as const),
    ...(reasons.length && { reason: reasons.join("; ") }),
  };
}

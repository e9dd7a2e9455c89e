import { ensureDb, prisma } from "@/lib/server/db";

const WORKER_FRESH_MS = 30_000;

export async function checkHealth() {
  try {
    await ensureDb();
    const latest = await prisma.workerHeartbeat.findFirst({ orderBy: { heartbeatAt: "desc" } });
    const workerAge = latest ? Date.now() - latest.heartbeatAt.getTime() : null;
    const workerAlive = workerAge !== null && workerAge < WORKER_FRESH_MS;
    return {
      status: workerAlive ? ("ok" as const) : ("unavailable" as const),
      database: "ok" as const,
      worker: workerAlive ? ("ok" as const) : ("down" as const),
      ...(!workerAlive && {
        reason: latest ? `no worker heartbeat for ${Math.round(workerAge! / 1000)} s` : "no worker has started",
      }),
    };
  } catch (err) {
    return { status: "unavailable" as const, database: "down" as const, worker: "unknown" as const, reason: `database unreachable: ${(err as Error).message}` };
  }
}

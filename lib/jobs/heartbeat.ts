// One WorkerHeartbeat row per live worker; /api/health calls the worker alive when the
// newest heartbeatAt is fresh. The row goes away on a clean stop.
import os from "node:os";
import { prisma } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";

export const WORKER_HEARTBEAT_MS = 5_000;

export function startHeartbeat(workerId: string) {
  const beat = async () => {
    const now = new Date();
    await prisma.$transaction((tx) =>
      tx.workerHeartbeat.upsert({
        where: { id: workerId },
        create: { id: workerId, hostname: os.hostname(), pid: process.pid, startedAt: now, heartbeatAt: now },
        update: { heartbeatAt: now },
      }),
    );
  };
  const safeBeat = () => beat().catch((err) => logger.warn({ err, workerId }, "worker heartbeat failed"));
  let current = safeBeat();
  const timer = setInterval(() => (current = safeBeat()), WORKER_HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
      await prisma.$transaction((tx) => tx.workerHeartbeat.deleteMany({ where: { id: workerId } }));
    },
  };
}

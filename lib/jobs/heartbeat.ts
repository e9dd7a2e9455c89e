// One WorkerHeartbeat row per live agent, naming its host: a host is online while one of its
// rows is fresh (lib/server/hosts.ts), /api/health needs a fresh one. heartbeatAt is the
// database's clock. Each beat also says whether this agent can write the snapshot store,
// so /api/health reports the store without the web tier touching it. The row goes away on
// a clean stop, and the host keeps the time (Host.lastSeenAt).
import "server-only";
import os from "node:os";
import { databaseNow, prisma } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";
import { getBlobStore } from "@/lib/disks/stores";
import { describeFailure } from "@/lib/jobs/failures";

export const WORKER_HEARTBEAT_MS = 5_000;

/** null when the store takes a small write, else the failure code (storage_full, …). */
async function storeFault(): Promise<string | null> {
  try {
    await getBlobStore().probe();
    return null;
  } catch (err) {
    const { code } = describeFailure(err, null);
    // The message names the store and the error (blob-store.ts), never a credential.
    logger.warn({ code, error: (err as Error).message }, "the snapshot store cannot be written");
    return code;
  }
}

export function startHeartbeat(workerId: string, host: string) {
  const beat = async () => {
    const fault = await storeFault();
    await prisma.$transaction(async (tx) => {
      const now = await databaseNow(tx);
      await tx.workerHeartbeat.upsert({
        where: { id: workerId },
        create: {
          id: workerId,
          hostname: os.hostname(),
          host,
          pid: process.pid,
          storeFault: fault,
          startedAt: now,
          heartbeatAt: now,
        },
        update: { heartbeatAt: now, storeFault: fault },
      });
    });
  };
  const safeBeat = () => beat().catch((err) => logger.warn({ err, workerId }, "worker heartbeat failed"));
  let current = safeBeat();
  const timer = setInterval(() => (current = safeBeat()), WORKER_HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
      // The host keeps when it was last seen: a stopped host shows as offline since then.
      await prisma.$transaction(async (tx) => {
        const now = await databaseNow(tx);
        await tx.host.updateMany({ where: { name: host }, data: { lastSeenAt: now } });
        await tx.workerHeartbeat.deleteMany({ where: { id: workerId } });
      });
    },
  };
}

// `npm run worker`: a standalone operation worker. Any number can run against one
// database (lib/jobs/lease.ts). SIGTERM/SIGINT stop it cleanly: running operations are
// put back in the queue for another worker, and its heartbeat row is removed.
import { migrateDatabase } from "@/lib/server/setup";
import { ensureDb } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";
import { startWorker } from "@/lib/jobs/runner";
import { config } from "@/lib/config";

async function main() {
  // Skips the Prisma CLI when nothing is pending: `migrate deploy` times out while
  // another process (the app, another worker) has the WAL database open.
  await migrateDatabase();
  await ensureDb();
  const worker = startWorker({ concurrency: config.workerConcurrency });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker shutting down");
    worker.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, "worker did not stop cleanly");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err) => {
  logger.error({ err }, "worker failed to start");
  process.exit(1);
});

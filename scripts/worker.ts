// `npm run worker`: a standalone operation worker. Any number can run against one
// database (lib/jobs/lease.ts). SIGTERM/SIGINT stop it cleanly: running operations are
// put back in the queue for another worker, and its heartbeat row is removed; within
// seconds even when a handler is stuck in I/O.
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
      (clean) => {
        if (clean) process.exit(0);
        // A handler is stuck in I/O (a hung disk): its operation is already requeued, but
        // Node's exit waits for its I/O threads, which would hang forever. Only a signal
        // ends the process now.
        logger.warn("a handler is stuck in I/O; killing the worker process");
        process.kill(process.pid, "SIGKILL");
      },
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

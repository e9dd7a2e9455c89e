// `npm run agent -- --host hv-01` (or SNAPDECK_HOST=hv-01 npm run agent; `npm run worker`
// is the same, for the host `local`): the data plane of one host. It runs the operations
// of that host's servers only, with their disks under this process's DATA_DIR/disks/ and
// the shared store of SNAPDECK_STORE_URL. Any number can run per host (lib/jobs/lease.ts).
// SIGTERM/SIGINT stop it cleanly: running operations are put back in the queue for another
// agent of the host, and its heartbeat row is removed; within seconds even when a handler
// is stuck in I/O.
import "./server-conditions";
import { parseArgs } from "node:util";
import { migrateDatabase } from "@/lib/server/setup";
import { ensureDb } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";
import { startWorker } from "@/lib/jobs/runner";
import { config } from "@/lib/config";
import { getAgentHost } from "@/lib/server/hosts";

async function main() {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { host: { type: "string" } }, strict: true });
  if (values.host) process.env.SNAPDECK_HOST = values.host;
  // Skips the Prisma CLI when nothing is pending: `migrate deploy` times out while
  // another process (the app, another worker) has the WAL database open.
  await migrateDatabase();
  await ensureDb();
  const host = await getAgentHost(config.host);
  const worker = startWorker({ concurrency: config.workerConcurrency, host: host.name });
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
  // Say it plainly too: an agent for a host nobody created should not need a log reader.
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

// `npm run worker`: a standalone operation worker. Any number can run against one
// database (lib/jobs/lease.ts). SIGTERM/SIGINT stop it cleanly: running operations are
// put back in the queue for another worker, and its heartbeat row is removed.
import { readdirSync } from "node:fs";
import path from "node:path";
import { prepareDataDir, migrateDatabase } from "@/lib/server/setup";
import { ensureDb, prisma } from "@/lib/server/db";
import { logger } from "@/lib/server/logger";
import { startWorker } from "@/lib/jobs/runner";

/** Whether every migration in prisma/migrations is recorded as applied. */
async function allMigrationsApplied(): Promise<boolean> {
  const expected = readdirSync(path.resolve("prisma/migrations"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const applied = await prisma
    .$queryRawUnsafe<{ migration_name: string }[]>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    )
    .catch(() => []);
  const names = new Set(applied.map((r) => r.migration_name));
  return expected.every((m) => names.has(m));
}

/**
 * `prisma migrate deploy` times out (after ~5 s) while another process, the app or
 * another worker, has the WAL database open. A worker joining a running deployment only
 * needs the schema to be current, so it migrates only when something is pending.
 */
async function migrateIfNeeded() {
  await ensureDb();
  if (await allMigrationsApplied()) return;
  migrateDatabase();
}

async function main() {
  prepareDataDir();
  await migrateIfNeeded();
  const raw = Number(process.env.SNAPDECK_WORKER_CONCURRENCY);
  const concurrency = Number.isInteger(raw) && raw > 0 ? raw : undefined; // default 2: one per core
  const worker = startWorker({ concurrency });
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

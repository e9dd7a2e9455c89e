// Prepares DATA_DIR for any entry point (npm start, the worker, the CLI, tests):
// the directory, a generated auth secret when none is configured, and migrations.
import "server-only";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { config, getDatabaseProvider, getDatabaseUrl, getDataDir } from "@/lib/config";
import { migratePostgres } from "@/lib/server/migrate-postgres";

export function prepareDataDir(): string {
  const dataDir = getDataDir();
  mkdirSync(dataDir, { recursive: true });
  return dataDir;
}

/** NEXTAUTH_SECRET from the environment, else one generated once into DATA_DIR/auth-secret. */
export function ensureAuthSecret(): string {
  if (config.authSecret) return config.authSecret;
  const file = path.join(prepareDataDir(), "auth-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

/**
 * SQLite only: true when every migration in prisma/migrations is recorded as applied. Checked first
 * because `prisma migrate deploy` (JS engine) fails with "SocketTimeout" on a WAL
 * database another process has open (e.g. the worker starting beside `next start`).
 */
function migrationsUpToDate(url: string): boolean {
  const file = url.replace(/^file:/, "");
  if (!existsSync(file)) return false;
  const wanted = readdirSync(path.resolve("prisma/migrations"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return false;
    const rows = db
      .prepare("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL")
      .all() as { migration_name: string }[];
    const applied = new Set(rows.map((r) => r.migration_name));
    return wanted.every((name) => applied.has(name));
  } finally {
    db.close();
  }
}

/**
 * Applies pending migrations: SQLite's with the project's Prisma CLI (offline JS engine),
 * PostgreSQL's with lib/server/migrate-postgres.ts.
 */
export async function migrateDatabase(url = getDatabaseUrl()): Promise<void> {
  prepareDataDir();
  if (getDatabaseProvider(url) === "postgresql") {
    await migratePostgres(url);
    return;
  }
  if (migrationsUpToDate(url)) return;
  const prisma = path.resolve("node_modules/.bin/prisma");
  execFileSync(prisma, ["migrate", "deploy"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DATABASE_URL: url } });
}

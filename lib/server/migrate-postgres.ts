// Applies prisma/migrations-postgres to a PostgreSQL database. `prisma migrate deploy`
// cannot (through the pg adapter it fails: prisma/orm#27403), so this is the runner:
// - one session-level advisory lock around the whole run, so when several instances
//   start at once one migrates and the others wait, then find nothing left to do;
// - migrations in name (timestamp) order, each in its own transaction together with the
//   row that records it in _snapdeck_migrations, so a migration is applied fully and
//   recorded, or not at all (PostgreSQL DDL is transactional).
import "server-only";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

export const POSTGRES_MIGRATIONS_DIR = "prisma/migrations-postgres";
// Any constant shared by every Snapdeck process; "snapdeck" in ASCII.
const LOCK_KEY = 0x736e6170;

export function postgresMigrations(dir = path.resolve(POSTGRES_MIGRATIONS_DIR)): { name: string; sql: string }[] {
  if (!existsSync(dir)) throw new Error(`${dir} is missing: the PostgreSQL migrations ship with Snapdeck`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

/** Applies the pending migrations; returns the names applied by this call. */
export async function migratePostgres(url: string, dir?: string): Promise<string[]> {
  const migrations = postgresMigrations(dir);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "_snapdeck_migrations" (
         "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ name: string }>(`SELECT "name" FROM "_snapdeck_migrations"`);
    const done = new Set(rows.map((r) => r.name));
    for (const { name, sql } of migrations) {
      if (done.has(name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(sql);
        const checksum = createHash("sha256").update(sql).digest("hex");
        await client.query(`INSERT INTO "_snapdeck_migrations" ("name", "checksum") VALUES ($1, $2)`, [name, checksum]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw new Error(`PostgreSQL migration ${name} failed: ${err instanceof Error ? err.message : err}`);
      }
      applied.push(name);
    }
  } finally {
    // Ending the session releases the advisory lock too, even after an error.
    await client.end().catch(() => {});
  }
  return applied;
}

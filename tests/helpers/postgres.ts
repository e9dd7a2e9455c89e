// Test databases on PostgreSQL. SNAPDECK_TEST_DB=postgres runs a suite against PostgreSQL;
// SNAPDECK_TEST_POSTGRES_URL is a superuser ("admin") URL of a server the tests may create
// databases on. Every test file (and the browser suite) gets a database of its own.
import { randomBytes } from "node:crypto";
import pg from "pg";

export type TestDb = "sqlite" | "postgres";

export const POSTGRES_HOWTO =
  "SNAPDECK_TEST_POSTGRES_URL is not set, but PostgreSQL tests were asked for (SNAPDECK_TEST_DB=postgres). " +
  "Point it at a PostgreSQL 15+ server where the tests may CREATE DATABASE, e.g. a throwaway cluster:\n" +
  "  runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D /tmp/pg -A trust -U postgres\n" +
  "  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pg -o '-p 55432 -k /tmp' -l /tmp/pg.log start\n" +
  "  export SNAPDECK_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:55432/postgres\n" +
  "(.ci/run installs PostgreSQL and does this by itself.)";

export function testDb(): TestDb {
  const kind = process.env.SNAPDECK_TEST_DB ?? "sqlite";
  if (kind !== "sqlite" && kind !== "postgres") throw new Error(`SNAPDECK_TEST_DB must be sqlite or postgres, got "${kind}"`);
  return kind;
}

export function postgresAdminUrl(): string {
  const url = process.env.SNAPDECK_TEST_POSTGRES_URL;
  if (!url) throw new Error(POSTGRES_HOWTO);
  return url;
}

/** The admin URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Creates a database, empty or a copy of `template` (a migrated one: tests/global-setup.ts);
 * its URL. Names share the run's prefix so the run's global teardown drops them all.
 */
export async function createTestDatabase(label?: string, template?: string): Promise<string> {
  const admin = postgresAdminUrl();
  const name = `snapdeck_test_${process.env.SNAPDECK_TEST_RUN ?? "t"}_${label ? `${label}_` : ""}${randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
  } finally {
    await client.end();
  }
  return withDatabase(admin, name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: postgresAdminUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

// `tsx tests/helpers/postgres.ts create <label>` prints a new database's URL (for the
// Playwright config, which cannot await).
if (process.argv[1]?.endsWith("tests/helpers/postgres.ts") && process.argv[2] === "create") {
  createTestDatabase(process.argv[3]).then(
    (url) => console.log(url),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

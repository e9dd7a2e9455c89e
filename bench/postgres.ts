// The API part's PostgreSQL databases: one throwaway database per seeded data set, created
// on the server SNAPDECK_BENCH_POSTGRES_URL (or the test suites' SNAPDECK_TEST_POSTGRES_URL,
// which .ci/run exports) names, and dropped after the run.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const POSTGRES_BENCH_HOWTO =
  "set SNAPDECK_BENCH_POSTGRES_URL (or SNAPDECK_TEST_POSTGRES_URL) to an admin URL of a PostgreSQL 15+ server " +
  "where the benchmark may CREATE DATABASE, e.g. postgresql://postgres@127.0.0.1:5432/postgres (docs/postgres.md)";

export function benchPostgresUrl(): string | undefined {
  return process.env.SNAPDECK_BENCH_POSTGRES_URL || process.env.SNAPDECK_TEST_POSTGRES_URL || undefined;
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database; its URL. */
export async function createBenchDatabase(adminUrl: string, label: string): Promise<string> {
  const name = `snapdeck_bench_${label}_${randomBytes(4).toString("hex")}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropBenchDatabase(adminUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

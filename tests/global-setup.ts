// The route manifest (scripts/route-manifest.ts) is rewritten first, so the API tests never
// see a stale one. With SNAPDECK_TEST_DB=postgres: fail at once (saying how to get one) when
// no PostgreSQL server is configured, and drop this run's databases afterwards.
import pg from "pg";
import { writeRouteManifest } from "../scripts/route-manifest";
import { postgresAdminUrl, testDb } from "./helpers/postgres";

export default async function setup(): Promise<(() => Promise<void>) | void> {
  writeRouteManifest();
  if (testDb() !== "postgres") return;
  const admin = postgresAdminUrl();
  const prefix = `snapdeck_test_${process.env.SNAPDECK_TEST_RUN}_`;
  return async () => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [
        prefix,
      ]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
}

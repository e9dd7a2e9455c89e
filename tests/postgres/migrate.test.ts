// The PostgreSQL migration runner when several instances start at once: each migration
// is applied exactly once, and every instance finds the schema complete.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { migratePostgres, postgresMigrations } from "@/lib/server/migrate-postgres";
import { createTestDatabase } from "../helpers/postgres";

describe("PostgreSQL migration runner", () => {
  it("three instances migrating one empty database at once apply each migration once", async () => {
    const url = await createTestDatabase();
    const applied = await Promise.all([migratePostgres(url), migratePostgres(url), migratePostgres(url)]);
    const names = postgresMigrations().map((m) => m.name);
    expect(applied.flat().sort()).toEqual(names);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(`SELECT "name" FROM "_snapdeck_migrations" ORDER BY "name"`);
      expect(rows.map((r) => r.name)).toEqual(names);
      expect((await client.query(`SELECT count(*)::int AS n FROM "Snapshot"`)).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
    expect(await migratePostgres(url)).toEqual([]);
  });
});

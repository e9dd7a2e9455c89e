// The fleet migration on a database with data: existing servers land on the single host
// `local` (the PostgreSQL twin; tests/server/fleet-migration.test.ts checks SQLite).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/postgres";

const FLEET = "fleet_hosts";
const sqlOf = (dir: string, before: boolean) =>
  readdirSync(dir)
    .filter((name) => /^\d/.test(name))
    .sort()
    .filter((name) => (before ? !name.endsWith(FLEET) && name < readdirSync(dir).find((n) => n.endsWith(FLEET))! : name.endsWith(FLEET)))
    .map((name) => readFileSync(path.join(dir, name, "migration.sql"), "utf8"));

const SEED = `INSERT INTO "User" ("id", "email", "passwordHash") VALUES (1, 'a@example.test', 'x');
  INSERT INTO "Server" ("id", "name", "hostname", "status", "location", "diskMb", "ownerId", "updatedAt") VALUES
    (1, 'one', 'one.example', 'active', 'fsn1', 8, 1, CURRENT_TIMESTAMP), (2, 'two', 'two.example', 'stopped', 'fsn1', 8, 1, CURRENT_TIMESTAMP);`;

describe("fleet_hosts migration", () => {
  it("PostgreSQL: the twin does the same", async () => {
    const client = new pg.Client({ connectionString: await createTestDatabase("fleetmig") });
    await client.connect();
    try {
      for (const sql of sqlOf("prisma/migrations-postgres", true)) await client.query(sql);
      await client.query(SEED.replaceAll("CURRENT_TIMESTAMP", "now()"));
      for (const sql of sqlOf("prisma/migrations-postgres", false)) await client.query(sql);
      const { rows } = await client.query(`SELECT s."id", h."name" FROM "Server" s JOIN "Host" h ON h."id" = s."hostId" ORDER BY s."id"`);
      expect(rows).toEqual([
        { id: 1, name: "local" },
        { id: 2, name: "local" },
      ]);
    } finally {
      await client.end();
    }
  });
});

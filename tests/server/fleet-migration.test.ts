// The fleet migration on a database with data: existing servers land on the single host
// `local`, and an empty database gets no host row (so `db copy` still sees it as empty).
// SQLite's migrations, and PostgreSQL's twins when a PostgreSQL server is configured.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createTestDatabase, dropTestDatabase } from "../helpers/postgres";

const FLEET = "fleet_hosts";
const sqlOf = (dir: string, before: boolean) =>
  readdirSync(dir)
    .filter((name) => /^\d/.test(name))
    .sort()
    .filter((name) =>
      before ? !name.endsWith(FLEET) && name < readdirSync(dir).find((n) => n.endsWith(FLEET))! : name.endsWith(FLEET),
    )
    .map((name) => readFileSync(path.join(dir, name, "migration.sql"), "utf8"));

const SEED = `INSERT INTO "User" ("id", "email", "passwordHash") VALUES (1, 'a@example.test', 'x');
  INSERT INTO "Server" ("id", "name", "hostname", "status", "location", "diskMb", "ownerId", "updatedAt") VALUES
    (1, 'one', 'one.example', 'active', 'fsn1', 8, 1, CURRENT_TIMESTAMP), (2, 'two', 'two.example', 'stopped', 'fsn1', 8, 1, CURRENT_TIMESTAMP);`;

describe("fleet_hosts migration", () => {
  it("SQLite: existing servers move onto the host local; an empty database gets no host", () => {
    for (const seeded of [true, false]) {
      const db = new Database(":memory:");
      for (const sql of sqlOf("prisma/migrations", true)) db.exec(sql);
      if (seeded) db.exec(SEED);
      for (const sql of sqlOf("prisma/migrations", false)) db.exec(sql);
      const hosts = db.prepare(`SELECT "id", "name" FROM "Host"`).all() as { id: number; name: string }[];
      if (!seeded) expect(hosts).toEqual([]);
      else {
        expect(hosts.map((h) => h.name)).toEqual(["local"]);
        expect(db.prepare(`SELECT "id", "hostId" FROM "Server" ORDER BY "id"`).all()).toEqual([
          { id: 1, hostId: hosts[0]!.id },
          { id: 2, hostId: hosts[0]!.id },
        ]);
      }
      db.close();
    }
  });

  it.skipIf(!process.env.SNAPDECK_TEST_POSTGRES_URL)("PostgreSQL: the twin does the same", async () => {
    const url = await createTestDatabase("fleetmig");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const sql of sqlOf("prisma/migrations-postgres", true)) await client.query(sql);
      await client.query(SEED.replaceAll("CURRENT_TIMESTAMP", "now()"));
      for (const sql of sqlOf("prisma/migrations-postgres", false)) await client.query(sql);
      const { rows } = await client.query(
        `SELECT s."id", h."name" FROM "Server" s JOIN "Host" h ON h."id" = s."hostId" ORDER BY s."id"`,
      );
      expect(rows).toEqual([
        { id: 1, name: "local" },
        { id: 2, name: "local" },
      ]);
    } finally {
      await client.end();
      await dropTestDatabase(url);
    }
  });
});

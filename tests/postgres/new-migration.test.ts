// `npm run db:migration -- <name>` in a scratch copy of the project's prisma/ directory:
// a schema change gets its SQLite migration and PostgreSQL twin; a SQLite migration that
// arrived without a twin (merged from another branch) gets just the twin; and the twin
// applies on PostgreSQL after the existing history.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { migratePostgres } from "@/lib/server/migrate-postgres";
import { createTestDatabase } from "../helpers/postgres";

const ROOT = path.resolve(__dirname, "../..");

function scratchProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "snapdeck-newmig-"));
  cpSync(path.join(ROOT, "prisma"), path.join(dir, "prisma"), {
    recursive: true,
    filter: (src) => path.relative(ROOT, src) !== path.join("prisma", "postgres"),
  });
  cpSync(path.join(ROOT, "scripts"), path.join(dir, "scripts"), { recursive: true });
  cpSync(path.join(ROOT, "prisma.config.ts"), path.join(dir, "prisma.config.ts"));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

const newMigration = (cwd: string, name: string) =>
  spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/new-migration.ts", name], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: "" },
  });
const names = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => !n.endsWith(".toml"))
        .sort()
    : [];

describe("npm run db:migration", () => {
  it("writes both sides of a schema change, and later only the missing PostgreSQL side", { timeout: 300_000 }, async () => {
    const dir = scratchProject();
    const sqliteDir = path.join(dir, "prisma/migrations");
    const pgDir = path.join(dir, "prisma/migrations-postgres");
    const before = names(sqliteDir);
    const schema = path.join(dir, "prisma/schema.prisma");
    writeFileSync(schema, readFileSync(schema, "utf8").replace(/(model Server \{\n)/, '$1  note String @default("")\n'));

    const first = newMigration(dir, "server_note");
    expect(first.status, first.stderr).toBe(0);
    const added = names(sqliteDir).filter((n) => !before.includes(n));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/_server_note$/);
    expect(names(pgDir)).toEqual(names(sqliteDir));
    const twin = path.join(pgDir, added[0]!, "migration.sql");
    const sql = readFileSync(twin, "utf8");
    expect(sql).toMatch(/ALTER TABLE "Server" ADD COLUMN\s+"note" TEXT NOT NULL DEFAULT ''/);

    // As after merging a branch that brought only the SQLite side: the twin is written again.
    rmSync(path.dirname(twin), { recursive: true });
    const second = newMigration(dir, "ignored_name");
    expect(second.status, second.stderr).toBe(0);
    expect(names(sqliteDir)).toHaveLength(before.length + 1);
    expect(readFileSync(twin, "utf8")).toBe(sql);

    const third = newMigration(dir, "nothing");
    expect(third.status).toBe(1);
    expect(third.stderr).toMatch(/nothing to write/);

    // The PostgreSQL history, twin included, applies to a new database.
    const url = await createTestDatabase();
    expect(await migratePostgres(url, pgDir)).toEqual(names(pgDir));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'Server' AND column_name = 'note'`,
      );
      expect(rows).toHaveLength(1);
    } finally {
      await client.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });
});

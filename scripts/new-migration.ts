// npm run db:migration -- <name>
// One schema change, both databases. Writes
//   prisma/migrations/<timestamp>_<name>/migration.sql           (SQLite) when prisma/schema.prisma
//                                                                differs from the SQLite history, and
//   prisma/migrations-postgres/<same name>/migration.sql         for EVERY SQLite migration that has no
//                                                                PostgreSQL twin yet: the new one, and
//                                                                any that arrived from another branch.
// A PostgreSQL twin is the diff between the schemas before and after its SQLite migration
// (each read back from a scratch SQLite database with `prisma db pull`), rendered for
// PostgreSQL by `prisma migrate diff` with no database (prisma/postgres.config.ts).
// (`prisma migrate dev` fails with the driver adapters; see docs/STACK.md.)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { withProvider, writePostgresSchema } from "./postgres-schema";

const SQLITE_DIR = "prisma/migrations";
const POSTGRES_DIR = "prisma/migrations-postgres";
const prisma = path.resolve("node_modules/.bin/prisma");

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (lowercase letters, digits, _)");
  process.exit(1);
}

const scratch = mkdtempSync(path.join(tmpdir(), "snapdeck-migration-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const dbFile = path.join(scratch, "app.db");
const env = { ...process.env, DATA_DIR: scratch, DATABASE_URL: `file:${dbFile}` };
let step = 0;

function run(args: string[]): string {
  return execFileSync(prisma, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .split("\n")
    .filter((line) => !line.startsWith("Loaded Prisma config"))
    .join("\n")
    .trim();
}

/** The schema of the scratch database now, as a file with the given provider. */
function pullSchema(provider: "sqlite" | "postgresql"): string {
  const pulled = run(["db", "pull", "--print"]);
  const file = path.join(scratch, `step-${step++}.prisma`);
  writeFileSync(file, withProvider(pulled.slice(pulled.indexOf("generator client")), provider));
  return file;
}

const hasDdl = (sql: string) => /\b(CREATE|ALTER|DROP)\b/.test(sql);
const migrationNames = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];

function write(dir: string, migration: string, sql: string): void {
  mkdirSync(path.join(dir, migration), { recursive: true });
  writeFileSync(path.join(dir, migration, "migration.sql"), sql + "\n");
  console.log(`wrote ${dir}/${migration}/migration.sql`);
}

// prisma/postgres.config.ts names the PostgreSQL copy of the schema; keep it current.
writePostgresSchema();
const db = new Database(dbFile);
const sqliteHistory = migrationNames(SQLITE_DIR);
const missing = new Set(sqliteHistory.filter((m) => !existsSync(path.join(POSTGRES_DIR, m, "migration.sql"))));

// 1. SQLite: the history applied to a scratch database, diffed against the schema.
for (const migration of sqliteHistory) db.exec(readFileSync(path.join(SQLITE_DIR, migration, "migration.sql"), "utf8"));
const sqliteNow = run([
  "migrate",
  "diff",
  "--from-schema-datamodel",
  pullSchema("sqlite"),
  "--to-schema-datamodel",
  "prisma/schema.prisma",
  "--script",
]);
if (hasDdl(sqliteNow)) {
  const migration = `${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_${name}`;
  write(SQLITE_DIR, migration, sqliteNow);
  sqliteHistory.push(migration);
  missing.add(migration);
}
if (missing.size === 0) {
  console.error("The schema matches the migrations of both databases; nothing to write.");
  process.exit(1);
}

// 2. PostgreSQL: replay the SQLite history on a fresh scratch database, and for each
// migration without a twin diff the schema before it against the schema after it.
db.close();
rmSync(dbFile, { force: true });
const replay = new Database(dbFile);
const empty = () =>
  (replay.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n === 0;
// The PostgreSQL-flavoured schema before the current migration; undefined = not read yet.
let before: string | null | undefined = null;
for (const migration of sqliteHistory) {
  const needed = missing.has(migration);
  if (needed && before === undefined) before = empty() ? null : pullSchema("postgresql");
  replay.exec(readFileSync(path.join(SQLITE_DIR, migration, "migration.sql"), "utf8"));
  if (!needed) {
    before = undefined;
    continue;
  }
  const after = pullSchema("postgresql");
  const from = before ? ["--from-schema-datamodel", before] : ["--from-empty"];
  const sql = run([
    "migrate",
    "diff",
    "--config",
    "prisma/postgres.config.ts",
    ...from,
    "--to-schema-datamodel",
    after,
    "--script",
  ]);
  write(POSTGRES_DIR, migration, hasDdl(sql) ? sql : "-- No PostgreSQL change (the SQLite migration changes no schema).");
  before = after;
}
replay.close();
console.log(
  "Review the PostgreSQL SQL before committing: statements written by hand into a SQLite migration " +
    "(data backfills, e.g. a NOT NULL column filled from another table) are not carried over.",
);

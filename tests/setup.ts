// Every test file gets its own DATA_DIR and a freshly migrated database of its own, set
// before any project module (and so the Prisma client) is imported: a SQLite file in the
// DATA_DIR, or with SNAPDECK_TEST_DB=postgres a new PostgreSQL database
// (tests/helpers/postgres.ts).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateDatabase } from "@/lib/server/setup";
import { createTestDatabase, testDb } from "./helpers/postgres";

if (!process.env.SNAPDECK_TEST_DATA_DIR_SET) {
  const dir = mkdtempSync(path.join(tmpdir(), "snapdeck-test-"));
  process.env.DATA_DIR = dir;
  process.env.DATABASE_URL = testDb() === "postgres" ? await createTestDatabase() : `file:${path.join(dir, "app.db")}`;
  process.env.LOG_LEVEL ??= "silent";
  process.env.SNAPDECK_TEST_DATA_DIR_SET = "1";
  await migrateDatabase();
}

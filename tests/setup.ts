// Every test file gets its own DATA_DIR with a freshly migrated SQLite database, set
// before any project module (and so the Prisma client) is imported.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateDatabase } from "@/lib/server/setup";

if (!process.env.SNAPDECK_TEST_DATA_DIR_SET) {
  const dir = mkdtempSync(path.join(tmpdir(), "snapdeck-test-"));
  process.env.DATA_DIR = dir;
  process.env.DATABASE_URL = `file:${path.join(dir, "app.db")}`;
  process.env.LOG_LEVEL ??= "silent";
  process.env.SNAPDECK_TEST_DATA_DIR_SET = "1";
  migrateDatabase();
}

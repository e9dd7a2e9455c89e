// Every test file gets its own DATA_DIR and a migrated database of its own, set before any
// project module (and so the Prisma client) is imported: a copy of the pass's template
// (tests/global-setup.ts), a SQLite file in the DATA_DIR or, with SNAPDECK_TEST_DB=postgres,
// a new PostgreSQL database made from the template.
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { createTestDatabase, testDb } from "./helpers/postgres";

if (!process.env.SNAPDECK_TEST_DATA_DIR_SET) {
  const dir = mkdtempSync(path.join(tmpdir(), "snapdeck-test-"));
  process.env.DATA_DIR = dir;
  const template = inject("templateDatabase");
  if (testDb() === "postgres") {
    process.env.DATABASE_URL = await createTestDatabase(undefined, template);
  } else {
    copyFileSync(template, path.join(dir, "app.db"));
    process.env.DATABASE_URL = `file:${path.join(dir, "app.db")}`;
  }
  process.env.LOG_LEVEL ??= "silent";
  process.env.SNAPDECK_TEST_DATA_DIR_SET = "1";
}

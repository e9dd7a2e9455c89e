// Once per vitest pass: the route manifest (scripts/route-manifest.ts) rewritten, so the API
// tests never see a stale one; a migrated template database that every test file copies
// (tests/setup.ts) instead of migrating its own (a SQLite file copy; on PostgreSQL
// CREATE DATABASE … TEMPLATE); and afterwards the removal of this run's databases.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { writeRouteManifest } from "../scripts/route-manifest";
import { migrateDatabase } from "@/lib/server/setup";
import { createTestDatabase, postgresAdminUrl, testDb } from "./helpers/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated database to copy: a SQLite file path, or a PostgreSQL database name. */
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  writeRouteManifest();
  const dir = mkdtempSync(path.join(tmpdir(), "snapdeck-template-"));
  process.env.DATA_DIR = dir;
  if (testDb() === "postgres") {
    const url = await createTestDatabase("template");
    await migrateDatabase(url);
    project.provide("templateDatabase", new URL(url).pathname.slice(1));
  } else {
    const file = path.join(dir, "app.db");
    await migrateDatabase(`file:${file}`);
    // Everything in the main file, so a plain copy is the whole database.
    const db = new Database(file);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    project.provide("templateDatabase", file);
  }
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (testDb() === "postgres") await dropRunDatabases();
  };
}

async function dropRunDatabases() {
  const prefix = `snapdeck_test_${process.env.SNAPDECK_TEST_RUN}_`;
  const client = new pg.Client({ connectionString: postgresAdminUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [
      prefix,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

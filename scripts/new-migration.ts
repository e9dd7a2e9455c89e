// npm run db:migration -- <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the
// current migrations to prisma/schema.prisma. (`prisma migrate dev` fails with the
// better-sqlite3 adapter; see docs/STACK.md.)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (lowercase letters, digits, _)");
  process.exit(1);
}
const prisma = path.resolve("node_modules/.bin/prisma");
const scratch = mkdtempSync(path.join(tmpdir(), "snapdeck-migration-"));
const env = { ...process.env, DATA_DIR: scratch, DATABASE_URL: `file:${path.join(scratch, "app.db")}` };
try {
  execFileSync(prisma, ["migrate", "deploy"], { env, stdio: "inherit" });
  // The schema the migrations produce, read back from a scratch database...
  const pulled = execFileSync(prisma, ["db", "pull", "--print"], { env, encoding: "utf8" });
  const current = path.join(scratch, "current.prisma");
  writeFileSync(current, pulled.slice(pulled.indexOf("generator client")));
  // ...diffed against the schema as it is now.
  const sql = execFileSync(
    prisma,
    ["migrate", "diff", "--from-schema-datamodel", current, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
    { env, encoding: "utf8" },
  )
    .split("\n")
    .filter((line) => !line.startsWith("Loaded Prisma config"))
    .join("\n");
  if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
    console.error("The schema matches the migrations; nothing to write.");
    process.exit(1);
  }
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = path.join("prisma/migrations", `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "migration.sql"), sql.trim() + "\n");
  console.log(`wrote ${dir}/migration.sql`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

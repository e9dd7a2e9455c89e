// Prepares DATA_DIR for any entry point (npm start, the worker, the CLI, tests):
// the directory, a generated auth secret when none is configured, and migrations.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { getDataDir } from "@/lib/config";

export function prepareDataDir(): string {
  const dataDir = getDataDir();
  mkdirSync(dataDir, { recursive: true });
  return dataDir;
}

/** NEXTAUTH_SECRET from the environment, else one generated once into DATA_DIR/auth-secret. */
export function ensureAuthSecret(): string {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  const file = path.join(prepareDataDir(), "auth-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

/** Applies pending migrations with the project's Prisma CLI (offline JS engine). */
export function migrateDatabase(): void {
  prepareDataDir();
  const prisma = path.resolve("node_modules/.bin/prisma");
  execFileSync(prisma, ["migrate", "deploy"], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
}

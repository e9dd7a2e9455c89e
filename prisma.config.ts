import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The JS schema engine and the better-sqlite3 adapter: nothing is downloaded at
// install or run time (see docs/STACK.md, "Prisma offline").
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    const dataDir = path.resolve(process.env.DATA_DIR ?? "data");
    return new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? `file:${path.join(dataDir, "app.db")}` });
  },
});

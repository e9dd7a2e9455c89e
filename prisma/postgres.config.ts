// Prisma config for the PostgreSQL copy of the schema (scripts/postgres-schema.ts), used
// only by `npm run db:migration` to write PostgreSQL migrations with `prisma migrate diff`
// between two schema files. That diff needs no database, but Prisma's JS schema engine
// asks its adapter for the server version once before diffing; this adapter answers that
// one question (as PostgreSQL 15) and refuses anything else, so no server is needed.
import { defineConfig } from "prisma/config";

const VERSION_PROBE = /^SELECT EXISTS\(SELECT 1 FROM pg_namespace WHERE nspname = \$1\), version\(\)/;
const refuse = async () => {
  throw new Error("prisma/postgres.config.ts has no database: it only serves `migrate diff` between schema files");
};

const offline = {
  provider: "postgres" as const,
  adapterName: "snapdeck-offline-diff",
  async queryRaw(query: { sql: string }) {
    if (!VERSION_PROBE.test(query.sql)) return refuse();
    // Column types: 5 = boolean, 7 = text, 0 = int32 (driver-adapter-utils' ColumnTypeEnum).
    return {
      columnNames: ["exists", "version", "numeric_version"],
      columnTypes: [5, 7, 0],
      rows: [[true, "PostgreSQL 15.0", 150000]],
    };
  },
  executeRaw: refuse,
  executeScript: refuse,
  startTransaction: refuse,
  getConnectionInfo: () => ({ schemaName: "public", supportsRelationJoins: true }),
  dispose: async () => {},
};

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "postgres/schema.prisma",
  async adapter() {
    return {
      provider: "postgres" as const,
      adapterName: offline.adapterName,
      connect: async () => offline,
      connectToShadowDb: refuse,
    } as never;
  },
});

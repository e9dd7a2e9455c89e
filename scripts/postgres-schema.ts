// prisma/schema.prisma is the one schema source. A generated Prisma client is bound to
// one provider, so the PostgreSQL client is generated from a copy of that schema with
// only the datasource swapped (prisma/postgres/schema.prisma, not committed) into
// lib/generated/prisma-postgres. `postinstall` runs this after `prisma generate`.
//
//   tsx scripts/postgres-schema.ts          writes the copy and generates its client
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const POSTGRES_SCHEMA = "prisma/postgres/schema.prisma";

const DATASOURCE = /datasource db \{[^}]*\}/;

/** The same models with another provider; the url is unused at run time (lib/server/db.ts picks it). */
export function withProvider(schema: string, provider: "sqlite" | "postgresql"): string {
  if (!DATASOURCE.test(schema)) throw new Error("schema has no `datasource db { … }` block");
  const url = provider === "sqlite" ? "file:./unused.db" : "postgresql://localhost/unused";
  return schema.replace(DATASOURCE, `datasource db {\n  provider = "${provider}"\n  url      = "${url}"\n}`);
}

/** The PostgreSQL copy of a schema, its generator writing into lib/generated/prisma-postgres. */
export function postgresSchema(schema: string): string {
  return withProvider(schema, "postgresql").replace(
    /output\s*=\s*"\.\.\/lib\/generated\/prisma"/,
    'output = "../../lib/generated/prisma-postgres"',
  );
}

export function writePostgresSchema(root = process.cwd()): string {
  const file = path.join(root, POSTGRES_SCHEMA);
  mkdirSync(path.dirname(file), { recursive: true });
  const text = postgresSchema(readFileSync(path.join(root, "prisma/schema.prisma"), "utf8"));
  writeFileSync(file, `// GENERATED from prisma/schema.prisma by scripts/postgres-schema.ts; do not edit.\n${text}`);
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  const file = writePostgresSchema();
  execFileSync(path.resolve("node_modules/.bin/prisma"), ["generate", "--schema", file], { stdio: "inherit" });
}

// `npm run cli -- db copy --from URL --to URL`: moves an installation's data between
// databases (typically an existing SQLite file to a new PostgreSQL database). Both are
// migrated first; the target must be empty. Rows keep their ids, so tokens, links and
// snapshot ids in the store stay valid; everything is written in one transaction on the
// target, so a failed copy leaves it empty. Worker heartbeats are not copied (they
// describe live processes).
import "server-only";
import { getDatabaseProvider } from "@/lib/config";
import { createPrismaClient } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { migrateDatabase } from "@/lib/server/setup";

// In foreign-key order; `pk` (the primary key's columns) orders the batches.
const TABLES = [
  { model: "user", table: "User", pk: ["id"] },
  { model: "apiToken", table: "ApiToken", pk: ["id"] },
  { model: "host", table: "Host", pk: ["id"] },
  { model: "server", table: "Server", pk: ["id"] },
  { model: "schedule", table: "Schedule", pk: ["id"] },
  { model: "snapshot", table: "Snapshot", pk: ["id"] },
  { model: "snapshotLabel", table: "SnapshotLabel", pk: ["snapshotId", "key"] },
  { model: "operation", table: "Operation", pk: ["id"] },
  { model: "auditEvent", table: "AuditEvent", pk: ["id"] },
  { model: "idempotencyRecord", table: "IdempotencyRecord", pk: ["id"] },
  { model: "loginThrottle", table: "LoginThrottle", pk: ["key"] },
  // The store's chunk references (lib/jobs/chunk-refs.ts): without them a new database
  // would let GC delete chunks that snapshots taken before the copy still use.
  { model: "chunk", table: "Chunk", pk: ["hash"] },
  { model: "snapshotChunk", table: "SnapshotChunk", pk: ["snapshotId", "hash"] },
] as const;

/** Keyset condition for the rows after `last` in primary-key order (one or two columns). */
function after(pk: readonly string[], last: Row): object {
  const [first, second] = pk as [string, string?];
  if (!second) return { [first]: { gt: last[first] } };
  return { OR: [{ [first]: { gt: last[first] } }, { [first]: last[first], [second]: { gt: last[second] } }] };
}
const BATCH = 1_000;
// Tables whose integer ids come from a PostgreSQL sequence, which must continue after the copied ids.
const SERIAL = ["User", "ApiToken", "Host", "Server", "Schedule", "Snapshot", "AuditEvent", "IdempotencyRecord"];

type Row = Record<string, unknown>;
type Delegate = {
  findMany(args: object): Promise<Row[]>;
  createMany(args: { data: Row[] }): Promise<{ count: number }>;
  count(): Promise<number>;
};
const delegate = (client: unknown, model: string) => (client as Record<string, Delegate>)[model]!;

export async function copyDatabase(fromUrl: string, toUrl: string): Promise<Record<string, number>> {
  if (fromUrl === toUrl) throw new AppError("validation_error", "--from and --to name the same database.");
  await migrateDatabase(fromUrl);
  await migrateDatabase(toUrl);
  const from = createPrismaClient(fromUrl);
  const to = createPrismaClient(toUrl);
  try {
    for (const { model, table } of TABLES)
      if ((await delegate(to, model).count()) > 0)
        throw new AppError("conflict", `The target database is not empty (table ${table} has rows); copy into a new database.`);
    const copied: Record<string, number> = {};
    await to.$transaction(
      async (tx) => {
        for (const { model, table, pk } of TABLES) {
          copied[table] = 0;
          let last: Row | undefined = undefined;
          for (;;) {
            const rows = await delegate(from, model).findMany({
              ...(last !== undefined && { where: after(pk, last) }),
              orderBy: pk.map((column) => ({ [column]: "asc" })),
              take: BATCH,
            });
            if (rows.length === 0) break;
            copied[table] += (await delegate(tx, model).createMany({ data: rows })).count;
            last = rows[rows.length - 1]!;
          }
        }
        if (getDatabaseProvider(toUrl) === "postgresql")
          for (const table of SERIAL)
            await tx.$executeRawUnsafe(
              `SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT COALESCE(MAX("id"), 0) + 1 FROM "${table}"), false)`,
            );
      },
      { timeout: 30 * 60_000, maxWait: 60_000 },
    );
    return copied;
  } finally {
    await Promise.all([from.$disconnect(), to.$disconnect()]);
  }
}

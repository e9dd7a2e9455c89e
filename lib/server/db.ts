// The one Prisma client of a process, for the database DATABASE_URL names (lib/config.ts).
// Both generated clients come from the one schema (scripts/postgres-schema.ts), so the
// PostgreSQL client is typed as the SQLite one: same models, same queries, one set of types.
//
// SQLite runs in WAL mode with a busy timeout and foreign keys on, so concurrent writers
// wait for each other instead of failing. Every transaction begins IMMEDIATE (takes the
// write lock first): a deferred one that reads, then writes after another process's commit
// fails at once with "database is locked" whatever the busy timeout, as a server create
// beside a busy agent did. The better-sqlite3 adapter has ONE connection
// per process and serialises $transaction calls with a mutex, but a plain query runs on
// that connection at once — inside whatever transaction another request has open. So:
// every write goes through prisma.$transaction, never a bare create/update/delete.
// PostgreSQL uses a pool (pg); the same rule costs nothing there.
import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "@/lib/generated/prisma-postgres/client";
import { config, getDatabaseProvider, getDatabaseUrl } from "@/lib/config";
import { logger } from "@/lib/server/logger";

export const databaseProvider = getDatabaseProvider();

// A transaction waits up to 10 s for a connection (PostgreSQL's pool) or the process's one
// connection (SQLite), as SQLite waits for its lock, instead of Prisma's 2 s: a burst of 40
// sign-ins on a busy machine failed "Unable to start a transaction in the given time".
const TRANSACTIONS = { maxWait: 10_000 };

/** A client for any database URL; the app's own is `prisma` below (db copy uses two). */
export function createPrismaClient(url: string): PrismaClient {
  if (getDatabaseProvider(url) === "postgresql") {
    const adapter = new PrismaPg(
      // A dead server is noticed in seconds, so a request answers 503 instead of hanging;
      // no statement runs longer than the statement timeout (the server cancels it, also
      // when the client that asked has gone), nor sits idle inside a transaction.
      {
        connectionString: url,
        connectionTimeoutMillis: 5_000,
        ...(config.statementTimeoutMs && {
          statement_timeout: config.statementTimeoutMs,
          idle_in_transaction_session_timeout: 2 * config.statementTimeoutMs,
        }),
      },
      { onPoolError: (err) => logger.warn({ err: err.message }, "PostgreSQL connection lost; reconnecting on next use") },
    );
    return new PostgresPrismaClient({ adapter, transactionOptions: TRANSACTIONS }) as unknown as PrismaClient;
  }
  return new PrismaClient({ adapter: new ImmediateSQLite3({ url, timeout: 10_000 }), transactionOptions: TRANSACTIONS });
}

/** The better-sqlite3 adapter, its transactions begun with BEGIN IMMEDIATE instead of BEGIN. */
class ImmediateSQLite3 extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    const db = (adapter as unknown as { client: { prepare: (sql: string) => unknown } }).client;
    const prepare = db.prepare.bind(db);
    db.prepare = (sql: string) => prepare(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql);
    return adapter;
  }
}

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient; prismaReady?: Promise<void> };

export const prisma = globalForPrisma.prisma ?? createPrismaClient(getDatabaseUrl());
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = prisma;

/** Applies the SQLite connection pragmas once per process; every entry point awaits it. */
export function ensureDb(): Promise<void> {
  globalForPrisma.prismaReady ??= (async () => {
    if (databaseProvider !== "sqlite") return;
    await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await prisma.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
    await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
    await prisma.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
    // Table statistics, so the planner picks e.g. the server index over the owner index
    // for ?server_id= lists (SQLite's advice for long-lived connections; cheap when fresh).
    await prisma.$queryRawUnsafe("PRAGMA optimize = 0x10002");
  })();
  return globalForPrisma.prismaReady;
}

type Queryable = Pick<PrismaClient, "$queryRawUnsafe">;

/**
 * The database server's clock. Leases compare against it, never against the worker's own
 * clock, so workers on hosts whose clocks disagree still agree on when a lease runs out.
 * On SQLite it is the host's clock read by SQLite, and the query touches no table, so as
 * the first statement of a transaction it takes no lock.
 */
export async function databaseNow(db: Queryable = prisma): Promise<Date> {
  const sql =
    databaseProvider === "postgresql"
      ? "SELECT (extract(epoch FROM now()) * 1000)::float8 AS ms"
      : "SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS ms";
  const [row] = await db.$queryRawUnsafe<{ ms: number | bigint }[]>(sql);
  return new Date(Number(row!.ms));
}

/**
 * Locks a snapshot's row until the transaction ends: PostgreSQL `SELECT … FOR UPDATE`;
 * nothing on SQLite, where every transaction holds the one write lock from its start.
 * A rule of the form "cannot delete while a restore is accepted" reads before it writes;
 * under PostgreSQL's READ COMMITTED both sides lock the row first, so the second waits for
 * the first's commit and its next statement sees it (a 409 or 404, never both successes,
 * never a foreign-key 500).
 */
export async function lockSnapshotRow(tx: Pick<PrismaClient, "$queryRaw">, snapshotId: number): Promise<void> {
  if (databaseProvider === "postgresql")
    await tx.$queryRaw(Prisma.sql`SELECT "id" FROM "Snapshot" WHERE "id" = ${snapshotId} FOR UPDATE`);
}

// What a database error means for the caller, the same on SQLite and PostgreSQL.
import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";

/**
 * A unique constraint refused an insert or update (Prisma P2002). On PostgreSQL two
 * transactions can both find "no row yet" and both insert (SQLite's single write lock
 * hides that race); the constraint decides, and the loser must answer like a duplicate.
 */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

// PostgreSQL's error classes for "the server is going away or not there yet": 08 connection
// exception, 57P01-57P03 shutdown / crash / starting up.
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3])/;
// Prisma's codes for an unreachable server, a lost connection, timeouts, pool exhausted.
const UNAVAILABLE_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNAVAILABLE_KIND = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout"]);
// What the pg driver throws itself when a pooled connection dies under a query.
const UNAVAILABLE_MESSAGE = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect/;
// A socket error on the way to the server (pg-pool rethrows it as is): the network between an
// agent and the database is down, e.g. a partitioned host whose new connections get EHOSTUNREACH.
const NETWORK_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "EPIPE"]);

/**
 * The database cannot be reached right now (e.g. PostgreSQL restarting): a request should
 * answer 503 and be retried, and a job should be left for its lease to expire, not failed.
 * The pool reconnects by itself once the server is back.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (err instanceof Prisma.PrismaClientKnownRequestError && UNAVAILABLE_PRISMA.has(err.code)) return true;
  // A raw query ($queryRaw, e.g. databaseNow()) fails as P2010 with the adapter's error inside.
  const wrapped =
    err instanceof Prisma.PrismaClientKnownRequestError
      ? (err.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError
      : undefined;
  if (wrapped && isDatabaseUnavailable(wrapped)) return true;
  const e = err as {
    name?: string;
    message?: unknown;
    code?: unknown;
    syscall?: unknown;
    cause?: { kind?: string; originalCode?: string; code?: string };
  } | null;
  if (!e || typeof e !== "object") return false;
  if (typeof e.syscall === "string" && ["connect", "read", "write"].includes(e.syscall) && NETWORK_ERRNO.has(String(e.code)))
    return true;
  if (e.name === "DriverAdapterError" && e.cause) {
    if (UNAVAILABLE_KIND.has(e.cause.kind ?? "")) return true;
    const code = e.cause.originalCode ?? e.cause.code ?? "";
    if (e.cause.kind === "postgres" && UNAVAILABLE_SQLSTATE.test(code)) return true;
  }
  return typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message);
}

// What a database error means for the caller, the same on SQLite and PostgreSQL.
import { Prisma } from "@/lib/generated/prisma/client";

/**
 * A unique constraint refused an insert or update (Prisma P2002). On PostgreSQL two
 * transactions can both find "no row yet" and both insert (SQLite's single write lock
 * hides that race); the constraint decides, and the loser must answer like a duplicate.
 */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

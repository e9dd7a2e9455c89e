// Idempotency-Key for POST routes: a retry with the same key and body gets the first
// response back instead of starting a second operation.
//
// A request first inserts a placeholder row (statusCode 0) for (user, key) in a
// transaction whose first statement is a write, so on SQLite two concurrent requests with
// the same key serialise on the write lock: one inserts the placeholder and runs, the other
// sees it and gets 409 idempotency_request_in_progress (a retry later gets the stored
// response). On PostgreSQL both may insert; the unique (userId, key) lets one win and the
// other looks again. Only successful (2xx) responses are stored; when the request fails the
// placeholder is removed so the client may retry the same key (as Stripe does for
// requests that did not execute). Records expire after 24 hours; a placeholder left by
// a crashed process is taken over after STALE_PLACEHOLDER_MS.
import "server-only";
import { prisma } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { isUniqueViolation } from "@/lib/server/db-errors";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const STALE_PLACEHOLDER_MS = 60 * 1000;
const IN_FLIGHT = 0;

export type StoredResponse = { status: number; body: unknown };
type Claim = { userId: number; key: string; route: string; requestHash: string };

/** Claims the key for this request, or returns the stored response of the first one. */
export async function claimIdempotencyKey(claim: Claim): Promise<StoredResponse | null> {
  try {
    return await claimOnce(claim);
  } catch (err) {
    // PostgreSQL: a concurrent twin inserted its placeholder between our read and our
    // insert, and the unique (userId, key) refused ours. Its row is committed now, so a
    // second look answers like any later duplicate (409 in progress, or its response).
    if (isUniqueViolation(err)) return claimOnce(claim);
    throw err;
  }
}

async function claimOnce(claim: Claim): Promise<StoredResponse | null> {
  const now = Date.now();
  return prisma.$transaction(async (tx) => {
    await tx.idempotencyRecord.deleteMany({
      where: {
        OR: [
          { createdAt: { lt: new Date(now - IDEMPOTENCY_TTL_MS) } },
          {
            userId: claim.userId,
            key: claim.key,
            statusCode: IN_FLIGHT,
            createdAt: { lt: new Date(now - STALE_PLACEHOLDER_MS) },
          },
        ],
      },
    });
    const existing = await tx.idempotencyRecord.findUnique({ where: { userId_key: { userId: claim.userId, key: claim.key } } });
    if (!existing) {
      await tx.idempotencyRecord.create({ data: { ...claim, statusCode: IN_FLIGHT, responseBody: "" } });
      return null;
    }
    if (existing.route !== claim.route || existing.requestHash !== claim.requestHash)
      throw new AppError(
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request; use a new key for a new request.",
      );
    if (existing.statusCode === IN_FLIGHT)
      throw new AppError(
        "idempotency_request_in_progress",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
      );
    return { status: existing.statusCode, body: existing.responseBody ? JSON.parse(existing.responseBody) : null };
  });
}

export async function storeIdempotentResponse(userId: number, key: string, response: StoredResponse): Promise<void> {
  await prisma.$transaction((tx) =>
    tx.idempotencyRecord.updateMany({
      where: { userId, key, statusCode: IN_FLIGHT },
      data: { statusCode: response.status, responseBody: response.body === undefined ? "" : JSON.stringify(response.body) },
    }),
  );
}

export async function releaseIdempotencyKey(userId: number, key: string): Promise<void> {
  await prisma.$transaction((tx) => tx.idempotencyRecord.deleteMany({ where: { userId, key, statusCode: IN_FLIGHT } }));
}

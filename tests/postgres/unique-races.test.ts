// The races SQLite's single write lock hides, made deterministic on PostgreSQL: a second
// session (standing in for another instance) inserts the same unique value and holds its
// transaction open until our request has read "no row yet" and is blocked inserting; then
// it commits, and our insert hits the unique index. The answer must be the domain's
// duplicate answer, never an unhandled error.
import { afterEach, describe, expect, it } from "vitest";
import pg from "pg";
import { prisma } from "@/lib/server/db";
import { createUser } from "@/lib/server/users";
import { claimIdempotencyKey } from "@/lib/server/idempotency";
import { hashPassword } from "@/lib/server/passwords";
import { seedUser, waitFor } from "../helpers/seed";

const sessions: pg.Client[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.end()));
});

/** A session with an open transaction that ran `sql`. */
async function openTransaction(sql: string, values: unknown[]): Promise<pg.Client> {
  const session = new pg.Client({ connectionString: process.env.DATABASE_URL });
  sessions.push(session);
  await session.connect();
  await session.query("BEGIN");
  await session.query(sql, values);
  return session;
}

/** Resolves once a backend of this database waits for a lock (our insert, blocked). */
async function waitForBlockedInsert() {
  // A session of its own: inside a transaction pg_stat_activity is a snapshot that never changes.
  const observer = new pg.Client({ connectionString: process.env.DATABASE_URL });
  sessions.push(observer);
  await observer.connect();
  await waitFor("an insert blocked on the unique index", async () => {
    const { rows } = await observer.query(
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    return rows.length > 0;
  });
}

describe("unique violations under real concurrency (PostgreSQL)", () => {
  it("createUser losing the race to the same email answers conflict", async () => {
    const email = `race-${Date.now()}@example.test`;
    const other = await openTransaction(`INSERT INTO "User" ("email", "passwordHash", "role") VALUES ($1, $2, 'member')`, [
      email,
      await hashPassword("another-password"),
    ]);
    const ours = createUser({ email, password: "long-enough-pw" }).then(
      () => "created",
      (err: unknown) => (err as { code?: string }).code ?? String(err),
    );
    await waitForBlockedInsert();
    await other.query("COMMIT");
    expect(await ours).toBe("conflict");
    expect(await prisma.user.count({ where: { email } })).toBe(1);
  });

  it("an Idempotency-Key claimed by a concurrent twin answers 'in progress'", async () => {
    const user = await seedUser();
    const claim = { userId: user.id, key: "twin-key", route: "POST /api/v1/snapshots/", requestHash: "h" };
    const other = await openTransaction(
      `INSERT INTO "IdempotencyRecord" ("userId", "key", "route", "requestHash", "statusCode", "responseBody") VALUES ($1, $2, $3, $4, 0, '')`,
      [claim.userId, claim.key, claim.route, claim.requestHash],
    );
    const ours = claimIdempotencyKey(claim).then(
      () => "claimed",
      (err: unknown) => (err as { code?: string }).code ?? String(err),
    );
    await waitForBlockedInsert();
    await other.query("COMMIT");
    expect(await ours).toBe("idempotency_request_in_progress");
  });
});

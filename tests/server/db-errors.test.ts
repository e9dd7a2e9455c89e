// A database that cannot be reached is "unavailable" (503 for requests, a job left to its
// lease) whichever query meets it: model queries and raw ones ($queryRaw, as databaseNow()
// uses), whose adapter error Prisma wraps as P2010.
import { afterAll, expect, it } from "vitest";
import { createPrismaClient } from "@/lib/server/db";
import { isDatabaseUnavailable } from "@/lib/server/db-errors";

// Port 1 on the loopback: nothing listens, the connection is refused at once.
const client = createPrismaClient("postgresql://postgres@127.0.0.1:1/postgres");
afterAll(() => client.$disconnect());

it("an unreachable PostgreSQL is unavailable for raw and model queries alike", async () => {
  const raw = await client.$queryRawUnsafe("SELECT 1").catch((err: unknown) => err);
  expect(isDatabaseUnavailable(raw)).toBe(true);
  const model = await client.user.count().catch((err: unknown) => err);
  expect(isDatabaseUnavailable(model)).toBe(true);
  expect(isDatabaseUnavailable(new Error("unique constraint failed"))).toBe(false);
});

// SQLite: a transaction that reads first and writes after another process committed must
// still commit. A deferred BEGIN fails that write at once with "database is locked" (the
// busy timeout does not apply to a stale read snapshot), as `server create` did beside a
// busy agent; lib/server/db.ts begins every transaction IMMEDIATE instead.
import Database from "better-sqlite3";
import { expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";

it("a read-then-write transaction commits although another connection wanted to write in between", async () => {
  await ensureDb();
  const other = new Database(process.env.DATABASE_URL!.replace(/^file:/, ""));
  other.pragma("busy_timeout = 0"); // better-sqlite3 is synchronous: waiting here would block this test
  let otherWrite = "not tried";
  try {
    await prisma.$transaction(async (tx) => {
      await tx.host.count(); // a read first
      try {
        other.prepare(`INSERT INTO "Host" ("name") VALUES ('other-process')`).run();
        otherWrite = "committed";
      } catch (err) {
        otherWrite = (err as { code?: string }).code ?? String(err);
      }
      await tx.host.create({ data: { name: "this-process" } });
    });
  } finally {
    other.close();
  }
  // The transaction held the write lock from its start: the other writer was told to wait.
  expect(otherWrite).toBe("SQLITE_BUSY");
  expect((await prisma.host.findMany({ orderBy: { name: "asc" } })).map((h) => h.name)).toEqual(["this-process"]);
});

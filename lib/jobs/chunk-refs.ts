// The chunk store's references in the database (Chunk and SnapshotChunk rows), the ChunkIndex
// of lib/disks/chunk-store.ts. Plain model queries, the same on SQLite and PostgreSQL; what
// orders a create against a garbage collection is a row lock both take on the Chunk row:
// - pin: lock the existing rows (an UPDATE), then insert the missing rows and the
//   references, in one transaction. SQLite runs write transactions one at a time; on
//   PostgreSQL the UPDATE waits for a collection holding the row and then no longer finds a
//   row it deleted, so the create writes that chunk again.
// - collect: lock the rows (the same UPDATE), then, in a new statement (READ COMMITTED sees
//   every reference committed by a pin that held the lock before), keep the unreferenced
//   ones, delete them and their blobs, commit. A pin that comes later waits for the commit.
// - a pin of chunks whose rows all exist (every chunk of an unchanged disk) is one INSERT of
//   references, ordered by the foreign key SnapshotChunk → Chunk (RESTRICT) instead
//   (pinStored). The key also backs up the rest: a row with a reference can never be
//   deleted, and a reference to a deleted row never inserted.
// - inherit: a create first references every chunk of the server's newest completed
//   snapshot in one INSERT … SELECT (held by the same foreign key), so an incremental
//   snapshot pins only what changed; the create drops the references it did not use
//   (unpin) before it commits.
import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/server/db";
import { isUniqueViolation } from "@/lib/server/db-errors";
import type { ChunkIndex } from "@/lib/disks/chunk-store";

/** Rows per statement: well under SQLite's bound-variable limit. */
const BATCH = 500;
/** Unlinks held inside one collecting transaction (its locks last that long). */
const COLLECT_BATCH = 200;
const TX = { maxWait: 20_000, timeout: 120_000 };

/** Distinct and sorted (two transactions lock shared rows in one order), in slices of `size`. */
function batches(items: string[], size: number): string[][] {
  items = [...new Set(items)].sort();
  const out: string[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A race lost to a concurrent pin or collect: a unique key (both inserted a chunk's row), a
 * foreign key (the row went), a PostgreSQL deadlock between two lock sets, or SQLite's
 * "database is locked" (a read on this process's one connection slipped into the
 * transaction before its first write, and another process wrote meanwhile). Retry.
 */
function isLostRace(err: unknown): boolean {
  if (isUniqueViolation(err)) return true;
  type Cause = { kind?: string; originalCode?: string; originalMessage?: string };
  const e = err as { code?: string; message?: string; cause?: Cause; meta?: { driverAdapterError?: { cause?: Cause } } } | null;
  // A raw statement's failure is P2010 with the driver's error inside.
  const cause = e?.meta?.driverAdapterError?.cause ?? e?.cause;
  return (
    e?.code === "P2003" ||
    e?.code === "P2034" ||
    cause?.kind === "UniqueConstraintViolation" ||
    cause?.kind === "ForeignKeyConstraintViolation" ||
    cause?.originalCode === "40P01" ||
    cause?.originalCode === "SQLITE_BUSY" ||
    /database is locked/.test(e?.message ?? "")
  );
}

/**
 * One multi-row INSERT of references (at most BATCH rows: 2 parameters each); with
 * `ignoreExisting`, references already there are left alone instead of failing it.
 */
const insertRefs = (snapshotId: number, hashes: string[], ignoreExisting = false) =>
  // eslint-disable-next-line no-restricted-syntax -- a lazy query, only ever an element of prisma.$transaction([…]) (pinStored, pinBatch)
  prisma.$executeRaw`INSERT INTO "SnapshotChunk" ("snapshotId", "hash") VALUES ${Prisma.join(hashes.map((h) => Prisma.sql`(${snapshotId}, ${h})`))}
    ${ignoreExisting ? Prisma.sql`ON CONFLICT ("snapshotId", "hash") DO NOTHING` : Prisma.empty}`;

/** Runs a transaction again when it lost a race (above); each attempt is all or nothing. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 20 || !isLostRace(err)) throw err;
    }
  }
}

/**
 * The common case, a chunk that is stored already: just insert the references. The foreign
 * key orders this against a collection on its own: its check locks each Chunk row (KEY
 * SHARE on PostgreSQL), so a collection's DELETE waits for this commit and then fails on
 * RESTRICT before it removes any blob; a row a collection already deleted fails the check
 * here, and pinBatch takes over. False when some row or reference was not as expected.
 */
async function pinStored(snapshotId: number, hashes: string[]): Promise<boolean> {
  try {
    await prisma.$transaction([insertRefs(snapshotId, hashes)]);
    return true;
  } catch (err) {
    if (isLostRace(err)) return false;
    throw err;
  }
}

/**
 * Locks the existing rows, inserts the missing ones and the references (see the top), as
 * three statements in one transaction: the UPDATE takes the row locks (and SQLite's write
 * lock) first; rows and references already there (another create's, a retry's, a store
 * taken over twice) are left alone by ON CONFLICT DO NOTHING.
 */
async function pinBatch(snapshotId: number | null, hashes: string[]): Promise<void> {
  const now = new Date();
  await prisma.$transaction([
    prisma.$executeRaw`UPDATE "Chunk" SET "touchedAt" = ${now} WHERE "hash" IN (${Prisma.join(hashes)})`,
    prisma.$executeRaw`INSERT INTO "Chunk" ("hash", "touchedAt") VALUES ${Prisma.join(hashes.map((h) => Prisma.sql`(${h}, ${now})`))}
        ON CONFLICT ("hash") DO NOTHING`,
    ...(snapshotId === null ? [] : [insertRefs(snapshotId, hashes, true)]),
  ]);
}

async function collectBatch(hashes: string[], remove: (hashes: string[]) => Promise<void>): Promise<number> {
  return prisma.$transaction(async (tx) => {
    await tx.chunk.updateMany({ where: { hash: { in: hashes } }, data: { touchedAt: new Date() } });
    const dead = (await tx.chunk.findMany({ where: { hash: { in: hashes }, refs: { none: {} } }, select: { hash: true } })).map(
      (r) => r.hash,
    );
    if (dead.length === 0) return 0;
    await tx.chunk.deleteMany({ where: { hash: { in: dead } } });
    // Before the commit: until then no pin can lock these rows, so no create can rely on
    // a chunk whose blob is being removed. A crash here rolls the rows back without their
    // blobs; the next create that pins one finds it missing and writes it again.
    await remove(dead);
    return dead.length;
  }, TX);
}

export const chunkRefs: ChunkIndex = {
  async pin(snapshotId, hashes, fresh = false) {
    // Stored chunks (the many pins of a create) take one statement; a create's new chunks
    // (one pin before it publishes them, per 500) take the full path at once.
    for (const batch of batches(hashes, BATCH))
      if (fresh || !(await pinStored(snapshotId, batch))) await retrying(() => pinBatch(snapshotId, batch));
  },

  async inherit(snapshotId, serverId) {
    // The newest completed snapshot's chunks are all stored (its manifest was committed
    // after them) and kept by its references, so copying those references pins them.
    return retrying(async () => {
      await prisma.$transaction([
        prisma.$executeRaw`INSERT INTO "SnapshotChunk" ("snapshotId", "hash")
          SELECT ${snapshotId}, sc."hash" FROM "SnapshotChunk" sc WHERE sc."snapshotId" = (
            SELECT sn."id" FROM "Snapshot" sn WHERE sn."serverId" = ${serverId} AND sn."status" = 'completed' AND sn."id" <> ${snapshotId}
            ORDER BY sn."createdAt" DESC, sn."id" DESC LIMIT 1)
          ON CONFLICT ("snapshotId", "hash") DO NOTHING`,
      ]);
      const rows = await prisma.snapshotChunk.findMany({ where: { snapshotId }, select: { hash: true } });
      return rows.map((r) => r.hash);
    });
  },

  async unpin(snapshotId, hashes) {
    for (const batch of batches(hashes, BATCH))
      await retrying(() =>
        prisma.$transaction([prisma.snapshotChunk.deleteMany({ where: { snapshotId, hash: { in: batch } } })]),
      );
  },

  async adopt(hashes) {
    for (const batch of batches(hashes, BATCH)) await retrying(() => pinBatch(null, batch));
  },

  async unknown(hashes) {
    const known = new Set<string>();
    for (const batch of batches(hashes, BATCH))
      for (const row of await prisma.chunk.findMany({ where: { hash: { in: batch } }, select: { hash: true } }))
        known.add(row.hash);
    return hashes.filter((h) => !known.has(h));
  },

  async release(snapshotId) {
    // Read before the transaction: on SQLite a transaction that reads before it writes can
    // fail at once (SQLITE_BUSY_SNAPSHOT) instead of waiting. Only the snapshot's own create
    // adds references to it, and never while it is being released.
    const rows = await prisma.snapshotChunk.findMany({ where: { snapshotId }, select: { hash: true } });
    await retrying(() => prisma.$transaction((tx) => tx.snapshotChunk.deleteMany({ where: { snapshotId } }), TX));
    return rows.map((r) => r.hash);
  },

  async collect(hashes, remove) {
    let removed = 0;
    if (hashes) {
      for (const batch of batches(hashes, COLLECT_BATCH)) removed += await retrying(() => collectBatch(batch, remove));
      return removed;
    }
    // Every unreferenced row, a batch at a time, walking the primary key once.
    let after = "";
    for (;;) {
      const rows = await prisma.chunk.findMany({
        where: { hash: { gt: after }, refs: { none: {} } },
        orderBy: { hash: "asc" },
        take: COLLECT_BATCH,
        select: { hash: true },
      });
      if (rows.length === 0) return removed;
      removed += await retrying(() =>
        collectBatch(
          rows.map((r) => r.hash),
          remove,
        ),
      );
      after = rows.at(-1)!.hash;
    }
  },

  async pinnedSnapshotIds() {
    const rows = await prisma.snapshotChunk.groupBy({ by: ["snapshotId"] });
    return rows.map((r) => r.snapshotId);
  },
};

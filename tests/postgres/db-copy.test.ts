// `npm run cli -- db copy` moves a SQLite installation to PostgreSQL: every row with its
// id, and the PostgreSQL sequences continue after the copied ids, so the app keeps
// working on the copy. The source is seeded the way the benchmark seeds its database.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createPrismaClient, prisma } from "@/lib/server/db";
import { createUser } from "@/lib/server/users";
import { createServer } from "@/lib/server/servers";
import { createSnapshot } from "@/lib/server/snapshots";
import { runOperation } from "@/lib/jobs/runner";
import { authenticateToken } from "@/lib/server/tokens";

const ROOT = path.resolve(__dirname, "../..");
const tsx = path.join(ROOT, "node_modules/.bin/tsx");
const cli = (...args: string[]) =>
  spawnSync(tsx, ["--conditions=react-server", "scripts/cli.ts", ...args], { cwd: ROOT, encoding: "utf8", env: process.env });

describe("npm run cli -- db copy", () => {
  it("copies a SQLite installation into an empty PostgreSQL database, which then works", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "snapdeck-copy-"));
    const source = `file:${path.join(dir, "app.db")}`;
    const seeded = JSON.parse(
      execFileSync(tsx, ["--conditions=react-server", "bench/seed-db.ts", "12", "1000"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, DATA_DIR: dir, DATABASE_URL: source },
      }),
    ) as { token: string; userId: number };
    const target = process.env.DATABASE_URL!; // this file's (migrated, empty) PostgreSQL database
    // Chunk references of the store, more than one batch, many rows per snapshot id.
    const hashes = Array.from({ length: 700 }, (_, i) => i.toString(16).padStart(64, "0"));
    const seedRefs = createPrismaClient(source);
    await seedRefs.$transaction(async (tx) => {
      await tx.chunk.createMany({ data: hashes.map((hash) => ({ hash })) });
      for (const snapshotId of [1, 2, 3])
        await tx.snapshotChunk.createMany({ data: hashes.map((hash) => ({ snapshotId, hash })) });
    });
    await seedRefs.$disconnect();

    const run = cli("db", "copy", "--from", source, "--to", target);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split("\n").pop()).toMatch(/^copied \d+ rows$/);

    const from = createPrismaClient(source);
    try {
      // snapshotLabel: 1,510 rows keyed (snapshotId, key), so a batch of 1,000 ends inside a snapshot's labels.
      for (const model of [
        "user",
        "apiToken",
        "server",
        "snapshot",
        "snapshotLabel",
        "operation",
        "auditEvent",
        "chunk",
        "snapshotChunk",
      ] as const) {
        const delegate = (c: unknown) => (c as Record<string, { count(): Promise<number> }>)[model]!;
        expect(await delegate(prisma).count(), model).toBe(await delegate(from).count());
      }
      const order = { orderBy: { id: "asc" as const } };
      expect(await prisma.snapshot.findMany(order)).toEqual(await from.snapshot.findMany(order));
      expect(await prisma.user.findMany(order)).toEqual(await from.user.findMany(order));
      expect(await prisma.snapshotChunk.count()).toBe(2100);
      const labelOrder = { orderBy: [{ snapshotId: "asc" as const }, { key: "asc" as const }] };
      expect(await prisma.snapshotLabel.findMany(labelOrder)).toEqual(await from.snapshotLabel.findMany(labelOrder));
    } finally {
      await from.$disconnect();
    }

    // The copy is a working installation: old tokens authenticate; new rows get new ids.
    expect((await authenticateToken(seeded.token, null))?.userId).toBe(seeded.userId);
    const user = await createUser({ email: "after-copy@example.test", password: "long-enough-pw" });
    const server = await createServer(user.id, { name: "after-copy", status: "stopped", disk_mb: 8 });
    await runOperation(server.operationId); // its disk, as the local agent would make it
    const snapshot = await createSnapshot(
      { userId: user.id, email: user.email, role: "member", scope: "session", tokenId: null, ip: null },
      { server_id: server.id, name: "new" },
    );
    expect(server.id).toBeGreaterThan(12);
    expect(snapshot.id).toBeGreaterThan(1000);

    // A second copy into the now non-empty database is refused, changing nothing.
    const again = cli("db", "copy", "--from", source, "--to", target);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not empty/);
  });
});

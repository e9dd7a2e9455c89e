// Two worker processes with their own DATA_DIR (two hosts' disks) on one shared store
// directory and one database, with no lock file between them: snapshots are deleted while
// new snapshots of the same content (sharing every chunk with them) are taken. Afterwards
// every surviving snapshot restores byte for byte, and once garbage is collected the store
// holds exactly the chunks the surviving snapshots reference.
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { createSnapshot, deleteSnapshot } from "@/lib/server/snapshots";
import { getDiskDriver } from "@/lib/disks/get-driver";
import { sweepStore } from "@/lib/jobs/recovery";
import type { Actor } from "@/lib/server/actor";
import { findFiles, hashFile, MIB, scribble, tempFiles } from "../disks/helpers";
import {
  claimedOperations,
  operationOf,
  seedActor,
  seedServer,
  waitFor,
  waitForOperationEnd,
  workerProcessesPerTest,
} from "./helpers";

const hostA = process.env.DATA_DIR!;
const hostB = path.join(hostA, "host-b");
const shared = path.join(hostA, "shared-store");
const start = workerProcessesPerTest();
let actor: Actor;

beforeAll(async () => {
  process.env.SNAPDECK_STORE_DIR = shared; // this process's driver (seeding, checks, GC) too
  process.env.SNAPDECK_SNAPSHOT_LIMIT = "20";
  await ensureDb();
  actor = await seedActor();
});
afterAll(() => {
  delete process.env.SNAPDECK_STORE_DIR;
  delete process.env.SNAPDECK_SNAPSHOT_LIMIT;
});

/** Runs a create on whichever worker claims it; resolves with the snapshot id once completed. */
async function snapshotOf(serverId: number, name: string): Promise<number> {
  const snap = await createSnapshot(actor, { server_id: serverId, name });
  const op = await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id, 60_000);
  expect(op, `create ${name}`).toMatchObject({ status: "completed", errorCode: null });
  return snap.id;
}

describe("a shared store, two worker processes, no lock file", () => {
  it("deletes on one side while the other creates snapshots sharing their chunks; survivors restore byte-exact; GC leaves no garbage", async () => {
    // Three servers of the same demo content; the third also has data of its own, which
    // must be gone from the store once all its snapshots are deleted.
    const servers: Awaited<ReturnType<typeof seedServer>>[] = [];
    for (let i = 0; i < 3; i++) servers.push(await seedServer(actor, { diskMb: 12, contentMb: 8 }));
    await scribble(getDiskDriver().diskPath(servers[2]!.id), 9 * MIB, MIB);
    // Host B holds the same disks (any worker may run any operation; both see the same bytes).
    await fs.mkdir(path.join(hostB, "disks"), { recursive: true });
    const expected = new Map<number, string>();
    for (const s of servers) {
      await fs.copyFile(getDiskDriver().diskPath(s.id), path.join(hostB, "disks", `${s.id}.img`));
      expected.set(s.id, await hashFile(getDiskDriver().diskPath(s.id)));
    }
    const slow = { SNAPDECK_STORE_DIR: shared, SNAPDECK_DISK_THROUGHPUT_MBPS: "24" }; // ~0.5 s per create
    const a = start(slow);
    const b = start({ ...slow, DATA_DIR: hostB });

    let latest = await Promise.all(servers.map((s) => snapshotOf(s.id, "round-0")));
    const snapshotServer = new Map(latest.map((id, i) => [id, servers[i]!.id]));
    for (let round = 1; round <= 4; round++) {
      // Each server's next snapshot is queued, then its previous one deleted while the next
      // is being taken. (No polling meanwhile: this process has one SQLite connection, and a
      // read on it would join the delete's transaction.)
      const next: { id: number }[] = [];
      for (const s of servers) next.push(await createSnapshot(actor, { server_id: s.id, name: `round-${round}` }));
      for (const id of latest) await deleteSnapshot(actor, id);
      for (const [i, snap] of next.entries()) {
        const op = await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id, 60_000);
        expect(op, `create round-${round}`).toMatchObject({ status: "completed", errorCode: null });
        snapshotServer.set(snap.id, servers[i]!.id);
      }
      latest = next.map((snap) => snap.id);
    }
    await deleteSnapshot(actor, latest[2]!); // the third server keeps nothing
    await waitFor("every deletion to be done", async () => (await prisma.pendingDeletion.count()) === 0, 60_000);
    expect(claimedOperations(a).length).toBeGreaterThan(0);
    expect(claimedOperations(b).length).toBeGreaterThan(0);

    // Garbage collection by a third process (this one), then: survivors restore byte-exact.
    await sweepStore(getDiskDriver());
    const survivors = latest.slice(0, 2);
    expect(
      (await prisma.snapshot.findMany({ where: { status: "completed" }, select: { id: true } })).map((r) => r.id).sort(),
    ).toEqual([...survivors].sort());
    for (const id of survivors) {
      const target = 90_000 + id; // a fresh disk path on this host
      await getDiskDriver().restoreSnapshot({ serverId: target, snapshotId: id, onProgress: () => {} });
      expect(await hashFile(getDiskDriver().diskPath(target)), `snapshot ${id}`).toBe(expected.get(snapshotServer.get(id)!));
    }

    // The store holds exactly the survivors' chunks: files, rows and references agree.
    const referenced = new Set<string>();
    for (const id of survivors) {
      const manifest = JSON.parse(await fs.readFile(path.join(shared, "manifests", `${id}.json`), "utf8")) as {
        chunks: (string | null)[];
      };
      for (const h of manifest.chunks) if (h) referenced.add(h);
    }
    const files = (await findFiles(path.join(shared, "chunks"), () => true)).map((f) => path.basename(f));
    expect(files.sort()).toEqual([...referenced].sort());
    expect((await prisma.chunk.findMany({ select: { hash: true } })).map((r) => r.hash).sort()).toEqual([...referenced].sort());
    expect((await prisma.snapshotChunk.groupBy({ by: ["snapshotId"] })).map((r) => r.snapshotId).sort()).toEqual(
      [...survivors].sort(),
    );
    expect(await fs.readdir(path.join(shared, "manifests"))).toHaveLength(2);
    expect(await tempFiles(shared)).toEqual([]);
  });
});

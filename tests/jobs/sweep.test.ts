// The startup sweep while other processes create snapshots: it lists the store first and
// reads the rows after, so a snapshot created at any moment of the sweep keeps its data,
// while data of deleted or failed snapshots is queued for removal.
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { createSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { getDiskDriver } from "@/lib/disks/get-driver";
import type { DiskDriver } from "@/lib/disks/driver";
import { startWorker } from "@/lib/jobs/runner";
import { sweepStore } from "@/lib/jobs/recovery";
import type { Actor } from "@/lib/server/actor";
import { hashFile, scribble } from "../disks/helpers";
import { operationOf, seedActor, seedServer, waitForOperationEnd } from "./helpers";

let actor: Actor;
beforeAll(async () => {
  await ensureDb();
  actor = await seedActor();
});

const noProgress = () => {};

describe("startup sweep", () => {
  it("keeps a snapshot created right after the store was listed, and queues real orphans", async () => {
    const driver = getDiskDriver();
    const server = await seedServer(actor, { diskMb: 6, contentMb: 4 });
    await driver.createSnapshot({ serverId: server.id, snapshotId: 900_001, onProgress: noProgress }); // data, no row: an orphan
    let created: number | null = null;
    const racing: DiskDriver = {
      ...driver,
      async storedSnapshotIds() {
        const ids = await driver.storedSnapshotIds();
        // Another process creates a snapshot between the listing and the reading of rows.
        const snap = await createSnapshot(actor, { server_id: server.id, name: "racing" });
        await driver.createSnapshot({ serverId: server.id, snapshotId: snap.id, onProgress: noProgress });
        created = snap.id;
        return ids;
      },
    };
    await sweepStore(racing);
    expect(created).not.toBeNull();
    expect(await prisma.pendingDeletion.findMany({ select: { snapshotId: true } })).toEqual([{ snapshotId: 900_001 }]);
    // The create's stored data survived the sweep's garbage collection too.
    expect(await driver.storedSnapshotIds()).toContain(created);
  });

  it("never costs a concurrently created snapshot its data (sweeps racing real creates)", async () => {
    const server = await seedServer(actor, { diskMb: 8, contentMb: 6 });
    const disk = getDiskDriver().diskPath(server.id);
    const worker = startWorker({ pollMs: 20 });
    let sweeping = true;
    const sweeps = (async () => {
      let n = 0;
      while (sweeping) {
        await sweepStore(getDiskDriver());
        n++;
      }
      return n;
    })();
    try {
      for (let round = 0; round < 3; round++) {
        const expected = await hashFile(disk);
        const snap = await createSnapshot(actor, { server_id: server.id, name: `round-${round}` });
        expect(await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id, 60_000)).toMatchObject({
          status: "completed",
          errorCode: null,
        });
        await scribble(disk, 0, 4096);
        await restoreSnapshot(actor, snap.id);
        expect(await waitForOperationEnd((await operationOf(snap.id, "snapshot_restore")).id, 60_000)).toMatchObject({
          status: "completed",
          errorCode: null,
        });
        expect(await hashFile(disk)).toBe(expected);
        await scribble(disk, 2 * 1024 * 1024, 4096); // the next round captures new content
      }
    } finally {
      sweeping = false;
      expect(await sweeps).toBeGreaterThan(0);
      await worker.stop();
    }
  });
});

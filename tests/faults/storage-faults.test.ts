// Real storage faults, not mocks: the snapshot store and the disks directory are small
// tmpfs mounts, filled up or remounted read-only while real operations run. Whatever the
// fault, an operation fails with a stable code and a clean sentence, releases its server,
// leaves no lock or temp file, and the system recovers by itself once the fault is gone.
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { createSnapshot, deleteSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { getSnapshot } from "@/lib/server/snapshot-reads";
import { getServer } from "@/lib/server/servers";
import { serializeServer, serializeSnapshot } from "@/lib/api/serialize";
import { checkHealth } from "@/lib/server/health";
import { runOperation, startWorker } from "@/lib/jobs/runner";
import { getDiskDriver } from "@/lib/disks/get-driver";
import { createLocalDriver } from "@/lib/disks/local";
import { chunkRefs } from "@/lib/jobs/chunk-refs";
import { createServer } from "@/lib/server/servers";
import type { Actor } from "@/lib/server/actor";
import { findFiles, hashFile, scribble, MIB } from "../disks/helpers";
import { operationOf, waitFor, waitForOperationEnd } from "../jobs/helpers";
import { seedUser, type SeededUser } from "../helpers/seed";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { createApi } from "../helpers/api-client";
import { fillUp, mountTmpfs, remount, requireRoot, unmount } from "../helpers/mounts";

const dataDir = process.env.DATA_DIR!;
const storeDir = path.join(dataDir, "snapshots");
const disksDir = path.join(dataDir, "disks");
let actor: Actor;
let user: SeededUser;
let app: AppServer | null = null;
let worker: { stop(): Promise<unknown> } | null = null;
const servers: Record<"small" | "big" | "mid", number> = { small: 0, big: 0, mid: 0 };

async function seed(name: string, diskMb: number, randomMb: number) {
  const server = await createServer(actor.userId, { name, status: "stopped", disk_mb: diskMb });
  await runOperation(server.operationId); // its disk, as the local agent would make it
  await scribble(getDiskDriver().diskPath(server.id), 0, randomMb * MIB); // incompressible
  return server.id;
}

async function runCreate(serverId: number, name: string) {
  const snap = await createSnapshot(actor, { server_id: serverId, name });
  return { snap, op: await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id, 60_000) };
}

async function runRestore(snapshotId: number) {
  await restoreSnapshot(actor, snapshotId);
  return waitForOperationEnd((await operationOf(snapshotId, "snapshot_restore")).id, 60_000);
}

/** Nothing a tenant sees may carry a path or an errno. */
function expectClean(text: string | null | undefined) {
  expect(text).toBeTruthy();
  expect(text).not.toMatch(/\/|E[A-Z]{3,}|errno|syscall/);
}

async function expectNoLeftovers() {
  expect(await findFiles(storeDir, (n) => n.endsWith(".tmp"))).toEqual([]);
  expect(await findFiles(disksDir, (n) => n.endsWith(".tmp"))).toEqual([]);
}

beforeAll(async () => {
  requireRoot();
  await mountTmpfs(storeDir, 32);
  await mountTmpfs(disksDir, 30);
  await ensureDb();
  user = await seedUser();
  actor = { userId: user.id, email: user.email, role: "member", scope: "session", tokenId: null, ip: null };
  servers.small = await seed("small", 4, 2);
  servers.big = await seed("big", 16, 12);
  servers.mid = await seed("mid", 16, 10); // 24 MiB of the disks tmpfs used
  worker = startWorker({ pollMs: 50 });
});

afterAll(async () => {
  await app?.stop();
  await worker?.stop();
  for (const dir of [storeDir, disksDir]) unmount(dir);
});

describe("storage faults (tmpfs)", () => {
  it("full store: the create fails cleanly, other operations go on, and freeing space is all it takes", async () => {
    const { snap: small } = await runCreate(servers.small, "small-1");
    const filler = await fillUp(storeDir);

    // The worker's heartbeat probes the store; the web tier only reads what it reported.
    const health = await waitFor(
      "health to report the full store",
      async () => {
        const h = await checkHealth();
        return h.store === "down" && h;
      },
      15_000,
    );
    expect(health).toMatchObject({ status: "unavailable", store: "down" });
    expect(health.reason).toMatch(/store.*storage_full/);
    expectClean(health.reason);

    const { snap, op } = await runCreate(servers.big, "big-when-full");
    expect(op).toMatchObject({ status: "failed", errorCode: "storage_full" });
    expectClean(op.error);
    expect(serializeSnapshot(await getSnapshot(actor, snap.id))).toMatchObject({
      status: "failed",
      error_code: "storage_full",
      error: op.error,
    });
    const server = serializeServer(await getServer(actor, servers.big));
    expect(server.operation).toBeNull(); // released
    expect(server.last_operation).toMatchObject({
      kind: "snapshot_create",
      status: "failed",
      error_code: "storage_full",
      snapshot: { id: snap.id, name: "big-when-full" },
    });
    expect(server.last_operation?.finished_at).toBeTruthy();
    await waitFor("the failed snapshot's data to be removed", async () => (await prisma.pendingDeletion.count()) === 0, 30_000);
    await expectNoLeftovers();

    // Reading from a full store still works: a restore is not stuck behind the fault.
    const smallDisk = getDiskDriver().diskPath(servers.small);
    const smallHash = await hashFile(smallDisk);
    await scribble(smallDisk, 0, 4096);
    expect(await runRestore(small.id)).toMatchObject({ status: "completed" });
    expect(await hashFile(smallDisk)).toBe(smallHash);

    await fs.unlink(filler); // the operator frees space; nothing else
    await waitFor("health to see a writable store", async () => (await checkHealth()).store === "ok", 10_000);
    const { snap: retry, op: retryOp } = await runCreate(servers.big, "big-after-freeing");
    expect(retryOp).toMatchObject({ status: "completed", errorCode: null, error: null });
    expect(serializeServer(await getServer(actor, servers.big)).last_operation).toMatchObject({
      status: "completed",
      error: null,
      snapshot: { id: retry.id },
    });
    await expectNoLeftovers();
  });

  it("full disks directory: a failed restore says so and leaves the disk and the server as they were", async () => {
    const { snap } = await runCreate(servers.mid, "mid-1");
    const disk = getDiskDriver().diskPath(servers.mid);
    const before = await hashFile(disk);
    const op = await runRestore(snap.id); // needs 10 MiB more on a tmpfs with 6 MiB free
    expect(op).toMatchObject({ status: "failed", errorCode: "storage_full" });
    expectClean(op.error);
    expect(op.error).toMatch(/restore.*disk was left unchanged/);
    expect(await hashFile(disk)).toBe(before);
    const server = serializeServer(await getServer(actor, servers.mid));
    expect(server).toMatchObject({ status: "stopped", operation: null });
    expect(server.last_operation).toMatchObject({
      kind: "snapshot_restore",
      status: "failed",
      error_code: "storage_full",
      snapshot: { id: snap.id },
    });
    await expectNoLeftovers();
  });

  it("read-only store: DELETE answers at once, creates fail cleanly, and the data goes once the store is writable", async () => {
    const { snap: old } = await runCreate(servers.small, "small-old");
    const { snap: keep } = await runCreate(servers.small, "small-keep");
    const manifest = path.join(storeDir, "manifests", `${old.id}.json`);
    remount(storeDir, "ro");
    try {
      await deleteSnapshot(actor, old.id); // no store I/O in the request: it cannot fail on the store
      await expect(getSnapshot(actor, old.id)).rejects.toMatchObject({ code: "not_found" });
      await waitFor(
        "a failed removal attempt",
        async () => (await prisma.pendingDeletion.findUnique({ where: { snapshotId: old.id } }))?.attempts,
      );
      await fs.access(manifest); // still there, and still tracked
      expect(await prisma.pendingDeletion.findUnique({ where: { snapshotId: old.id } })).toMatchObject({
        lastError: "storage_read_only",
      });

      const { op } = await runCreate(servers.small, "small-when-ro");
      expect(op).toMatchObject({ status: "failed", errorCode: "storage_read_only" });
      expectClean(op.error);
      expect((await getServer(actor, servers.small)).operation).toBeNull();
      await waitFor("health to report the store", async () => (await checkHealth()).store === "down", 10_000);

      expect(await runRestore(keep.id)).toMatchObject({ status: "completed" }); // reads still work
    } finally {
      remount(storeDir, "rw");
    }
    await waitFor(
      "the deleted snapshot's data to go",
      async () =>
        (await prisma.pendingDeletion.count()) === 0 &&
        !(await fs.access(manifest).then(
          () => true,
          () => false,
        )),
      60_000,
    );
    const { op } = await runCreate(servers.small, "small-after-rw");
    expect(op).toMatchObject({ status: "completed" });
    await expectNoLeftovers();
  });

  it("the local driver closes the disk when the store cannot take a chunk (out of inodes)", async () => {
    const root = path.join(dataDir, "leak");
    const driver = createLocalDriver({ dataDir: root, throughputMbps: 0, chunkIndex: chunkRefs });
    await driver.createDisk(1, 4);
    await scribble(driver.diskPath(1), 0, 64 * 1024);
    await driver.createSnapshot({ serverId: 1, snapshotId: 900_001, onProgress: () => {} }); // creates the store's directories
    await driver.deleteSnapshot(900_001);
    const chunks = path.join(root, "snapshots", "chunks");
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,nr_inodes=1", "tmpfs", chunks]); // no inode left for a chunk
    const openOnDisk = async () => {
      const fds = await fs.readdir("/proc/self/fd");
      const targets = await Promise.all(fds.map((fd) => fs.readlink(`/proc/self/fd/${fd}`).catch(() => "")));
      return targets.filter((t) => t === driver.diskPath(1)).length;
    };
    try {
      for (let i = 0; i < 3; i++)
        await expect(driver.createSnapshot({ serverId: 1, snapshotId: 900_002, onProgress: () => {} })).rejects.toMatchObject({
          code: "ENOSPC",
        });
      expect(await openOnDisk()).toBe(0);
    } finally {
      unmount(chunks);
    }
  });

  it("over HTTP: /api/health says 503 store while the store is read-only, and DELETE still answers 204 at once", async () => {
    app = await startAppServer(); // the in-process worker above keeps the heartbeat fresh
    const api = createApi(app.url);
    await waitFor("a healthy start", async () => (await fetch(`${app!.url}/api/health`)).status === 200, 20_000);
    const { snap } = await runCreate(servers.small, "http-delete");
    remount(storeDir, "ro");
    try {
      const health = await waitFor(
        "503",
        async () => {
          const res = await fetch(`${app!.url}/api/health`);
          return res.status === 503 ? ((await res.json()) as { store: string; reason: string }) : null;
        },
        10_000,
      );
      expect(health.store).toBe("down");
      expect(health.reason).toBe("store: cannot be written (storage_read_only)");
      const res = await api("DELETE", `/api/v1/snapshots/${snap.id}/`, { token: user.write });
      expect(res.status).toBe(204);
      expect((await api("GET", `/api/v1/snapshots/${snap.id}/`, { token: user.read })).status).toBe(404);
    } finally {
      remount(storeDir, "rw");
    }
    await waitFor("health again", async () => (await fetch(`${app!.url}/api/health`)).status === 200, 10_000);
    await waitFor("the data to go", async () => !(await getDiskDriver().storedSnapshotIds()).includes(snap.id), 60_000);
  });
});

// Snapdeck on an S3 store (a real Ceph RADOS Gateway, tests/helpers/s3.ts), end to end with
// real agent processes: two agents on different hosts share one bucket; the gateway killed
// in the middle of a snapshot fails it with storage_unavailable and nothing half-published;
// wrong credentials show in health, naming the store, with no secret in any log; and
// `store copy` moves a filesystem store's snapshots into a bucket, twice.
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { createSnapshot, deleteSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { getDiskDriver } from "@/lib/disks/get-driver";
import { getBlobStore } from "@/lib/disks/stores";
import { sweepStore } from "@/lib/jobs/recovery";
import { runOperation } from "@/lib/jobs/runner";
import { checkHealth } from "@/lib/server/health";
import type { Actor } from "@/lib/server/actor";
import { hashFile, MIB, scribble } from "../disks/helpers";
import {
  claimedOperations,
  operationOf,
  seedActor,
  seedServer,
  waitFor,
  waitForOperationEnd,
  workerProcessesPerTest,
} from "../jobs/helpers";
import { gatewayKill, gatewayStart, newBucket, s3Env, s3SkipReason, testSecretKey, applyS3Store } from "../helpers/s3";

const skip = await s3SkipReason("tests/s3/s3-fleet.test.ts");
const start = workerProcessesPerTest();
let actor: Actor;
let bucket: string;
let url: string;
let undo: () => void;

beforeAll(async () => {
  if (skip) return;
  bucket = await newBucket("fleet");
  url = `s3://${bucket}/fleet`;
  undo = applyS3Store(url);
  process.env.SNAPDECK_SNAPSHOT_LIMIT = "20";
  await ensureDb();
  actor = await seedActor();
});
afterAll(() => {
  undo?.();
  delete process.env.SNAPDECK_SNAPSHOT_LIMIT;
});

async function snapshotOf(serverId: number, name: string, timeoutMs = 60_000) {
  const snap = await createSnapshot(actor, { server_id: serverId, name });
  const op = await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id, timeoutMs);
  return { id: snap.id, op };
}

/** Restores the snapshot in this process onto a new disk path; returns the disk's SHA-256. */
async function restoredHash(snapshotId: number): Promise<string> {
  const target = 90_000 + snapshotId;
  await getDiskDriver().restoreSnapshot({ serverId: target, snapshotId, onProgress: () => {} });
  return hashFile(getDiskDriver().diskPath(target));
}

/** Hashes of the chunks the given snapshots' manifests name. */
async function referencedBy(ids: number[]): Promise<string[]> {
  const hashes = new Set<string>();
  for (const id of ids) {
    const manifest = JSON.parse(String(await getBlobStore().get(`manifests/${id}.json`))) as { chunks: (string | null)[] };
    for (const h of manifest.chunks) if (h) hashes.add(h);
  }
  return [...hashes].sort();
}

const storedChunks = async () => (await getBlobStore().list("chunks/")).map((k) => k.slice(-64)).sort();

describe.skipIf(skip)("Snapdeck on an S3 store", () => {
  it("two agents on two hosts share one bucket: snapshots while others are deleted; survivors restore byte-exact; nothing left over", async () => {
    const hostB = path.join(process.env.DATA_DIR!, "host-b");
    const servers = [
      await seedServer(actor, { diskMb: 12, contentMb: 8 }),
      await seedServer(actor, { diskMb: 12, contentMb: 8 }),
    ];
    await scribble(getDiskDriver().diskPath(servers[1]!.id), 9 * MIB, MIB);
    await fs.mkdir(path.join(hostB, "disks"), { recursive: true });
    const expected = new Map<number, string>();
    for (const s of servers) {
      await fs.copyFile(getDiskDriver().diskPath(s.id), path.join(hostB, "disks", `${s.id}.img`));
      expected.set(s.id, await hashFile(getDiskDriver().diskPath(s.id)));
    }
    // One operation at a time each, so both agents take some.
    const slow = { ...s3Env(url), SNAPDECK_DISK_THROUGHPUT_MBPS: "24", SNAPDECK_WORKER_CONCURRENCY: "1" };
    const a = start(slow);
    const b = start({ ...slow, DATA_DIR: hostB });

    const serverOf = new Map<number, number>();
    let latest: number[] = [];
    for (const s of servers) {
      const { id, op } = await snapshotOf(s.id, "round-0");
      expect(op).toMatchObject({ status: "completed", errorCode: null });
      latest.push(id);
      serverOf.set(id, s.id);
    }
    for (let round = 1; round <= 3; round++) {
      const next: number[] = [];
      for (const s of servers) next.push((await createSnapshot(actor, { server_id: s.id, name: `round-${round}` })).id);
      for (const id of latest) await deleteSnapshot(actor, id);
      for (const [i, id] of next.entries()) {
        const op = await waitForOperationEnd((await operationOf(id, "snapshot_create")).id, 60_000);
        expect(op, `create round-${round}`).toMatchObject({ status: "completed", errorCode: null });
        serverOf.set(id, servers[i]!.id);
      }
      latest = next;
    }
    await waitFor("every deletion to be done", async () => (await prisma.pendingDeletion.count()) === 0, 60_000);
    expect(claimedOperations(a).length).toBeGreaterThan(0);
    expect(claimedOperations(b).length).toBeGreaterThan(0);

    await sweepStore(getDiskDriver());
    for (const id of latest) expect(await restoredHash(id), `snapshot ${id}`).toBe(expected.get(serverOf.get(id)!));
    // The bucket holds exactly the survivors' chunks and manifests, and the rows agree.
    const referenced = await referencedBy(latest);
    expect(await storedChunks()).toEqual(referenced);
    expect((await prisma.chunk.findMany({ select: { hash: true } })).map((r) => r.hash).sort()).toEqual(referenced);
    expect((await getBlobStore().list("manifests/")).sort()).toEqual(latest.map((id) => `manifests/${id}.json`).sort());
  });

  it("the gateway killed mid-snapshot: storage_unavailable within seconds, the server released, nothing published; fine once it is back", async () => {
    const server = await seedServer(actor, { diskMb: 64, contentMb: 40 });
    const disk = await hashFile(getDiskDriver().diskPath(server.id));
    const agent = start({ ...s3Env(url), SNAPDECK_DISK_THROUGHPUT_MBPS: "8" }); // ~5 s for 40 MB
    const snap = await createSnapshot(actor, { server_id: server.id, name: "cut-off" });
    const opId = (await operationOf(snap.id, "snapshot_create")).id;
    await waitFor("the snapshot to be under way", async () => {
      const op = await prisma.operation.findUniqueOrThrow({ where: { id: opId } });
      return op.status === "running" && op.progress >= 10;
    });
    let failedAfterMs = 0;
    try {
      gatewayKill();
      const killedAt = Date.now();
      const op = await waitForOperationEnd(opId, 60_000);
      failedAfterMs = Date.now() - killedAt;
      expect(op).toMatchObject({ status: "failed", errorCode: "storage_unavailable" });
      expect(op.error).toMatch(/snapshot store could not be reached/);
      expect(await prisma.snapshot.findUniqueOrThrow({ where: { id: snap.id } })).toMatchObject({ status: "failed" });
      // Released: once the store is back, the server takes the next snapshot.
      gatewayStart();
      const next = await createSnapshot(actor, { server_id: server.id, name: "after" });
      const after = await waitForOperationEnd((await operationOf(next.id, "snapshot_create")).id, 60_000);
      expect(after).toMatchObject({ status: "completed", errorCode: null });
      expect(await restoredHash(next.id)).toBe(disk);
      // Nothing of the failed snapshot was published, and its chunks go with the sweep.
      expect(await getBlobStore().size(`manifests/${snap.id}.json`)).toBeNull();
      expect(await prisma.snapshotChunk.count({ where: { snapshotId: snap.id } })).toBe(0);
      await sweepStore(getDiskDriver());
      const live = (await prisma.snapshot.findMany({ where: { status: "completed" }, select: { id: true } })).map((s) => s.id);
      expect(await storedChunks()).toEqual(await referencedBy(live));
    } finally {
      gatewayStart(); // idempotent: the other tests need it
    }
    console.log(`gateway killed mid-snapshot: the operation failed ${failedAfterMs} ms later`);
    expect(failedAfterMs).toBeLessThan(30_000); // "within seconds": a generous ceiling, not a benchmark
    expect(agent.output()).not.toContain(testSecretKey());
  });

  it("the gateway killed mid-restore: storage_unavailable, the disk exactly as it was", async () => {
    const server = await seedServer(actor, { diskMb: 64, contentMb: 40 });
    start({ ...s3Env(url), SNAPDECK_DISK_THROUGHPUT_MBPS: "8" }); // ~5 s for 40 MB
    const snap = await snapshotOf(server.id, "to-restore");
    expect(snap.op).toMatchObject({ status: "completed" });
    await scribble(getDiskDriver().diskPath(server.id), 0, 4 * MIB);
    const before = await hashFile(getDiskDriver().diskPath(server.id));
    await restoreSnapshot(actor, snap.id);
    const opId = (await operationOf(snap.id, "snapshot_restore")).id;
    await waitFor("the restore to be under way", async () => {
      const op = await prisma.operation.findUniqueOrThrow({ where: { id: opId } });
      return op.status === "running" && op.progress >= 10;
    });
    try {
      gatewayKill();
      const op = await waitForOperationEnd(opId, 60_000);
      expect(op).toMatchObject({ status: "failed", errorCode: "storage_unavailable" });
      expect(await hashFile(getDiskDriver().diskPath(server.id))).toBe(before);
    } finally {
      gatewayStart();
    }
  });

  it.each([
    [
      "wrong credentials",
      (u: string) => s3Env(u, "wrong-secret-" + "x".repeat(28)),
      /SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied/,
    ],
    ["a missing bucket", (u: string) => s3Env(u.replace(bucket, `${bucket}-missing`)), /NoSuchBucket/],
  ])(
    "%s: the agent reports the store down, health names it, a snapshot fails cleanly; no secret in any log",
    async (_, env, error) => {
      const server = await seedServer(actor, { diskMb: 8, contentMb: 4 });
      const agentEnv = env(url);
      const agent = start(agentEnv);
      await waitFor("the agent's heartbeat to report the store", async () =>
        prisma.workerHeartbeat.findFirst({ where: { storeFault: "storage_unavailable" } }),
      );
      process.env.SNAPDECK_STORE_URL = agentEnv.SNAPDECK_STORE_URL; // health names the store as configured
      const health = await checkHealth();
      process.env.SNAPDECK_STORE_URL = url;
      expect(health).toMatchObject({ status: "unavailable", store: "down" });
      expect(health.reason).toContain(`store ${agentEnv.SNAPDECK_STORE_URL}: cannot be written (storage_unavailable)`);
      const { op } = await snapshotOf(server.id, "refused");
      expect(op).toMatchObject({ status: "failed", errorCode: "storage_unavailable" });
      expect(agent.output()).toMatch(error);
      for (const secret of [agentEnv.AWS_SECRET_ACCESS_KEY!, testSecretKey()]) {
        expect(agent.output()).not.toContain(secret);
        expect(JSON.stringify(health)).not.toContain(secret);
      }
      await prisma.workerHeartbeat.deleteMany(); // the next case waits for its own agent's report
    },
  );

  it("store copy: a filesystem store's snapshots move into a bucket, checked; a second run copies nothing new; the copy restores byte-exact", async () => {
    const fsStore = `file://${path.join(process.env.DATA_DIR!, "old-store")}`;
    const target = `s3://${bucket}/copied`;
    process.env.SNAPDECK_STORE_URL = fsStore;
    let ids: number[] = [];
    const hashes = new Map<number, string>();
    try {
      const server = await seedServer(actor, { diskMb: 16, contentMb: 10 });
      for (const name of ["before", "after"]) {
        const snap = await createSnapshot(actor, { server_id: server.id, name });
        expect(await runOperation((await operationOf(snap.id, "snapshot_create")).id)).toBe(true);
        ids.push(snap.id);
        hashes.set(snap.id, await hashFile(getDiskDriver().diskPath(server.id)));
        await scribble(getDiskDriver().diskPath(server.id), 2 * MIB, MIB);
      }
    } finally {
      process.env.SNAPDECK_STORE_URL = url;
    }
    const copy = () =>
      spawnSync(
        process.execPath,
        ["--conditions=react-server", "--import", "tsx", "scripts/cli.ts", "store", "copy", "--to", target],
        {
          encoding: "utf8",
          env: { ...process.env, ...s3Env(fsStore), LOG_LEVEL: "info" },
        },
      );
    const first = copy();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/copied [1-9]\d* chunks .* and 2 manifests from file:\/\/.* to s3:\/\//);
    const second = copy();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/copied 0 chunks .* and 0 manifests/);
    expect(second.stdout).toMatch(/already there: [1-9]\d* chunks, 2 manifests/);
    for (const out of [first, second]) expect(out.stdout + out.stderr).not.toContain(testSecretKey());

    process.env.SNAPDECK_STORE_URL = target;
    try {
      for (const id of ids) expect(await restoredHash(id), `snapshot ${id} from the copy`).toBe(hashes.get(id));
    } finally {
      process.env.SNAPDECK_STORE_URL = url;
    }
    ids = [];
  });
});

// The fleet with real processes: one database (this file's, SQLite or PostgreSQL), one
// shared store directory, and an agent process per host with a DATA_DIR of its own. Each
// agent runs only its host's operations; a snapshot taken on hv-01 restores byte for byte
// onto a server on hv-02 through the shared store; an operation for a host without an
// agent waits, visibly, and runs when the agent starts.
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { createHost } from "@/lib/server/hosts";
import { createServer, getServer } from "@/lib/server/servers";
import { createSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { serializeServer } from "@/lib/api/serialize";
import { writeDemoContent } from "@/lib/disks/demo-content";
import type { Actor } from "@/lib/server/actor";
import { hashFile } from "../disks/helpers";
import {
  claimedOperations,
  killHard,
  operationOf,
  seedActor,
  waitFor,
  waitForOperationEnd,
  workerProcessesPerTest,
} from "../jobs/helpers";

const root = mkdtempSync(path.join(tmpdir(), "snapdeck-fleet-"));
const storeDir = path.join(root, "store");
const hostDir = (host: string) => path.join(root, host);
const diskOf = (host: string, serverId: number) => path.join(hostDir(host), "disks", `${serverId}.img`);
const start = workerProcessesPerTest();
/** An agent process of `host`, as `npm run agent -- --host NAME` starts it, on its own DATA_DIR. */
const agent = (host: string, env: Record<string, string> = {}) =>
  start({ DATA_DIR: hostDir(host), SNAPDECK_STORE_DIR: storeDir, ...env }, ["--host", host]);

let actor: Actor;
let admin: Actor;

beforeAll(async () => {
  await ensureDb();
  for (const name of ["hv-01", "hv-02", "hv-03"]) await createHost(name);
  actor = await seedActor();
  admin = { ...(await seedActor()), role: "admin" };
});

async function provisioned(ownerId: number, host: string, diskMb: number, name: string) {
  const server = await createServer(ownerId, { name, disk_mb: diskMb, host });
  const op = await waitForOperationEnd(server.operationId, 30_000);
  expect(op.status).toBe("completed");
  return server;
}

async function completedSnapshot(serverId: number, name: string) {
  const snap = await createSnapshot(actor, { server_id: serverId, name });
  const op = await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id, 30_000);
  expect(op.status).toBe("completed");
  return { snap, op };
}

describe("fleet: two hosts, one database, one shared store", () => {
  it("each agent runs its own host's operations; a snapshot from hv-01 restores byte-exact onto hv-02; a smaller disk is refused", async () => {
    const one = agent("hv-01");
    const two = agent("hv-02");
    const a = await provisioned(actor.userId, "hv-01", 16, "fleet-a");
    const b = await provisioned(actor.userId, "hv-02", 16, "fleet-b");
    const small = await provisioned(actor.userId, "hv-02", 8, "fleet-small");
    // Each disk exists only under its own host's DATA_DIR.
    expect(existsSync(diskOf("hv-01", a.id)) && !existsSync(diskOf("hv-02", a.id))).toBe(true);
    expect(existsSync(diskOf("hv-02", b.id)) && !existsSync(diskOf("hv-01", b.id))).toBe(true);

    await writeDemoContent(diskOf("hv-01", a.id), 10);
    await writeDemoContent(diskOf("hv-02", b.id), 6);
    const hashA = await hashFile(diskOf("hv-01", a.id));
    const { op: createA, snap: snapA } = await completedSnapshot(a.id, "on-hv-01");
    const { op: createB } = await completedSnapshot(b.id, "on-hv-02");
    expect(claimedOperations(one)).toContain(createA.id);
    expect(claimedOperations(two)).toContain(createB.id);
    expect(claimedOperations(one)).not.toContain(createB.id);
    expect(claimedOperations(two)).not.toContain(createA.id);

    const result = await restoreSnapshot(actor, snapA.id, { server_id: b.id });
    expect(result.server).toMatchObject({ id: b.id, name: "fleet-b", status: "restoring" });
    const restore = await waitForOperationEnd((await operationOf(snapA.id, "snapshot_restore")).id, 30_000);
    expect(restore).toMatchObject({ status: "completed", serverId: b.id });
    expect(claimedOperations(two)).toContain(restore.id);
    expect(await hashFile(diskOf("hv-02", b.id))).toBe(hashA);
    expect(await hashFile(diskOf("hv-01", a.id))).toBe(hashA); // the source is untouched
    expect((await prisma.server.findUniqueOrThrow({ where: { id: b.id } })).status).toBe("stopped");

    await expect(restoreSnapshot(actor, snapA.id, { server_id: small.id })).rejects.toMatchObject({ code: "disk_too_small" });
    const stranger = await seedActor();
    const foreign = await createServer(stranger.userId, { name: "fleet-foreign", disk_mb: 64, host: "hv-02" });
    await expect(restoreSnapshot(actor, snapA.id, { server_id: foreign.id })).rejects.toMatchObject({ code: "not_found" });
    expect((await prisma.server.findUniqueOrThrow({ where: { id: small.id } })).activeOperationId).toBeNull();
  });

  it("an operation for a host without a live agent stays queued, shows what it waits for, and runs when the agent starts", async () => {
    agent("hv-01");
    const waiting = await createServer(actor.userId, { name: "fleet-waiting", disk_mb: 8, host: "hv-03" });
    // A later operation on another host completes: the hv-01 agent polled past the hv-03 one.
    await provisioned(actor.userId, "hv-01", 8, "fleet-later");
    expect(await prisma.operation.findUniqueOrThrow({ where: { id: waiting.operationId } })).toMatchObject({
      status: "queued",
      attempts: 0,
    });
    const shown = serializeServer(await getServer(admin, waiting.id));
    expect(shown.host).toBe("hv-03");
    expect(shown.operation).toMatchObject({
      kind: "provision",
      status: "queued",
      waiting_for_host: { name: "hv-03", offline_since: null },
    });
    expect(serializeServer(await getServer(actor, waiting.id)).host).toBeUndefined(); // members do not see hosts

    const three = agent("hv-03");
    expect(await waitForOperationEnd(waiting.operationId, 30_000)).toMatchObject({ status: "completed" });
    expect(claimedOperations(three)).toEqual([waiting.operationId]);
    expect(existsSync(diskOf("hv-03", waiting.id))).toBe(true);

    // The agent dies: once its heartbeat is older than 15 s the host is offline, and a new
    // operation says since when; it runs when an agent is back.
    await killHard(three);
    const lastBeat = (
      await prisma.workerHeartbeat.findFirstOrThrow({ where: { host: "hv-03" }, orderBy: { heartbeatAt: "desc" } })
    ).heartbeatAt;
    const snap = await createSnapshot(actor, { server_id: waiting.id, name: "while-offline" });
    const queued = await waitFor(
      "hv-03 to be offline",
      async () => {
        const op = serializeServer(await getServer(actor, waiting.id)).operation;
        return op?.waiting_for_host ? op : null;
      },
      30_000,
    );
    expect(queued).toMatchObject({
      status: "queued",
      waiting_for_host: { name: "hv-03", offline_since: lastBeat.toISOString() },
    });
    agent("hv-03");
    expect(await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id, 30_000)).toMatchObject({
      status: "completed",
    });
  });

  it("refuses to start an agent for a host nobody created, and server create for one", async () => {
    const stray = agent("hv-99");
    expect(await stray.exited).toBe(1);
    expect(stray.output()).toMatch(/Host hv-99 does not exist/);
    await expect(createServer(actor.userId, { name: "nowhere", disk_mb: 8, host: "hv-99" })).rejects.toMatchObject({
      code: "not_found",
    });
  });
});

// Real guests under libvirt (TCG), driven by a real agent process of a `libvirt` host: a
// point-in-time snapshot of a guest that writes, an incremental one that reads about what
// changed, restores onto the running guest and across hypervisors, power actions on the
// domain, changes made outside Snapdeck, application consistency through the guest agent,
// and libvirtd going away. The guest (tests/helpers/guest.ts) counts in two sectors 200 MiB
// apart, A then B, each synced: a point-in-time copy has A = B or A = B + 1.
// Skipped, with the reason printed, where libvirt cannot run guests; never skipped in CI.
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDb, prisma } from "@/lib/server/db";
import { createHost } from "@/lib/server/hosts";
import { importServer, listDomains } from "@/lib/server/guests";
import { getServer, runPowerAction } from "@/lib/server/servers";
import { createSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { serializeServer } from "@/lib/api/serialize";
import { createLocalDriver } from "@/lib/disks/local";
import { chunkRefs } from "@/lib/jobs/chunk-refs";
import type { Actor } from "@/lib/server/actor";
import {
  consoleLog,
  createGuestDisk,
  defineGuest,
  destroyGuest,
  guestWorkDir,
  libvirtSkipReason,
  readCounters,
  startGuest,
  virsh,
  waitForConsole,
  waitForState,
} from "../helpers/guest";
import {
  killHard,
  operationOf,
  seedActor,
  waitFor,
  waitForOperationEnd,
  workerProcessesPerTest,
  type WorkerProcess,
} from "../jobs/helpers";

const exec = promisify(execFile);
const skip = await libvirtSkipReason();
// .ci/run sets SNAPDECK_REQUIRE_LIBVIRT: there a missing libvirt is a failure, not a skip.
if (skip && (process.env.SNAPDECK_REQUIRE_LIBVIRT || process.env.CI))
  throw new Error(`CI must run the libvirt suite, but: ${skip}`);
if (skip) console.warn(`tests/vm/libvirt.test.ts skipped: ${skip}`);

const HOST = "hv-virt";
const start = workerProcessesPerTest();
let root: string;
let actor: Actor;
const guests: string[] = [];
/** Unique per attempt: a retried test must not meet the domain and disk of its first try. */
const guestName = (kind: string) => `sdtest-${kind}-${process.pid}-${guests.length + 1}`;

const env = () => ({
  DATA_DIR: path.join(root, "data"),
  SNAPDECK_STORE_DIR: path.join(root, "store"),
  SNAPDECK_LIBVIRT_SCRATCH_DIR: path.join(root, "scratch"),
  SNAPDECK_GUEST_POLL_MS: "1000",
  SNAPDECK_SHUTDOWN_TIMEOUT_S: "30",
});
const agent = (extra: Record<string, string> = {}) => start({ ...env(), ...extra }, ["--host", HOST]);

/** The operator CLI, as `npm run cli -- …` runs it, on this file's database. */
async function cli(...args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/cli.ts", ...args], {
    cwd: path.resolve(__dirname, "../.."),
    env: { ...process.env, LOG_LEVEL: "silent" },
  });
  return stdout;
}

/** A running guest (plain, or with the QEMU guest agent), imported as a server. */
async function runningGuest(name: string, opts: { agent?: boolean; format?: "qcow2" | "raw" } = {}) {
  const format = opts.format ?? "qcow2";
  const disk = path.join(root, `${name}.${format}`);
  await createGuestDisk(disk, format);
  guests.push(name);
  await defineGuest({ name, disk, agent: opts.agent });
  await startGuest(name);
  await waitForConsole(name, /counter 20\b/, 90_000);
  const server = await importServer({ host: HOST, domain: name, ownerId: actor.userId });
  return { disk, server };
}

async function snapshotOf(serverId: number, name: string) {
  const snap = await createSnapshot(actor, { server_id: serverId, name });
  const op = await waitForOperationEnd((await operationOf(snap.id, "snapshot_create")).id, 120_000);
  expect(op, op.error ?? "").toMatchObject({ status: "completed" });
  return prisma.snapshot.findUniqueOrThrow({ where: { id: snap.id } });
}

/** What the agent logged when it captured `snapshotId` (bytes read, incremental, freeze). */
// Waits for it: the agent's output pipe may be read after the database says the snapshot completed.
function captureLog(worker: WorkerProcess, snapshotId: number) {
  const find = () =>
    worker
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "guest captured" && l.snapshotId === snapshotId);
  return waitFor(`the agent's capture log of snapshot ${snapshotId}`, async () => find(), 10_000) as Promise<{
    incremental: boolean;
    readBytes: number;
    frozenMs: number | null;
    consistency: string;
  }>;
}

/** The snapshot's content as a raw file, through the chunk store (what a simulated server would get). */
async function restoredFile(snapshotId: number, name: string): Promise<string> {
  const driver = createLocalDriver({
    dataDir: path.join(root, "check"),
    storeDir: env().SNAPDECK_STORE_DIR,
    throughputMbps: 0,
    chunkIndex: chunkRefs,
  });
  const file = path.join(root, `${name}.raw`);
  await driver.restoreSnapshot({ serverId: 0, snapshotId, onProgress: () => {}, target: { file, format: "raw" } });
  return file;
}

async function sha256(file: string): Promise<string> {
  return createHash("sha256")
    .update(await fs.readFile(file))
    .digest("hex");
}

async function viewOf(serverId: number) {
  return serializeServer(await getServer(actor, serverId));
}

/** The newest counter the guest printed (it prints every tenth). */
function lastCounter(log: string): number {
  return Math.max(-1, ...[...log.matchAll(/^counter (\d+)/gm)].map((m) => Number(m[1])));
}

/** Waits until the server's JSON shows these values (what an API client would see). */
function serverShows(serverId: number, want: Record<string, string>, timeoutMs: number) {
  return waitFor(
    `server ${serverId} to show ${JSON.stringify(want)}`,
    async () => {
      const view: Record<string, unknown> = await viewOf(serverId);
      return Object.entries(want).every(([key, value]) => view[key] === value);
    },
    timeoutMs,
  );
}

describe.skipIf(skip)("libvirt guests", () => {
  beforeAll(async () => {
    await ensureDb();
    root = await guestWorkDir("snapdeck-libvirt-test-");
    await createHost(HOST, { hypervisor: "libvirt" });
    actor = await seedActor();
  });

  afterAll(async () => {
    for (const name of guests) await destroyGuest(name).catch(() => {});
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it("a running guest: point-in-time and incremental snapshots, restore while it runs, power actions, outside changes", async () => {
    const name = guestName("web");
    const { disk, server } = await runningGuest(name);
    expect((await listDomains(HOST)).find((d) => d.domain === name)).toMatchObject({ state: "running", serverId: server.id });
    expect(server).toMatchObject({ status: "active", diskMb: 256 });
    // The operator's view of the same, through the CLI: the domain, running, is that server.
    expect(await cli("host", "domains", "--host", HOST)).toMatch(new RegExp(`^${name}\\s+running\\s+${server.id}$`, "m"));
    const worker = agent();
    await serverShows(server.id, { guest_agent: "absent" }, 20_000);
    expect(await viewOf(server.id)).toMatchObject({ hypervisor: "libvirt", hypervisor_state: "running", status: "active" });

    // 1. A full snapshot while the guest writes: point in time, not torn.
    const first = await snapshotOf(server.id, "while-writing");
    expect(first).toMatchObject({ consistency: "crash-consistent", checkpoint: `snapdeck-${first.id}` });
    const firstLog = await captureLog(worker, first.id);
    expect(firstLog.incremental).toBe(false);
    const atFirst = await readCounters(await restoredFile(first.id, "first"));
    console.log(`point-in-time snapshot: A=${atFirst.a} B=${atFirst.b}`);
    expect(atFirst.a).toBeGreaterThan(0);
    expect([atFirst.b, atFirst.b! + 1]).toContain(atFirst.a);

    // 2. An incremental one reads about what the guest changed (its counters and its 2 MiB
    // rolling region), and is byte-exact: taken while the guest is paused, so the live disk
    // can be compared with it.
    await waitFor("the guest to write on", async () => lastCounter(await consoleLog(name)) > atFirst.a! + 40, 60_000);
    await virsh("suspend", name);
    await serverShows(server.id, { hypervisor_state: "paused" }, 20_000);
    const second = await snapshotOf(server.id, "incremental");
    const secondLog = await captureLog(worker, second.id);
    const live = path.join(root, "live.raw");
    await exec("qemu-img", ["convert", "-U", "-f", "qcow2", "-O", "raw", disk, live]);
    expect(await sha256(await restoredFile(second.id, "second"))).toBe(await sha256(live));
    await virsh("resume", name);
    console.log(
      `incremental snapshot: incremental=${secondLog.incremental}, read ${secondLog.readBytes} bytes of a 256 MiB disk`,
    );
    expect(secondLog.incremental).toBe(true);
    // The guest rewrote its 2 MiB rolling region, two counter clusters and little else.
    expect(secondLog.readBytes).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(secondLog.readBytes).toBeLessThan(8 * 1024 * 1024);
    await serverShows(server.id, { hypervisor_state: "running" }, 20_000);

    // 3. Restore the first snapshot onto the running guest: shut down, rewritten, running
    // again, and it counts on from the restored counter.
    await restoreSnapshot(actor, first.id);
    const restoreOp = await waitForOperationEnd((await operationOf(first.id, "snapshot_restore")).id, 120_000);
    expect(restoreOp, restoreOp.error ?? "").toMatchObject({ status: "completed" });
    expect((await virsh("domstate", name)).trim()).toBe("running");
    const resumed = await waitForConsole(name, /counter-start (\d+)/, 90_000);
    expect(Number(resumed[1])).toBe(atFirst.a);
    expect(await virsh("checkpoint-list", "--name", name)).toBe(""); // stale after the rewrite
    expect(await viewOf(server.id)).toMatchObject({ status: "active" });

    // 4. Power actions are operations on the real domain.
    await runPowerAction(actor, server.id, "stop");
    const stopOp = (await viewOf(server.id)).operation;
    expect(stopOp).toMatchObject({ kind: "server_stop" });
    expect(await waitForOperationEnd(stopOp!.id, 90_000)).toMatchObject({ status: "completed", errorCode: null });
    expect((await virsh("domstate", name)).trim()).toBe("shut off");
    expect(await viewOf(server.id)).toMatchObject({ status: "stopped", hypervisor_state: "shut_off" });
    // A stopped guest's snapshot is offline, read from its disk.
    expect(await snapshotOf(server.id, "stopped")).toMatchObject({ consistency: "offline" });
    await runPowerAction(actor, server.id, "start");
    expect(await waitForOperationEnd((await viewOf(server.id)).operation!.id, 90_000)).toMatchObject({ status: "completed" });
    expect((await virsh("domstate", name)).trim()).toBe("running");

    // 5. Changes made outside Snapdeck show within 10 s.
    await waitForConsole(name, /counter-start/, 90_000);
    await virsh("shutdown", name);
    await waitForState(name, "shut off", 60_000);
    const since = Date.now();
    await serverShows(server.id, { status: "stopped" }, 10_000);
    await virsh("start", name);
    await serverShows(server.id, { status: "active" }, 10_000);
    console.log(`outside shutdown/start seen in the API within ${Date.now() - since} ms (both)`);
  }, 600_000);

  it("with the QEMU guest agent a snapshot is application-consistent; libvirtd down fails it with hypervisor_unavailable, then the next works", async () => {
    const name = guestName("agent");
    const { server } = await runningGuest(name, { agent: true });
    const worker = agent();
    await serverShows(server.id, { guest_agent: "responding" }, 30_000);

    const snap = await snapshotOf(server.id, "frozen");
    expect(snap.consistency).toBe("application");
    const log = await captureLog(worker, snap.id);
    console.log(`guest agent freeze: filesystems frozen for ${log.frozenMs} ms`);
    expect(log.frozenMs).toBeGreaterThanOrEqual(0);
    const counters = await readCounters(await restoredFile(snap.id, "frozen"));
    expect([counters.b, counters.b! + 1]).toContain(counters.a);

    // libvirtd goes away (the guest keeps running: QEMU does not need it).
    await exec("pkill", ["-x", "libvirtd"]);
    await waitFor(
      "libvirtd to exit",
      () =>
        exec("pgrep", ["-x", "libvirtd"]).then(
          () => false,
          () => true,
        ),
      10_000,
    );
    try {
      const failed = await createSnapshot(actor, { server_id: server.id, name: "no-libvirtd" });
      const op = await waitForOperationEnd((await operationOf(failed.id, "snapshot_create")).id, 60_000);
      expect(op).toMatchObject({ status: "failed", errorCode: "hypervisor_unavailable" });
      expect(await prisma.snapshot.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({ status: "failed" });
      expect((await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).activeOperationId).toBeNull();
    } finally {
      await exec("libvirtd", ["-d"]);
    }
    await waitFor(
      "libvirtd to answer",
      () =>
        exec("virsh", ["-c", "qemu:///system", "list"]).then(
          () => true,
          () => false,
        ),
      30_000,
    );
    expect(await snapshotOf(server.id, "libvirtd-back")).toMatchObject({ status: "completed", consistency: "application" });
  }, 300_000);

  it("a raw-disk guest: kill -9 of the agent mid-snapshot and mid-restore; the next agent finishes each; the guest only ever runs on a whole disk; undo puts the safety snapshot back", async () => {
    const name = guestName("raw");
    const { disk, server } = await runningGuest(name, { format: "raw" });
    // A slow agent (32 MB/s) is killed while it stores the backup job's copy.
    const first = agent({ SNAPDECK_DISK_THROUGHPUT_MBPS: "32" });
    const taking = await createSnapshot(actor, { server_id: server.id, name: "raw-running" });
    const takeOp = await operationOf(taking.id, "snapshot_create");
    await waitFor(
      "the capture to store the copy",
      async () => (await prisma.operation.findUniqueOrThrow({ where: { id: takeOp.id } })).progress >= 50,
      120_000,
    );
    await killHard(first);
    expect((await virsh("domstate", name)).trim()).toBe("running"); // a capture never stops the guest
    // The next agent reclaims it once the lease expires, and starts over: a whole new copy.
    const second = agent();
    expect(await waitForOperationEnd(takeOp.id, 120_000)).toMatchObject({ status: "completed" });
    const snap = await prisma.snapshot.findUniqueOrThrow({ where: { id: taking.id } });
    // Raw images keep no dirty bitmaps: a full copy, no checkpoint, still point in time.
    expect(snap).toMatchObject({ consistency: "crash-consistent", checkpoint: null });
    const atSnap = await readCounters(await restoredFile(snap.id, "raw-running"));
    expect([atSnap.b, atSnap.b! + 1]).toContain(atSnap.a);
    expect(await fs.readdir(env().SNAPDECK_LIBVIRT_SCRATCH_DIR)).toEqual([]); // the killed run's copy is gone too
    await killHard(second);
    await waitFor("the guest to write on", async () => lastCounter(await consoleLog(name)) > atSnap.a! + 30, 60_000);

    // A slow agent (32 MB/s) restores with a safety snapshot and is killed while writing the new disk.
    const slow = agent({ SNAPDECK_DISK_THROUGHPUT_MBPS: "32" });
    const restore = await restoreSnapshot(actor, snap.id, { safety_snapshot: true });
    const safetyId = restore.safetySnapshot!.id;
    const op = await operationOf(snap.id, "snapshot_restore");
    await waitFor(
      "the restore to write the disk",
      async () => (await prisma.operation.findUniqueOrThrow({ where: { id: op.id } })).progress >= 60,
      120_000,
    );
    await killHard(slow);
    // Off, on its whole old disk (what the safety snapshot holds), never started on a torn one.
    expect((await virsh("domstate", name)).trim()).toBe("shut off");
    const atSafety = await readCounters(await restoredFile(safetyId, "safety"));
    expect(atSafety.a).toBe(atSafety.b); // shut down cleanly: the last write pair completed
    expect(atSafety.a).toBeGreaterThan(atSnap.a! + 30);
    expect(await sha256(disk)).toBe(await sha256(path.join(root, "safety.raw")));

    // The next agent reclaims the operation (its lease expired) and finishes it.
    agent();
    expect(await waitForOperationEnd(op.id, 180_000)).toMatchObject({ status: "completed" });
    expect((await virsh("domstate", name)).trim()).toBe("running");
    expect(Number((await waitForConsole(name, /counter-start (\d+)/, 90_000))[1])).toBe(atSnap.a);
    expect(await prisma.snapshot.findUniqueOrThrow({ where: { id: safetyId } })).toMatchObject({
      status: "completed",
      consistency: "offline",
    });

    // Undo: the safety snapshot goes back onto the guest.
    await restoreSnapshot(actor, safetyId);
    expect(await waitForOperationEnd((await operationOf(safetyId, "snapshot_restore")).id, 180_000)).toMatchObject({
      status: "completed",
    });
    expect(Number((await waitForConsole(name, /counter-start (\d+)/, 90_000))[1])).toBe(atSafety.a);
  }, 600_000);

  it("a domain that disappears: imported through the CLI, then undefined outside Snapdeck: shown missing, and a power action fails with domain_missing", async () => {
    const name = guestName("gone");
    const disk = path.join(root, `${name}.qcow2`);
    await createGuestDisk(disk, "qcow2");
    guests.push(name);
    await defineGuest({ name, disk });
    const email = (await prisma.user.findUniqueOrThrow({ where: { id: actor.userId } })).email;
    const id = Number(
      (await cli("server", "import", "--host", HOST, "--domain", name, "--owner", email)).trim().split("\n").at(-1),
    );
    expect(await viewOf(id)).toMatchObject({ status: "stopped", hypervisor: "libvirt", disk_mb: 256 });
    await expect(cli("server", "import", "--host", HOST, "--domain", name, "--owner", email)).rejects.toThrow(/already a server/);
    // A libvirt host's servers are its domains: nothing is created there from scratch.
    await expect(cli("server", "create", "--host", HOST, "--name", "fresh", "--owner", email)).rejects.toThrow(/libvirt host/);
    agent();
    await virsh("undefine", name);
    await serverShows(id, { hypervisor_state: "missing" }, 20_000);
    await runPowerAction(actor, id, "start");
    const op = await waitForOperationEnd((await viewOf(id)).operation!.id, 60_000);
    expect(op).toMatchObject({ status: "failed", errorCode: "domain_missing" });
    expect(await viewOf(id)).toMatchObject({ status: "stopped", operation: null });
  }, 120_000);
});

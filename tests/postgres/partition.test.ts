// A network partition between one agent and PostgreSQL. The agent of hv-01 runs in its own
// network namespace and reaches the database only over a veth pair (through a TCP relay on
// the host side of the veth, so the database itself can listen on loopback as in CI). The
// link is cut in the middle of a snapshot: the lease expires, the agent of hv-02 never
// takes the operation, and when the link returns the operation ends cleanly with one writer.
// Then the agent of hv-02 is SIGKILLed mid-restore and started again: the restore finishes
// byte for byte. Needs root (ip netns); CI runs as root.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { databaseNow, ensureDb, prisma } from "@/lib/server/db";
import { createHost } from "@/lib/server/hosts";
import { createServer } from "@/lib/server/servers";
import { createSnapshot, restoreSnapshot } from "@/lib/server/snapshots";
import { writeDemoContent } from "@/lib/disks/demo-content";
import type { Actor } from "@/lib/server/actor";
import { hashFile } from "../disks/helpers";
import { requireRoot } from "../helpers/mounts";
import {
  claimedOperations,
  killHard,
  operationOf,
  seedActor,
  waitFor,
  waitForOperationEnd,
  workerProcessesPerTest,
  type WorkerProcess,
} from "../jobs/helpers";

const NS = `sdpart${process.pid}`;
const VETH_HOST = `sdh${process.pid}`.slice(0, 15);
const VETH_NS = `sdn${process.pid}`.slice(0, 15);
const subnet = 16 + (process.pid % 200);
const HOST_IP = `10.213.${subnet}.1`;
const NS_IP = `10.213.${subnet}.2`;
const root = mkdtempSync(path.join(tmpdir(), "snapdeck-partition-"));
const storeDir = path.join(root, "store");
const hostDir = (host: string) => path.join(root, host);
const diskOf = (host: string, serverId: number) => path.join(hostDir(host), "disks", `${serverId}.img`);
const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" });
const start = workerProcessesPerTest();
const partitioned: WorkerProcess[] = [];
let relay: TcpServer;
const sockets = new Set<Socket>();
let actor: Actor;

/** The agent of hv-01 inside the namespace, as `npm run agent -- --host hv-01` with the database URL over the veth. */
function partitionedAgent(databaseUrl: string): WorkerProcess {
  const child = spawn(
    "ip",
    [
      "netns",
      "exec",
      NS,
      process.execPath,
      "--conditions=react-server",
      "--import",
      "tsx",
      "scripts/worker.ts",
      "--host",
      "hv-01",
    ],
    {
      cwd: path.resolve(__dirname, "../.."),
      env: {
        ...process.env,
        LOG_LEVEL: "info",
        NODE_ENV: "test",
        DATABASE_URL: databaseUrl,
        DATA_DIR: hostDir("hv-01"),
        SNAPDECK_STORE_DIR: storeDir,
        SNAPDECK_DISK_THROUGHPUT_MBPS: "8",
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (t: string) => (out += t));
  child.stderr!.setEncoding("utf8").on("data", (t: string) => (out += t));
  const w = { child, output: () => out, exited: new Promise<number | null>((r) => child.on("exit", (code) => r(code))) };
  partitioned.push(w);
  return w;
}

beforeAll(async () => {
  requireRoot();
  await ensureDb();
  ip("netns", "add", NS);
  ip("link", "add", VETH_HOST, "type", "veth", "peer", "name", VETH_NS);
  ip("link", "set", VETH_NS, "netns", NS);
  ip("addr", "add", `${HOST_IP}/30`, "dev", VETH_HOST);
  ip("link", "set", VETH_HOST, "up");
  ip("netns", "exec", NS, "ip", "addr", "add", `${NS_IP}/30`, "dev", VETH_NS);
  ip("netns", "exec", NS, "ip", "link", "set", VETH_NS, "up");
  ip("netns", "exec", NS, "ip", "link", "set", "lo", "up");
  // The relay listens on the veth address only: with the link down, nothing gets through.
  const db = new URL(process.env.DATABASE_URL!);
  relay = createTcpServer((client) => {
    const upstream = connect(Number(db.port || 5432), db.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s)).on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => relay.listen(0, HOST_IP, r));
  for (const name of ["hv-01", "hv-02"]) await createHost(name);
  actor = await seedActor();
});

afterAll(async () => {
  for (const w of partitioned) await killHard(w);
  for (const s of sockets) s.destroy();
  relay?.close();
  try {
    ip("link", "del", VETH_HOST);
  } catch {
    // gone with the namespace
  }
  try {
    ip("netns", "del", NS);
  } catch {
    // never made
  }
});

describe("partition: an agent loses the database mid-snapshot", () => {
  it("its lease expires, no other host runs the operation, and it ends cleanly when the link returns; a SIGKILLed restore finishes byte-exact", async () => {
    onTestFailed(() => partitioned.forEach((w) => console.error(`--- partitioned agent ---\n${w.output().slice(-4000)}`)));
    const db = new URL(process.env.DATABASE_URL!);
    db.hostname = HOST_IP;
    db.port = String((relay.address() as { port: number }).port);
    const one = partitionedAgent(db.toString());
    const two = start({ DATA_DIR: hostDir("hv-02"), SNAPDECK_STORE_DIR: storeDir, SNAPDECK_DISK_THROUGHPUT_MBPS: "8" }, [
      "--host",
      "hv-02",
    ]);

    const source = await createServer(actor.userId, { name: "part-src", disk_mb: 48, host: "hv-01" });
    expect(await waitForOperationEnd(source.operationId, 60_000)).toMatchObject({ status: "completed" });
    await writeDemoContent(diskOf("hv-01", source.id), 40);
    const sourceHash = await hashFile(diskOf("hv-01", source.id));
    const target = await createServer(actor.userId, { name: "part-dst", disk_mb: 48, host: "hv-02" });
    expect(await waitForOperationEnd(target.operationId, 60_000)).toMatchObject({ status: "completed" });

    const snap = await createSnapshot(actor, { server_id: source.id, name: "cut-mid-way" });
    const op = await operationOf(snap.id, "snapshot_create");
    await waitFor(
      "the snapshot to be under way",
      async () => (await prisma.operation.findUniqueOrThrow({ where: { id: op.id } })).progress >= 10,
      60_000,
    );
    ip("link", "set", VETH_HOST, "down");
    const cutAt = Date.now();
    const held = await prisma.operation.findUniqueOrThrow({ where: { id: op.id } });
    expect(held.status).toBe("running");
    await waitFor(
      "the lease to expire",
      async () => {
        const row = await prisma.operation.findUniqueOrThrow({ where: { id: op.id } });
        return row.leaseExpiresAt !== null && row.leaseExpiresAt < (await databaseNow());
      },
      60_000,
    );
    const expiredAfterMs = Date.now() - cutAt;
    // hv-02's agent keeps working (it completes a later operation) but never takes hv-01's.
    const later = await createServer(actor.userId, { name: "part-later", disk_mb: 8, host: "hv-02" });
    expect(await waitForOperationEnd(later.operationId, 60_000)).toMatchObject({ status: "completed" });
    expect(await prisma.operation.findUniqueOrThrow({ where: { id: op.id } })).toMatchObject({
      status: "running",
      leaseOwner: held.leaseOwner,
      attempts: 1,
    });
    expect(claimedOperations(two)).not.toContain(op.id);

    ip("link", "set", VETH_HOST, "up");
    const ended = await waitForOperationEnd(op.id, 120_000);
    const downMs = Date.now() - cutAt;
    console.info(
      `partition: lease expired ${expiredAfterMs} ms after the cut; operation ${ended.status} ${downMs} ms after the cut, attempts ${ended.attempts}${ended.errorCode ? ` (${ended.errorCode})` : ""}`,
    );
    expect(["completed", "failed"]).toContain(ended.status);
    expect(claimedOperations(two)).not.toContain(op.id); // one writer: only hv-01's agent ever held it
    // Only hv-01's agent ever claimed it: either it carried on under its lease, or (when a
    // write failed while cut off) it left the attempt and redid it once back. It never claims
    // an operation it is still running, so the attempts never overlap.
    expect(claimedOperations(one).filter((id) => id === op.id)).toHaveLength(ended.attempts);
    if (ended.status === "failed") return; // cleanly: the snapshot is failed and its data queued for deletion

    // Not torn: the snapshot restores byte for byte onto hv-02 (through the shared store), and
    // a SIGKILL of that agent mid-restore only delays it.
    await restoreSnapshot(actor, snap.id, { server_id: target.id });
    const restore = await operationOf(snap.id, "snapshot_restore");
    await waitFor(
      "the restore to be under way",
      async () => (await prisma.operation.findUniqueOrThrow({ where: { id: restore.id } })).progress >= 20,
      60_000,
    );
    await killHard(two);
    start({ DATA_DIR: hostDir("hv-02"), SNAPDECK_STORE_DIR: storeDir }, ["--host", "hv-02"]);
    expect(await waitForOperationEnd(restore.id, 90_000)).toMatchObject({ status: "completed", attempts: 2 });
    expect(await hashFile(diskOf("hv-02", target.id))).toBe(sourceHash);
    expect(await hashFile(diskOf("hv-01", source.id))).toBe(sourceHash);
  });
});

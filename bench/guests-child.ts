// Child process of the guests benchmark (bench/guests-part.ts): one capture or restore of a
// libvirt guest through the product's own code (lib/disks/guest-data.ts on the local chunk
// store, its chunk references in DATA_DIR/app.db), the way lib/jobs/guests.ts and
// lib/jobs/restore-snapshot.ts drive them.
//
//   DATA_DIR=… SNAPDECK_LIBVIRT_SCRATCH_DIR=… tsx --conditions=react-server bench/guests-child.ts \
//     capture <domain> <snapshotId> [<baseSnapshotId> <baseCheckpoint>]
//   DATA_DIR=… tsx --conditions=react-server bench/guests-child.ts restore <domain> <snapshotId>
//
// Prints one JSON line: { seconds, startedAt, endedAt (epoch ms, the timed work alone), …the
// capture's result (readBytes, storedBytes, sizeBytes, frozenMs, incremental, consistency) }.
// Start-up (modules, database migration, the server and snapshot rows) and, after a capture,
// the pruning of older checkpoints are outside the clock.

const SERVER_ID = 1;
const now = () => performance.timeOrigin + performance.now();

/** The server's and the snapshot's rows around a capture, as a worker has them (the chunk store inherits through them). */
async function snapshotRow(snapshotId: number, status: "in_progress" | "completed", checkpoint: string | null = null) {
  const { prisma } = await import("@/lib/server/db");
  const { createUser } = await import("@/lib/server/users");
  const { resolveHost } = await import("@/lib/server/hosts");
  if (!(await prisma.server.findUnique({ where: { id: SERVER_ID } }))) {
    const user = await createUser({ email: "bench@snapdeck.local", password: "bench-password-0123" });
    const host = await prisma.$transaction((tx) => resolveHost(tx));
    await prisma.server.create({
      data: {
        id: SERVER_ID,
        name: "bench-guest",
        hostname: "bench-guest",
        status: "active",
        location: "bench",
        diskMb: 0,
        ownerId: user.id,
        hostId: host.id,
      },
    });
  }
  const { ownerId } = await prisma.server.findUniqueOrThrow({ where: { id: SERVER_ID } });
  const data = { status, checkpoint, ...(status === "completed" && { completedAt: new Date() }) };
  await prisma.snapshot.upsert({
    where: { id: snapshotId },
    create: { id: snapshotId, serverId: SERVER_ID, ownerId, name: `bench-${snapshotId}`, ...data },
    update: data,
  });
}

async function main() {
  const [op, domain, id, baseId, baseCheckpoint] = process.argv.slice(2);
  if (!domain || !id) throw new Error("usage: guests-child.ts capture|restore <domain> <snapshotId> [<baseId> <checkpoint>]");
  const snapshotId = Number(id);
  const { migrateDatabase } = await import("@/lib/server/setup");
  const { ensureDb, prisma } = await import("@/lib/server/db");
  const { getDiskDriver } = await import("@/lib/disks/get-driver");
  const { libvirtHost } = await import("@/lib/disks/libvirt");
  const { captureGuest, dropAllCheckpoints, pruneCheckpoints } = await import("@/lib/disks/guest-data");
  const { config } = await import("@/lib/config");
  const { logger } = await import("@/lib/server/logger");
  await migrateDatabase();
  await ensureDb();
  await prisma.chunk.count(); // the client's one-time start-up, which a running worker has behind it
  const driver = getDiskDriver();
  if (driver.name !== "local") throw new Error(`the guests benchmark runs on the local driver, not ${driver.name}`);
  const host = libvirtHost(null);
  const args = { serverId: SERVER_ID, snapshotId, onProgress: () => {} };

  let result: Record<string, unknown>;
  if (op === "capture") {
    await snapshotRow(snapshotId, "in_progress");
    const base = baseId ? { snapshotId: Number(baseId), checkpoint: baseCheckpoint! } : null;
    const startedAt = now();
    const capture = await captureGuest({
      ...args,
      host,
      domain,
      driver,
      scratchDir: config.libvirtScratchDir,
      base,
      log: logger,
    });
    const endedAt = now();
    await snapshotRow(snapshotId, "completed", capture.checkpoint);
    // As lib/jobs/create-snapshot.ts does once the snapshot is committed: the older checkpoints go.
    if (capture.checkpoint) await pruneCheckpoints(host, domain, capture.checkpoint);
    result = { ...capture, startedAt, endedAt, seconds: (endedAt - startedAt) / 1000 };
  } else if (op === "restore") {
    // As lib/jobs/restore-snapshot.ts does between the guest's shutdown and its start.
    const startedAt = now();
    const disk = await host.disk(domain);
    await driver.restoreSnapshot({ ...args, diskBytes: disk.bytes, target: { file: disk.file, format: disk.format } });
    await dropAllCheckpoints(host, domain);
    const endedAt = now();
    result = { startedAt, endedAt, seconds: (endedAt - startedAt) / 1000 };
  } else throw new Error(`unknown operation ${op}`);
  await prisma.$disconnect();
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

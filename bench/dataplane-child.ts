// Child process for the data-plane benchmark, so its peak RSS is the driver's alone:
//
//   DATA_DIR=… tsx --conditions=react-server bench/dataplane-child.ts disk <file> <diskMb> <contentMb>
//   DATA_DIR=… tsx --conditions=react-server bench/dataplane-child.ts change <file> <fraction> <seed> [<positions.json>]
//   DATA_DIR=… tsx --conditions=react-server bench/dataplane-child.ts qemu-change <changed raw> <qcow2> <positions.json>
//   DATA_DIR=… tsx --conditions=react-server bench/dataplane-child.ts create|restore <serverId> <snapshotId>
//
// Prints one JSON line: { seconds, maxRssMb, floorRssMb, storedBytes?, sizeBytes?, readBytes?, changedBytes?, requests? }.
// SNAPDECK_DISK_DRIVER=qemu runs create/restore through the qemu driver; SNAPDECK_STORE_URL=s3://…
// puts the snapshot store on S3, and `requests` is then the S3 requests the work sent.
// floorRssMb is the resident size after loading the modules, before the work starts.
// With BENCH_CPU_PROFILE=<file>, the work alone (not start-up) is CPU-profiled into that file.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Session } from "node:inspector/promises";

async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!file) return work();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * The rows a worker's create has around it: the server and the snapshot, in progress while
 * the driver runs and completed after, so a create finds the server's previous snapshot (and
 * inherits its chunk references) as it does in the product. Not timed.
 */
async function snapshotRow(serverId: number, snapshotId: number, status: "in_progress" | "completed") {
  const { prisma } = await import("@/lib/server/db");
  const { createUser } = await import("@/lib/server/users");
  const { resolveHost } = await import("@/lib/server/hosts");
  if (!(await prisma.server.findUnique({ where: { id: serverId } }))) {
    const user = await createUser({ email: "bench@snapdeck.local", password: "bench-password-0123" });
    const host = await prisma.$transaction((tx) => resolveHost(tx));
    await prisma.$transaction([
      prisma.server.create({
        data: {
          id: serverId,
          name: "bench",
          hostname: "bench",
          status: "stopped",
          location: "bench",
          diskMb: 0,
          ownerId: user.id,
          hostId: host.id,
        },
      }),
    ]);
  }
  const data = { status, ...(status === "completed" && { completedAt: new Date() }) };
  await prisma.$transaction([
    prisma.snapshot.upsert({
      where: { id: snapshotId },
      create: {
        id: snapshotId,
        serverId,
        ownerId: (await prisma.server.findUniqueOrThrow({ where: { id: serverId } })).ownerId,
        name: `bench-${snapshotId}`,
        ...data,
      },
      update: data,
    }),
  ]);
}

async function main() {
  const [op, a, b, c, d] = process.argv.slice(2);
  const { getDiskDriver } = await import("@/lib/disks/get-driver");
  // The local driver keeps its chunk references in the database (DATA_DIR/app.db here).
  const { migrateDatabase } = await import("@/lib/server/setup");
  const { ensureDb, prisma } = await import("@/lib/server/db");
  if (op === "create" || op === "restore") {
    await migrateDatabase();
    await ensureDb();
    await prisma.chunk.count(); // the client's one-time start-up, which a running worker has behind it
    if (op === "create") await snapshotRow(Number(a), Number(b), "in_progress");
  }
  const content = await import("./disk-content");
  const s3 = process.env.SNAPDECK_STORE_URL?.startsWith("s3:") ?? false;
  const requests = s3 ? (await import("@/lib/disks/s3-blob-store")).s3RequestCount : () => 0;
  const requestsBefore = requests();
  const floorRssMb = process.memoryUsage().rss / 1024 / 1024;
  const started = performance.now();
  let extra: Record<string, number> = {};
  await profiled(process.env.BENCH_CPU_PROFILE, async () => {
    if (op === "disk") await content.writeBenchDisk(a!, Number(b), Number(c));
    else if (op === "change") {
      const positions: number[] = [];
      extra = { changedBytes: await content.changeData(a!, Number(b), c!, positions) };
      if (d) writeFileSync(d, JSON.stringify(positions));
    } else if (op === "qemu-change") {
      const positions = JSON.parse(readFileSync(c!, "utf8")) as number[];
      await content.applyChangeToQcow2(a!, b!, positions, path.dirname(c!));
    } else if (op === "create") {
      const size = await getDiskDriver().createSnapshot({ serverId: Number(a), snapshotId: Number(b), onProgress: () => {} });
      extra = { ...size };
    } else if (op === "restore")
      await getDiskDriver().restoreSnapshot({ serverId: Number(a), snapshotId: Number(b), onProgress: () => {} });
    else throw new Error(`unknown operation ${op}`);
  });
  const seconds = (performance.now() - started) / 1000;
  if (s3) extra.requests = requests() - requestsBefore;
  if (op === "create") await snapshotRow(Number(a), Number(b), "completed");
  // maxRSS is in KiB on Linux.
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, maxRssMb, floorRssMb, ...extra }) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// Part 3: the local driver against the standard tools, on the same sparse disk file, in
// the same round. Every step runs in a child process so its peak RSS is its own.
//   round: fresh copy of the disk → Snapdeck snapshot 1 | zstd -T2 -3 | gzip -1 | cp --sparse=always
//          → change 1% of the data → Snapdeck snapshot 2 (incremental) | zstd -T2 -3 again
//          → Snapdeck restore of snapshot 1 | zstd -d
// With the Ceph daemons installed, Snapdeck's three steps also run on an S3 store (a Ceph
// cluster of the part's own, s3-cluster.ts): the rows "snapdeck s3", on a copy of the same
// disk with its own DATA_DIR (database) and a fresh bucket prefix per round.
// The page cache is warm for everyone alike (the disk was just written or read). Snapdeck
// makes what it writes durable (syncfs, fsync), so every tool's output is fsynced too
// (`sync FILE`) before its clock stops.
import { createReadStream, promises as fs } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { summarizeProfileDir } from "./profile";
import { projectEnv } from "./servers";
import { s3Missing, S3_HOWTO, startBenchS3, type BenchS3 } from "./s3-cluster";
import { log, ROOT, run, SERVER_CONDITIONS, stat, TSX, type Stat } from "./util";

export type DataplaneOptions = {
  workDir: string;
  diskMb: number;
  contentMb: number;
  rounds: number;
  changeFraction: number;
  profileDir?: string;
};
type Measure = {
  seconds: number;
  maxRssMb: number;
  storedBytes?: number;
  floorRssMb?: number;
  readBytes?: number;
  /** S3 requests the step sent (the "snapdeck s3" rows). */
  requests?: number;
};
export type StepRow = {
  step: string;
  tool: string;
  seconds: Stat;
  mbPerSec: Stat;
  storedMb: Stat;
  rssMb: Stat;
  floorRssMb?: Stat;
};
export type DataplaneResult = {
  options: DataplaneOptions;
  allocatedMb: number;
  changedMb: number;
  restoreVerified: boolean;
  rows: StepRow[];
  /** MiB the qemu driver's second snapshot read from the disk (median); absent when qemu-utils is missing. */
  qemuSecondReadMb?: number;
  /** Why the "snapdeck s3" rows did not run; absent when they ran. */
  s3Skipped?: string;
  /** With --profile: main-thread CPU profile of each Snapdeck step in round 1 (compression runs on libuv threads, outside it). */
  profiles?: Record<string, string>;
  samples: Record<string, Measure[]>;
};

const SERVER_ID = 1;
const MIB = 1024 * 1024;

async function child(
  dataDir: string,
  args: string[],
  profileDir?: string,
  extraEnv: Record<string, string> = {},
): Promise<Measure & Record<string, number>> {
  const env = projectEnv(dataDir, extraEnv);
  if (profileDir) {
    await fs.mkdir(profileDir, { recursive: true });
    env.BENCH_CPU_PROFILE = path.join(profileDir, `${args[0]}.cpuprofile`);
  }
  const { stdout } = await run(TSX, [SERVER_CONDITIONS, path.join(ROOT, "bench/dataplane-child.ts"), ...args], {
    cwd: ROOT,
    env,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
}

let gnuTime = true;
let qemuTools = false;
let s3Skipped: string | undefined;

/**
 * Runs a shell command under GNU time: wall seconds and peak RSS of the command. Without
 * /usr/bin/time (Debian package `time`) the clock is Node's and the RSS is not known.
 */
async function timed(command: string, outFile?: string): Promise<Measure> {
  let seconds: number;
  let maxRssMb = NaN;
  if (gnuTime) {
    const report = `${outFile ?? "/tmp/snapdeck-bench"}.time`;
    await run("/usr/bin/time", ["-f", "%e %M", "-o", report, "sh", "-c", command]);
    const [s, rssKb] = (await fs.readFile(report, "utf8")).trim().split("\n").at(-1)!.split(" ").map(Number);
    await fs.rm(report, { force: true });
    seconds = s!;
    maxRssMb = rssKb! / 1024;
  } else {
    const started = performance.now();
    await run("sh", ["-c", command]);
    seconds = (performance.now() - started) / 1000;
  }
  const storedBytes = outFile ? (await fs.stat(outFile)).size : undefined;
  return { seconds, maxRssMb, storedBytes };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * MIB })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const describe = (m: Measure) =>
  `${m.seconds.toFixed(2)}s, ${m.maxRssMb.toFixed(0)} MB RSS` + (m.requests !== undefined ? `, ${m.requests} S3 requests` : "");

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** The baselines are real tools; say how to get them instead of failing halfway. */
async function requireTools(): Promise<void> {
  const has = (tool: string) =>
    run("sh", ["-c", `command -v ${tool}`]).then(
      () => true,
      () => false,
    );
  const missing: string[] = [];
  for (const tool of ["zstd", "gzip"]) if (!(await has(tool))) missing.push(tool);
  if (missing.length) throw new Error(`the data-plane baselines need: apt-get install ${missing.join(" ")}`);
  gnuTime = await has("/usr/bin/time");
  qemuTools = (await Promise.all(["qemu-img", "qemu-io", "qemu-nbd"].map(has))).every(Boolean);
  if (!qemuTools) log("no qemu-img/qemu-io/qemu-nbd (apt-get install qemu-utils): the qemu driver rows will be missing");
  if (!gnuTime) log("no /usr/bin/time (apt-get install time): the tools' peak RSS will be missing");
  const noCeph = await s3Missing();
  s3Skipped = noCeph ? `${noCeph}: ${S3_HOWTO}` : undefined;
  if (noCeph) log(`${noCeph} (${S3_HOWTO}): the S3 store rows will be missing`);
}

export async function runDataplanePart(o: DataplaneOptions): Promise<DataplaneResult> {
  await requireTools();
  // The S3 store's Ceph cluster, up for the part's duration.
  let s3: BenchS3 | undefined;
  if (!s3Skipped)
    try {
      s3 = await startBenchS3(path.join(o.workDir, "dataplane-ceph"));
    } catch (err) {
      log(`data plane: the Ceph cluster did not start, the S3 store rows will be missing: ${(err as Error).message}`);
      s3Skipped = "the Ceph cluster of scripts/s3/ceph.sh did not start (the benchmark's log has why)";
    }
  try {
    return await measure(o, s3);
  } finally {
    await s3?.down();
  }
}

async function measure(o: DataplaneOptions, s3: BenchS3 | undefined): Promise<DataplaneResult> {
  const dataDir = path.join(o.workDir, "dataplane");
  const disksDir = path.join(dataDir, "disks");
  const out = path.join(o.workDir, "dataplane-out");
  await fs.mkdir(disksDir, { recursive: true });
  await fs.mkdir(out, { recursive: true });
  const pristine = path.join(out, "pristine.img");
  const disk = path.join(disksDir, `${SERVER_ID}.img`);
  log(`data plane: writing a ${o.diskMb} MiB sparse disk with ~${o.contentMb} MiB of data`);
  await child(dataDir, ["disk", pristine, String(o.diskMb), String(o.contentMb)]);
  const allocatedMb = ((await fs.stat(pristine)).blocks * 512) / MIB;
  const pristineHash = await sha256File(pristine);

  const qemuDataDir = path.join(o.workDir, "dataplane-qemu");
  const qcow2 = path.join(qemuDataDir, "disks", `${SERVER_ID}.qcow2`);
  const qemu = (args: string[]) => child(qemuDataDir, args, undefined, { SNAPDECK_DISK_DRIVER: "qemu" });
  const positions = path.join(out, "changed.json");
  const samples: Record<string, Measure[]> = {};
  const add = (key: string, m: Measure) => (samples[key] ??= []).push(m);
  let changedMb = 0;
  let restoreVerified = true;
  // The S3 rows: Snapdeck on an S3 store, with a database and a disk of their own (the same
  // content and change as the filesystem rows' disk), so no chunk row is shared.
  const s3DataDir = path.join(o.workDir, "dataplane-s3");
  const s3Disk = path.join(s3DataDir, "disks", `${SERVER_ID}.img`);
  for (let round = 0; round < o.rounds; round++) {
    // Every round starts from an empty store: its files and the chunk rows that describe them
    // (the database is migrated afresh by the next child, before its clock starts).
    await fs.rm(path.join(dataDir, "snapshots"), { recursive: true, force: true });
    for (const db of ["app.db", "app.db-wal", "app.db-shm"]) await fs.rm(path.join(dataDir, db), { force: true });
    await fs.rm(disk, { force: true });
    await run("cp", ["--sparse=always", pristine, disk]);
    // The S3 rows' round: a fresh database and a fresh prefix of the bucket (an empty store).
    const s3Child = (args: string[], profileDir?: string) => child(s3DataDir, args, profileDir, s3!.env(`round-${round + 1}`));
    if (s3) {
      for (const db of ["app.db", "app.db-wal", "app.db-shm"]) await fs.rm(path.join(s3DataDir, db), { force: true });
      await fs.mkdir(path.dirname(s3Disk), { recursive: true });
      await fs.rm(s3Disk, { force: true });
      await run("cp", ["--sparse=always", pristine, s3Disk]);
    }
    // Profiling slows a run down, so only the last round is profiled (and still timed).
    const prof = (step: string) =>
      o.profileDir && round === o.rounds - 1 ? path.join(o.profileDir, `dataplane-${step}`) : undefined;
    const zst = path.join(out, "disk.img.zst");
    const gz = path.join(out, "disk.img.gz");
    const s3Step = (key: string, args: string[], step: string): [string, () => Promise<Measure>][] =>
      s3 ? [[key, () => s3Child(args, prof(step))]] : [];
    const steps: [string, () => Promise<Measure>][] = [
      ["first:snapdeck", () => child(dataDir, ["create", String(SERVER_ID), "1"], prof("first"))],
      ...s3Step("first:snapdeck s3", ["create", String(SERVER_ID), "1"], "first-s3"),
      ["first:zstd -T2 -3", () => timed(`zstd -q -T2 -3 -f -o ${q(zst)} ${q(disk)} && sync ${q(zst)}`, zst)],
      ["first:gzip -1", () => timed(`gzip -1 -c ${q(disk)} > ${q(gz)} && sync ${q(gz)}`, gz)],
      [
        "first:cp --sparse=always",
        async () => {
          const copy = path.join(out, "copy.img");
          await fs.rm(copy, { force: true });
          const m = await timed(`cp --sparse=always ${q(disk)} ${q(copy)} && sync ${q(copy)}`);
          return { ...m, storedBytes: (await fs.stat(copy)).blocks * 512 };
        },
      ],
    ];
    // Alternate which side goes first from round to round.
    for (const [key, fn] of round % 2 ? [steps[0]!, ...steps.slice(1).reverse()] : steps) {
      const m = await fn();
      add(key, m);
      log(`round ${round + 1}/${o.rounds} ${key}: ${describe(m)}`);
    }
    // The qemu driver on the same content as a qcow2 image: its first snapshot.
    if (qemuTools) {
      await fs.rm(qemuDataDir, { recursive: true, force: true });
      await fs.mkdir(path.dirname(qcow2), { recursive: true });
      await run("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", pristine, qcow2]);
      const m = await qemu(["create", String(SERVER_ID), "1"]);
      add("first:snapdeck qemu", m);
      log(`round ${round + 1}/${o.rounds} first:snapdeck qemu: ${m.seconds.toFixed(2)}s`);
    }
    const changed = await child(dataDir, ["change", disk, String(o.changeFraction), `round-${round}`, positions]);
    changedMb = changed.changedBytes! / MIB;
    if (s3) {
      // The same change on the S3 rows' disk: a copy of the changed one.
      await fs.rm(s3Disk, { force: true });
      await run("cp", ["--sparse=always", disk, s3Disk]);
    }
    if (qemuTools) {
      // The same pieces written into the qcow2 through qemu-io (as a VM would), then the
      // incremental snapshot, which reads only what its dirty bitmap marks.
      await qemu(["qemu-change", disk, qcow2, positions]);
      const m = await qemu(["create", String(SERVER_ID), "2"]);
      add("second:snapdeck qemu", m);
      log(
        `round ${round + 1}/${o.rounds} second:snapdeck qemu: ${m.seconds.toFixed(2)}s, read ${((m.readBytes ?? NaN) / MIB).toFixed(1)} MiB`,
      );
    }
    const zst2 = path.join(out, "disk2.img.zst");
    const second: [string, () => Promise<Measure>][] = [
      ["second:snapdeck", () => child(dataDir, ["create", String(SERVER_ID), "2"], prof("second"))],
      ...s3Step("second:snapdeck s3", ["create", String(SERVER_ID), "2"], "second-s3"),
      ["second:zstd -T2 -3", () => timed(`zstd -q -T2 -3 -f -o ${q(zst2)} ${q(disk)} && sync ${q(zst2)}`, zst2)],
    ];
    const restored = path.join(out, "restored.img");
    const restore: [string, () => Promise<Measure>][] = [
      ["restore:snapdeck", () => child(dataDir, ["restore", String(SERVER_ID), "1"], prof("restore"))],
      ...s3Step("restore:snapdeck s3", ["restore", String(SERVER_ID), "1"], "restore-s3"),
      [
        "restore:zstd -d",
        async () => {
          await fs.rm(restored, { force: true });
          return timed(`zstd -q -d -f --sparse -o ${q(restored)} ${q(zst)} && sync ${q(restored)}`);
        },
      ],
    ];
    for (const [key, fn] of [...(round % 2 ? second.reverse() : second), ...(round % 2 ? restore.reverse() : restore)]) {
      const m = await fn();
      add(key, m);
      log(`round ${round + 1}/${o.rounds} ${key}: ${describe(m)}`);
    }
    if (round === 0) {
      restoreVerified = (await sha256File(disk)) === pristineHash && (await sha256File(restored)) === pristineHash;
      log(`restored disk byte-for-byte equal to snapshot 1: ${restoreVerified}`);
      if (s3) {
        const s3Verified = (await sha256File(s3Disk)) === pristineHash;
        log(`disk restored from the S3 store byte-for-byte equal to snapshot 1: ${s3Verified}`);
        restoreVerified &&= s3Verified;
      }
    }
  }
  await fs.rm(out, { recursive: true, force: true });
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rm(s3DataDir, { recursive: true, force: true });
  await fs.rm(qemuDataDir, { recursive: true, force: true });
  const qemuReads = (samples["second:snapdeck qemu"] ?? []).map((m) => (m.readBytes ?? NaN) / MIB);

  const rows: StepRow[] = Object.entries(samples).map(([key, ms]) => {
    const [step, tool] = key.split(":") as [string, string];
    const stored = ms.map((m) => (m.storedBytes ?? NaN) / MIB);
    return {
      step,
      tool,
      seconds: stat(ms.map((m) => m.seconds)),
      mbPerSec: stat(ms.map((m) => o.diskMb / m.seconds)),
      storedMb: stat(stored),
      rssMb: stat(ms.map((m) => m.maxRssMb)),
      ...(ms[0]?.floorRssMb !== undefined && { floorRssMb: stat(ms.map((m) => m.floorRssMb!)) }),
    };
  });
  const profiles = o.profileDir
    ? Object.fromEntries(
        ["first", "second", "restore"].flatMap((step) => [
          [`${step}:snapdeck`, summarizeProfileDir(path.join(o.profileDir!, `dataplane-${step}`), 12)],
          ...(s3 ? [[`${step}:snapdeck s3`, summarizeProfileDir(path.join(o.profileDir!, `dataplane-${step}-s3`), 12)]] : []),
        ]),
      )
    : undefined;
  return {
    options: o,
    allocatedMb,
    changedMb,
    restoreVerified,
    rows,
    samples,
    profiles,
    ...(qemuReads.length && { qemuSecondReadMb: stat(qemuReads).median }),
    ...(s3Skipped && { s3Skipped }),
  };
}

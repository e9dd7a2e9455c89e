// Snapshots and restores of libvirt guests, onto the same chunk store as simulated servers
// (so a snapshot restores across hypervisors). A running guest is never read from its live
// image: a push-mode backup job (`virsh backup-begin`) writes a point-in-time copy to a
// qcow2 scratch file, with a checkpoint (a persistent dirty bitmap) per snapshot, so the next
// snapshot copies only the clusters written since. The copy is made raw (sparse) and only
// what the job wrote is read; for an incremental, the rest of each chunk and every chunk it
// did not touch come from the base snapshot. Missing checkpoint, base or bitmap: a full copy.
import "server-only";
import { promises as fs } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { DiskDriver, OperationArgs, Range, SnapshotSize } from "@/lib/disks/driver";
import { backupXml, checkpointXml, type GuestDisk, type LibvirtHost } from "@/lib/disks/libvirt";
import { runQemuImg } from "@/lib/disks/qemu-img";
import { removeIfExists } from "@/lib/disks/fs-util";

export type Consistency = "offline" | "crash-consistent" | "application";
export const CHECKPOINT_PREFIX = "snapdeck-";
export const checkpointName = (snapshotId: number) => `${CHECKPOINT_PREFIX}${snapshotId}`;

export type GuestCapture = SnapshotSize & {
  consistency: Consistency;
  /** The checkpoint taken with this snapshot (the next one's base), if any. */
  checkpoint: string | null;
  /** How long the guest's filesystems were frozen, when they were. */
  frozenMs: number | null;
  incremental: boolean;
};

type Extent = { start: number; length: number; present?: boolean; data: boolean; zero: boolean; depth: number };

/** Ranges of a backup copy that hold what the job wrote: `present` clusters (incremental) or data (full). */
async function writtenRanges(file: string, incremental: boolean): Promise<Range[]> {
  const extents = JSON.parse(await runQemuImg(["map", "--output=json", "-f", "qcow2", file])) as Extent[];
  const ranges: Range[] = [];
  for (const e of extents) {
    if (e.depth !== 0 || !(incremental ? e.present : e.data)) continue;
    const last = ranges.at(-1);
    if (last && last.end === e.start) last.end = e.start + e.length;
    else ranges.push({ start: e.start, end: e.start + e.length });
  }
  return ranges;
}

export type CaptureArgs = OperationArgs & {
  host: LibvirtHost;
  domain: string;
  driver: DiskDriver;
  /** A directory libvirt's QEMU user can write (it writes the backup copy). */
  scratchDir: string;
  /** The server's newest completed snapshot and its checkpoint, if it has one. */
  base: { snapshotId: number; checkpoint: string } | null;
  log: Logger;
};

export async function captureGuest(args: CaptureArgs): Promise<GuestCapture> {
  const { host, domain, driver } = args;
  const disk = await host.disk(domain);
  const state = await host.state(domain);
  await fs.mkdir(args.scratchDir, { recursive: true, mode: 0o755 });
  const copy = path.join(args.scratchDir, `${args.snapshotId}.backup.qcow2`);
  const raw = path.join(args.scratchDir, `${args.snapshotId}.backup.raw`);
  await removeIfExists(copy);
  await removeIfExists(raw);
  try {
    if (state === "shut_off" || state === "crashed") {
      // qemu-img holds the image's lock while it reads: the guest cannot start meanwhile.
      await runQemuImg(["convert", "-p", "-f", disk.format, "-O", "raw", disk.file, raw], {
        signal: args.signal,
        onProgress: (p) => args.onProgress(p / 2),
      });
      const size = await driver.createSnapshot({
        ...args,
        source: { file: raw },
        onProgress: (p) => args.onProgress(50 + p / 2),
      });
      return { ...size, readBytes: disk.bytes, consistency: "offline", checkpoint: null, frozenMs: null, incremental: false };
    }
    return await captureRunning(args, disk, copy, raw);
  } finally {
    await removeIfExists(copy);
    await removeIfExists(raw);
  }
}

async function captureRunning(args: CaptureArgs, disk: GuestDisk, copy: string, raw: string): Promise<GuestCapture> {
  const { host, domain, driver, log } = args;
  const checkpoint = disk.format === "qcow2" ? checkpointName(args.snapshotId) : null; // bitmaps live in qcow2 only
  const existing = checkpoint ? await host.checkpoints(domain) : [];
  // A crashed earlier attempt may have left its job running and its checkpoint behind.
  if (await host.job(domain)) await host.abortJob(domain);
  if (checkpoint && existing.includes(checkpoint)) await host.deleteCheckpoint(domain, checkpoint);
  const base =
    checkpoint &&
    args.base &&
    existing.includes(args.base.checkpoint) &&
    (await driver.hasSnapshot(args.base.snapshotId, disk.bytes)) // a resized disk: a full copy
      ? args.base
      : null;

  let frozenMs: number | null = null;
  let incremental = base !== null;
  const begin = async () => {
    const backup = backupXml(disk, { file: copy, format: "qcow2" }, incremental ? base!.checkpoint : null);
    const cp = checkpoint ? checkpointXml(disk, checkpoint) : null;
    // Application-consistent when the guest agent can freeze the filesystems: frozen for
    // exactly the start of the job (which fixes its point in time), thawed right after.
    const frozen = (await host.agentResponds(domain)) && (await host.freeze(domain));
    const frozenAt = performance.now();
    try {
      await host.beginBackup(domain, backup, cp);
    } finally {
      if (frozen) {
        await host.thaw(domain);
        frozenMs = Math.round(performance.now() - frozenAt);
      }
    }
    return frozen;
  };
  let frozen: boolean;
  try {
    frozen = await begin();
  } catch (err) {
    if (!incremental) throw err;
    // A checkpoint whose bitmap is broken or gone (the disk was rewritten): a full copy.
    log.warn({ err, checkpoint: base!.checkpoint }, "incremental backup refused; taking a full copy");
    await host.deleteCheckpoint(domain, base!.checkpoint, true).catch(() => {});
    await removeIfExists(copy);
    incremental = false;
    frozen = await begin();
  }
  log.info({ frozenMs, incremental }, "backup job started");

  try {
    for (;;) {
      args.signal?.throwIfAborted();
      const job = await host.job(domain);
      if (!job) break;
      if (job.total > 0) args.onProgress((job.processed / job.total) * 40);
      await sleep(200);
    }
  } catch (err) {
    await host.abortJob(domain);
    throw err;
  }
  if (!(await host.lastJobCompleted(domain))) throw new Error(`the backup job of ${domain} did not complete`);
  // An incremental copy names the live disk as its backing file; it must not be read through.
  if (incremental) await runQemuImg(["rebase", "-u", "-b", "", "-f", "qcow2", copy]);
  const ranges = await writtenRanges(copy, incremental);
  await runQemuImg(["convert", "-f", "qcow2", "-O", "raw", copy, raw], { signal: args.signal });
  await removeIfExists(copy);
  const size = await driver.createSnapshot({
    ...args,
    source: { file: raw, ranges, ...(incremental && { baseSnapshotId: base!.snapshotId }) },
    onProgress: (p) => args.onProgress(40 + (p * 60) / 100),
  });
  const readBytes = incremental ? ranges.reduce((sum, r) => sum + r.end - r.start, 0) : disk.bytes;
  return {
    ...size,
    readBytes,
    consistency: frozen ? "application" : "crash-consistent",
    checkpoint,
    frozenMs,
    incremental,
  };
}

/** After a snapshot with `keep` committed: older Snapdeck checkpoints are no base any more. */
export async function pruneCheckpoints(host: LibvirtHost, domain: string, keep: string): Promise<void> {
  for (const name of await host.checkpoints(domain))
    if (name.startsWith(CHECKPOINT_PREFIX) && name !== keep) await host.deleteCheckpoint(domain, name);
}

/** After the disk was rewritten: every checkpoint's bitmap is gone or wrong; forget them all. */
export async function dropAllCheckpoints(host: LibvirtHost, domain: string): Promise<void> {
  for (const name of await host.checkpoints(domain)) await host.deleteCheckpoint(domain, name, true);
}

// Incremental snapshots of qcow2 disks through persistent dirty bitmaps, all with Debian's
// qemu-utils and no running VM:
//   - Before a snapshot reads anything, it adds an enabled bitmap `snapdeck-<its id>` to the
//     disk, so every later write through qemu (qemu-io, a VM) marks its clusters dirty.
//   - The next snapshot looks for such a bitmap whose snapshot file still exists and that is
//     consistent (flag `auto`, not `in-use`: a process that died with the image open leaves
//     `in-use`). None: a full copy, as before.
//   - With one, qemu-nbd exports the disk read-only with the bitmap as a metadata context and
//     `qemu-img map … x-dirty-bitmap=` lists its dirty extents (reported as "data": false).
//   - The new snapshot is a qcow2 overlay first backed by the disk itself; one qemu-io with
//     copy-on-read reads the dirty extents that hold data (each read cluster is copied into
//     the overlay) and writes zero clusters where the disk now reads as zeros. Nothing else
//     of the disk is read. Then the overlay's backing pointer moves to the previous snapshot
//     (`rebase -u`): the clean clusters are unchanged since it was taken.
import "server-only";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { imageInfo, runQemuImg, runQemuTool, type ImageInfo } from "@/lib/disks/qemu-img";

const PREFIX = "snapdeck-";
export const bitmapName = (snapshotId: number) => `${PREFIX}${snapshotId}`;

type Extent = { start: number; length: number; data: boolean; zero?: boolean };

/** Starts tracking writes for the snapshot after `snapshotId`; null when it cannot (the image is locked by a running VM). */
export async function startTracking(disk: string, snapshotId: number): Promise<ImageInfo | null> {
  let info: ImageInfo;
  try {
    info = await imageInfo(disk); // takes the write lock's probe: fails while a VM holds the image
  } catch {
    return null;
  }
  const name = bitmapName(snapshotId);
  try {
    if (bitmaps(info).some((b) => b.name === name)) await runQemuImg(["bitmap", "--remove", "-f", "qcow2", disk, name]); // a retry starts over
    await runQemuImg(["bitmap", "--add", "--enable", "-f", "qcow2", disk, name]);
  } catch {
    return null; // the image cannot take a bitmap now: this snapshot is a full copy
  }
  return info;
}

function bitmaps(info: ImageInfo) {
  return info["format-specific"]?.data?.bitmaps ?? [];
}

/** The newest snapshot id whose bitmap is consistent and for which `exists` holds. */
export async function usableBase(
  info: ImageInfo,
  snapshotId: number,
  exists: (id: number) => Promise<boolean>,
): Promise<number | null> {
  const ids = bitmaps(info)
    .filter((b) => b.name.startsWith(PREFIX) && b.flags.includes("auto") && !b.flags.includes("in-use"))
    .map((b) => Number(b.name.slice(PREFIX.length)))
    .filter((id) => Number.isInteger(id) && id !== snapshotId)
    .sort((a, b) => b - a);
  for (const id of ids) if (await exists(id)) return id;
  return null;
}

/** Removes every snapdeck bitmap but the one of `snapshotId` (after it committed). */
export async function dropOlderBitmaps(disk: string, snapshotId: number): Promise<void> {
  for (const b of bitmaps(await imageInfo(disk)))
    if (b.name.startsWith(PREFIX) && b.name !== bitmapName(snapshotId))
      await runQemuImg(["bitmap", "--remove", "-f", "qcow2", disk, b.name]);
}

/** Extents of the disk that `bitmap` marks dirty, merged, in order. */
async function dirtyExtents(disk: string, bitmap: string): Promise<{ start: number; end: number }[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "snapdeck-nbd-")); // a socket path must stay short
  const socket = path.join(dir, "s");
  const pidFile = path.join(dir, "pid");
  try {
    // --fork returns once the socket accepts clients; -r: the disk is only read.
    await runQemuTool("qemu-nbd", [
      "--fork",
      "--pid-file",
      pidFile,
      "-r",
      "-f",
      "qcow2",
      "-B",
      bitmap,
      "-k",
      socket,
      "-x",
      "disk",
      disk,
    ]);
    try {
      const opts = `driver=nbd,server.type=unix,server.path=${socket},export=disk,x-dirty-bitmap=qemu:dirty-bitmap:${bitmap}`;
      const extents = JSON.parse(await runQemuImg(["map", "--output=json", "--image-opts", opts])) as Extent[];
      const dirty: { start: number; end: number }[] = [];
      for (const e of extents) {
        if (e.data) continue; // clean
        const last = dirty.at(-1);
        if (last && last.end === e.start) last.end += e.length;
        else dirty.push({ start: e.start, end: e.start + e.length });
      }
      return dirty;
    } finally {
      const pid = Number(await readFile(pidFile, "utf8").catch(() => ""));
      if (pid > 0) {
        try {
          process.kill(pid); // it exits by itself after its one client; this is for a failed map
        } catch {
          // already gone
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes `tmp`, a qcow2 overlay of `base` (a file name in the same directory) holding the
 * disk's clusters that changed since the base was taken. Returns the bytes read from the disk.
 */
export async function writeIncremental(args: {
  disk: string;
  info: ImageInfo;
  bitmap: string;
  base: string;
  tmp: string;
  signal?: AbortSignal;
}): Promise<number> {
  const dirty = await dirtyExtents(args.disk, args.bitmap);
  // Where the disk holds data now (a dirty extent may since have become zeros or a hole).
  const map = JSON.parse(await runQemuImg(["map", "-U", "--output=json", "-f", "qcow2", args.disk])) as Extent[];
  const commands: string[] = [];
  let readBytes = 0;
  let m = 0;
  for (const d of dirty) {
    while (m < map.length && map[m]!.start + map[m]!.length <= d.start) m++;
    for (let k = m; k < map.length && map[k]!.start < d.end; k++) {
      const e = map[k]!;
      const start = Math.max(d.start, e.start);
      const length = Math.min(d.end, e.start + e.length) - start;
      if (e.data && !e.zero) {
        commands.push(`read -q ${start} ${length}`);
        readBytes += length;
      } else commands.push(`write -q -z ${start} ${length}`);
    }
  }
  const cluster = String(args.info["cluster-size"] ?? 65536);
  await runQemuImg([
    "create",
    "-q",
    "-f",
    "qcow2",
    "-o",
    `cluster_size=${cluster},compression_type=zstd`,
    "-b",
    args.disk,
    "-F",
    "qcow2",
    args.tmp,
  ]);
  // -C: copy-on-read, so every cluster read lands in the overlay. Commands on stdin (a long
  // list would not fit an argument list).
  if (commands.length)
    await runQemuTool("qemu-io", ["-C", "-f", "qcow2", args.tmp], {
      stdin: commands.join("\n") + "\nquit\n",
      signal: args.signal,
    });
  await runQemuImg(["rebase", "-u", "-f", "qcow2", "-b", args.base, "-F", "qcow2", args.tmp]);
  return readBytes;
}

// Incremental qcow2 snapshots through persistent dirty bitmaps (lib/disks/qemu-incremental.ts):
// what a second snapshot reads (the driver's count, and independently the clusters its file
// holds), byte-exact restores through the chain, deletes that fold a base into the snapshots
// built on it, and the fallback to a full read whenever the bitmap cannot be trusted.
import { execFileSync, spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createQemuDriver } from "@/lib/disks/qemu";
import { backingFile } from "@/lib/disks/qcow2-header";
import { isImageLocked } from "@/lib/disks/qemu-img";
import { writeDemoContent } from "@/lib/disks/demo-content";
import { MIB, tempFiles } from "./helpers";

const dataDir = path.join(process.env.DATA_DIR!, "qemu-incremental");
const storeDir = path.join(dataDir, "snapshots", "qemu");
const driver = createQemuDriver({ dataDir, throughputMbps: 0 });
const noProgress = () => {};
const KIB = 1024;

async function contentHash(image: string): Promise<string> {
  const raw = `${image}.export`;
  execFileSync("qemu-img", ["convert", "-U", "-O", "raw", image, raw]);
  const out = execFileSync("sha256sum", [raw], { encoding: "utf8" }).split(" ")[0]!;
  await fs.unlink(raw);
  return out;
}

async function newDisk(serverId: number) {
  await driver.createDisk(serverId, 64);
  const raw = path.join(dataDir, `fill-${serverId}.raw`);
  await fs.writeFile(raw, "");
  await fs.truncate(raw, 64 * MIB);
  await writeDemoContent(raw, 40);
  // -n: into the existing image, so it stays the one createDisk made.
  execFileSync("qemu-img", ["convert", "-n", "-f", "raw", "-O", "qcow2", raw, driver.diskPath(serverId)]);
  await fs.unlink(raw);
}

/** Writes through qemu (as a VM would), so the disk's enabled bitmaps see the writes. */
const qemuIo = (serverId: number, ...commands: string[]) =>
  execFileSync("qemu-io", ["-f", "qcow2", ...commands.flatMap((c) => ["-c", c]), driver.diskPath(serverId)], { stdio: "ignore" });

/** Bytes of data a snapshot file holds itself (not through its backing file). */
function ownDataBytes(snapshotId: number): number {
  const map = JSON.parse(
    execFileSync("qemu-img", ["map", "-U", "--output=json", path.join(storeDir, `${snapshotId}.qcow2`)], { encoding: "utf8" }),
  ) as { length: number; depth: number; data: boolean }[];
  return map.filter((e) => e.depth === 0 && e.data).reduce((sum, e) => sum + e.length, 0);
}

const snapshot = (serverId: number, snapshotId: number) =>
  driver.createSnapshot({ serverId, snapshotId, onProgress: noProgress });

describe("qemu incremental snapshots", () => {
  const hashes = new Map<number, string>();
  beforeAll(async () => {
    await newDisk(1);
  });

  it("a second snapshot reads only the changed clusters and builds on the first; every snapshot restores byte for byte", async () => {
    const first = await snapshot(1, 1);
    hashes.set(1, await contentHash(driver.diskPath(1)));
    expect(first.readBytes).toBeUndefined(); // no bitmap yet: a full copy
    expect(await backingFile(path.join(storeDir, "1.qcow2"))).toBeNull();

    qemuIo(1, "write -P 0x5a 3M 64k", "write -P 0x5b 17M 128k");
    const second = await snapshot(1, 2);
    hashes.set(2, await contentHash(driver.diskPath(1)));
    expect(second.readBytes).toBe(192 * KIB);
    expect(ownDataBytes(2)).toBe(192 * KIB); // the file holds exactly the changed clusters
    expect(await backingFile(path.join(storeDir, "2.qcow2"))).toBe("1.qcow2");
    expect(second.storedBytes).toBeLessThan(first.storedBytes);

    // Zeros written over data are carried over as zero clusters, without reading them.
    qemuIo(1, "write -z 5M 64k", "write -P 0x5c 30M 64k");
    const third = await snapshot(1, 3);
    hashes.set(3, await contentHash(driver.diskPath(1)));
    expect(third.readBytes).toBe(64 * KIB);
    expect(await backingFile(path.join(storeDir, "3.qcow2"))).toBe("2.qcow2");

    for (const id of [1, 2, 3, 2]) {
      await driver.restoreSnapshot({ serverId: 1, snapshotId: id, onProgress: noProgress });
      expect(await contentHash(driver.diskPath(1))).toBe(hashes.get(id));
    }
    expect(await tempFiles(dataDir)).toEqual([]);
  });

  it("deleting a snapshot others build on folds its clusters into them first", async () => {
    await driver.deleteSnapshot(2);
    expect(await backingFile(path.join(storeDir, "3.qcow2"))).toBe("1.qcow2");
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 3, onProgress: noProgress });
    expect(await contentHash(driver.diskPath(1))).toBe(hashes.get(3));

    await driver.deleteSnapshot(1);
    expect(await backingFile(path.join(storeDir, "3.qcow2"))).toBeNull();
    expect(await fs.readdir(storeDir)).toEqual(["3.qcow2"]);
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 3, onProgress: noProgress });
    expect(await contentHash(driver.diskPath(1))).toBe(hashes.get(3));
    await driver.deleteSnapshot(3);
  });

  it("falls back to a full read when the bitmap is missing, left inconsistent by a crash, or its snapshot is gone", async () => {
    await newDisk(2);
    await snapshot(2, 10);
    const expectFullAndExact = async (snapshotId: number) => {
      const size = await snapshot(2, snapshotId);
      const hash = await contentHash(driver.diskPath(2));
      expect(size.readBytes).toBeUndefined();
      expect(await backingFile(path.join(storeDir, `${snapshotId}.qcow2`))).toBeNull();
      qemuIo(2, "write -P 0x11 0 1M"); // overwritten, then restored
      await driver.restoreSnapshot({ serverId: 2, snapshotId, onProgress: noProgress });
      expect(await contentHash(driver.diskPath(2))).toBe(hash);
    };

    // Missing: someone removed the bitmap.
    execFileSync("qemu-img", ["bitmap", "--remove", driver.diskPath(2), "snapdeck-10"]);
    qemuIo(2, "write -P 0x21 2M 64k");
    await expectFullAndExact(11);

    // Inconsistent: a process died with the image open for writing (bitmap flagged in-use).
    await snapshot(2, 12);
    try {
      qemuIo(2, "write -P 0x22 4M 64k", "abort");
    } catch {
      // qemu-io aborted, as asked
    }
    await expectFullAndExact(13);

    // Gone: the bitmap's snapshot was deleted (a restore also drops bitmaps: the image is new).
    await snapshot(2, 14);
    await driver.deleteSnapshot(14);
    qemuIo(2, "write -P 0x23 6M 64k");
    await expectFullAndExact(15);
  });

  it("a snapshot while a running VM holds the image is a full copy (no bitmap can be added)", async () => {
    await snapshot(2, 16); // tracked from here
    qemuIo(2, "write -P 0x24 8M 64k");
    const holder = spawn("qemu-io", ["-f", "qcow2", driver.diskPath(2)], { stdio: ["pipe", "ignore", "ignore"] });
    try {
      // Wait until qemu-io holds the image's write lock.
      await expect.poll(() => isImageLocked(driver.diskPath(2)), { timeout: 30_000 }).toBe(true); // qemu-io starts slowly on a loaded machine
      const size = await snapshot(2, 17);
      expect(size.readBytes).toBeUndefined();
      expect(await backingFile(path.join(storeDir, "17.qcow2"))).toBeNull();
    } finally {
      holder.kill("SIGKILL");
    }
  });
});

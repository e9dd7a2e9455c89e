// The qemu driver against real qcow2 images. It needs qemu-img: where it is missing this
// file FAILS (never skips) and says how to install it.
import { execFileSync, spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createQemuDriver } from "@/lib/disks/qemu";
import { writeDemoContent } from "@/lib/disks/demo-content";
import { MIB, tempFiles } from "./helpers";

function hasQemuImg(): boolean {
  try {
    execFileSync("qemu-img", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const dataDir = path.join(process.env.DATA_DIR!, "qemu-driver");
const driver = createQemuDriver({ dataDir, throughputMbps: 0 });
const noProgress = () => {};

/** The guest-visible content, independent of qcow2 layout: a raw export's SHA-256. */
async function contentHash(image: string): Promise<string> {
  const raw = `${image}.export`;
  execFileSync("qemu-img", ["convert", "-U", "-O", "raw", image, raw]);
  const out = execFileSync("sha256sum", [raw], { encoding: "utf8" }).split(" ")[0];
  await fs.unlink(raw);
  return out;
}

/** Writes the demo content into a qcow2 disk through a raw twin (as fillDemoDisk does). */
async function fill(serverId: number, sizeMb: number, contentMb: number) {
  const raw = path.join(dataDir, `fill-${serverId}.raw`);
  await fs.writeFile(raw, "");
  await fs.truncate(raw, sizeMb * MIB);
  await writeDemoContent(raw, contentMb);
  execFileSync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, driver.diskPath(serverId)]);
  await fs.unlink(raw);
}

function scribble(serverId: number, offset: number, length: number) {
  execFileSync("qemu-io", ["-f", "qcow2", "-c", `write -P 0x5a ${offset} ${length}`, driver.diskPath(serverId)], {
    stdio: "ignore",
  });
}

describe("qemu driver", () => {
  it("has qemu-img available", () => {
    if (!hasQemuImg()) throw new Error("qemu-img is not installed; the qemu driver tests need it: apt-get install qemu-utils");
  });

  it("snapshots and restores a qcow2 disk so its content is byte-exact again", async () => {
    await driver.createDisk(1, 32);
    await expect(driver.createDisk(1, 32)).rejects.toThrow(/EEXIST/);
    await fill(1, 32, 20);
    const before = await contentHash(driver.diskPath(1));
    const progress: number[] = [];
    const size = await driver.createSnapshot({ serverId: 1, snapshotId: 1, onProgress: (p) => progress.push(p) });
    expect(size.sizeBytes).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(100);
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true); // parsed from qemu-img -p

    scribble(1, 0, 65536);
    scribble(1, 7 * MIB, 3 * MIB);
    expect(await contentHash(driver.diskPath(1))).not.toBe(before);
    await driver.restoreSnapshot({ serverId: 1, snapshotId: 1, onProgress: noProgress });
    expect(await contentHash(driver.diskPath(1))).toBe(before);
    expect(await tempFiles(dataDir)).toEqual([]);
    expect(await driver.storedSize(1)).toBeGreaterThan(0);
  });

  it("refuses to restore onto an image a running VM holds locked", async () => {
    const holder = spawn("qemu-io", ["-f", "qcow2", driver.diskPath(1)], { stdio: ["pipe", "ignore", "ignore"] });
    try {
      await new Promise((r) => setTimeout(r, 500)); // qemu-io has opened the image
      const before = await contentHash(driver.diskPath(1));
      await expect(driver.restoreSnapshot({ serverId: 1, snapshotId: 1, onProgress: noProgress })).rejects.toThrow(/locked/);
      expect(await contentHash(driver.diskPath(1))).toBe(before);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("fails a restore from a corrupt snapshot and leaves the disk unchanged", async () => {
    await driver.createSnapshot({ serverId: 1, snapshotId: 2, onProgress: noProgress });
    const store = path.join(dataDir, "snapshots", "qemu", "2.qcow2");
    const handle = await fs.open(store, "r+");
    await handle.write(Buffer.alloc(4096, 0xff), 0, 4096, 0); // the qcow2 header
    await handle.close();
    scribble(1, 0, 65536);
    const before = await contentHash(driver.diskPath(1));
    await expect(driver.restoreSnapshot({ serverId: 1, snapshotId: 2, onProgress: noProgress })).rejects.toMatchObject({
      code: "snapshot_corrupt",
    });
    expect(await contentHash(driver.diskPath(1))).toBe(before);
    await driver.deleteSnapshot(2);
    expect(await driver.storedSize(2)).toBe(0);
    expect(await tempFiles(dataDir)).toEqual([]);
  });
});

describe("fillDemoDisk with SNAPDECK_DISK_DRIVER=qemu", () => {
  it("writes real content into the server's qcow2 disk", async () => {
    process.env.SNAPDECK_DISK_DRIVER = "qemu";
    try {
      const { getDiskDriver } = await import("@/lib/disks/get-driver");
      const { fillDemoDisk } = await import("@/lib/disks/demo-content");
      const qemu = getDiskDriver();
      expect(qemu.name).toBe("qemu");
      await qemu.createDisk(77, 16);
      await fillDemoDisk(77, 8);
      const info = JSON.parse(execFileSync("qemu-img", ["info", "--output=json", qemu.diskPath(77)], { encoding: "utf8" }));
      expect(info.format).toBe("qcow2");
      expect(info["virtual-size"]).toBe(16 * MIB);
      expect(info["actual-size"]).toBeGreaterThan(7 * MIB);
      expect(await tempFiles(path.dirname(qemu.diskPath(77)))).toEqual([]);
    } finally {
      delete process.env.SNAPDECK_DISK_DRIVER;
    }
  });
});

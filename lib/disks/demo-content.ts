// Real, mixed content for demo disks (log-like text, random binary, repeated patterns,
// written zeros, and the untouched sparse holes between), so snapshots take visible time
// and compression and dedupe have something realistic to chew on. Deterministic (seeded
// AES-CTR stream, no Math.random) and streamed one MiB at a time.
import "server-only";
import { createCipheriv, createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import type { DiskDriver } from "@/lib/disks/driver";
import { getDiskDriver } from "@/lib/disks/get-driver";
import { fsyncDir, removeIfExists } from "@/lib/disks/fs-util";
import { imageInfo, runQemuImg } from "@/lib/disks/qemu-img";
import path from "node:path";

const MIB = 1024 * 1024;

function randomStream(seed: string) {
  const key = createHash("sha256").update(seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return (length: number) => cipher.update(Buffer.alloc(length));
}

function textBlock(index: number): Buffer {
  const services = ["nginx", "postgres", "sshd", "cron", "app"];
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < MIB; i++) {
    const line = `2025-01-16T${String((index + i) % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:07Z web-${index % 7} ${services[i % 5]}[${1000 + (i % 977)}]: GET /api/v1/items/${(index * 7919 + i) % 100_003} 200 ${(i * 37) % 9000}b\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join("")).subarray(0, MIB);
}

function blockFor(kind: number, index: number, random: (n: number) => Buffer): Buffer {
  switch (kind) {
    case 0:
    case 1:
    case 2:
      return textBlock(index);
    case 3:
    case 4:
      return random(MIB);
    case 5: // a repeated 4 KiB binary pattern (compresses well, unlike random data)
      return Buffer.alloc(MIB, random(4096));
    case 6: // allocated zeros, as a freshly formatted filesystem has
      return Buffer.alloc(MIB);
    default:
      return Buffer.concat([textBlock(index).subarray(0, MIB / 2), random(MIB / 2)]);
  }
}

/** Fills an existing sparse raw disk with about `contentMb` MB spread over its whole size. */
export async function writeDemoContent(diskPath: string, contentMb: number): Promise<void> {
  const handle = await fs.open(diskPath, "r+");
  try {
    const diskBlocks = Math.floor((await handle.stat()).size / MIB);
    const blocks = Math.min(Math.max(0, Math.floor(contentMb)), diskBlocks);
    const random = randomStream(`snapdeck-demo:${path.basename(diskPath)}`);
    for (let k = 0; k < blocks; k++) {
      const offset = Math.floor((k * diskBlocks) / blocks) * MIB;
      await handle.write(blockFor(k % 8, k, random), 0, MIB, offset);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** qcow2 disks: write the content into a raw twin, then convert it over the disk. */
async function fillQemuDisk(driver: DiskDriver, serverId: number, contentMb: number): Promise<void> {
  const disk = driver.diskPath(serverId);
  const raw = `${disk}.demo-raw.tmp`;
  const converted = `${disk}.demo-qcow2.tmp`;
  try {
    const handle = await fs.open(raw, "w");
    await handle.truncate((await imageInfo(disk))["virtual-size"]);
    await handle.close();
    await writeDemoContent(raw, contentMb);
    await runQemuImg(["convert", "-f", "raw", "-O", "qcow2", raw, converted]);
    await fs.rename(converted, disk);
    await fsyncDir(path.dirname(disk));
  } finally {
    await removeIfExists(raw);
    await removeIfExists(converted);
  }
}

/** Gives a freshly created server disk real content, whichever driver is configured. */
export async function fillDemoDisk(serverId: number, contentMb: number): Promise<void> {
  const driver = getDiskDriver();
  if (driver.name === "qemu") await fillQemuDisk(driver, serverId, contentMb);
  else await writeDemoContent(driver.diskPath(serverId), contentMb);
}

// Demo disks hold real, mixed, deterministic content spread over the disk.
import { promises as fs } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { expect, it } from "vitest";
import { writeDemoContent } from "@/lib/disks/demo-content";
import { hashFile, MIB } from "./helpers";

const dir = path.join(process.env.DATA_DIR!, "demo");

async function sparseDisk(name: string, sizeMb: number) {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await fs.writeFile(file, "");
  await fs.truncate(file, sizeMb * MIB);
  return file;
}

it("fills about the asked amount with text, random binary, patterns and zeros, deterministically", async () => {
  const a = await sparseDisk("a.img", 64);
  await writeDemoContent(a, 16);
  const stat = await fs.stat(a);
  expect(stat.size).toBe(64 * MIB); // the disk keeps its size
  expect(stat.blocks * 512).toBeGreaterThan(14 * MIB);
  expect(stat.blocks * 512).toBeLessThan(20 * MIB); // still sparse between the blocks

  const data = await fs.readFile(a);
  const blocks = Array.from({ length: 64 }, (_, i) => data.subarray(i * MIB, (i + 1) * MIB));
  const ratio = (b: Buffer) =>
    zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }).length / b.length;
  const text = blocks.filter((b) => /GET \/api\/v1\/items/.test(b.subarray(0, 200).toString("latin1")));
  const incompressible = blocks.filter((b) => b.some((x) => x !== 0) && ratio(b) > 0.95);
  expect(text.length).toBeGreaterThan(3);
  expect(incompressible.length).toBeGreaterThan(1);
  expect(blocks.filter((b) => b.every((x) => x === 0)).length).toBeGreaterThan(40);
  expect(data.subarray(63 * MIB).some((x) => x !== 0) || data.subarray(60 * MIB).some((x) => x !== 0)).toBe(true); // spread to the end

  const b = await sparseDisk("a2.img", 64);
  await writeDemoContent(b, 16);
  expect(await hashFile(b)).not.toBe(await hashFile(a)); // seeded by the file name
  const again = path.join(dir, "again");
  await fs.mkdir(again, { recursive: true });
  const a2 = path.join(again, "a.img");
  await fs.writeFile(a2, "");
  await fs.truncate(a2, 64 * MIB);
  await writeDemoContent(a2, 16);
  expect(await hashFile(a2)).toBe(await hashFile(a)); // same name, same content
});

it("fillDemoDisk fills a server disk of the default (local) driver", async () => {
  const { getDiskDriver } = await import("@/lib/disks/get-driver");
  const { fillDemoDisk } = await import("@/lib/disks/demo-content");
  const driver = getDiskDriver();
  await driver.createDisk(501, 32);
  await fillDemoDisk(501, 8);
  expect((await fs.stat(driver.diskPath(501))).blocks * 512).toBeGreaterThan(7 * MIB);
});

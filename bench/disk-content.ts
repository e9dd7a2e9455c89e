// The data-plane benchmark's disk: a sparse raw image filled with the project's own demo
// content (log text, random bytes, repeated patterns, written zeros, all spread over the
// disk with holes between), plus a run of real executable code (the node binary), and the
// "1% change" applied between the first and second snapshot.
import { createCipheriv, createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { writeDemoContent } from "@/lib/disks/demo-content";

const MIB = 1024 * 1024;

/** Creates `file` as a sparse disk of `diskMb` MiB holding about `contentMb` MiB of data. */
export async function writeBenchDisk(file: string, diskMb: number, contentMb: number): Promise<void> {
  const handle = await fs.open(file, "w");
  await handle.truncate(diskMb * MIB);
  await handle.close();
  const binaryMb = Math.max(1, Math.round(contentMb / 10));
  await writeDemoContent(file, contentMb - binaryMb);
  // Real binaries: a slice of the node executable, written into the hole-rich tail of
  // the disk (it replaces a few demo blocks there; the total stays about contentMb).
  const node = await fs.open(process.execPath, "r");
  const out = await fs.open(file, "r+");
  try {
    const buf = Buffer.alloc(MIB);
    const nodeBytes = (await node.stat()).size;
    const start = Math.floor(diskMb * 0.7) * MIB;
    for (let i = 0; i < binaryMb; i++) {
      const { bytesRead } = await node.read(buf, 0, MIB, (i * MIB) % Math.max(MIB, nodeBytes - MIB));
      await out.write(buf, 0, bytesRead, start + i * MIB);
    }
    await out.sync();
  } finally {
    await node.close();
    await out.close();
  }
}

/** Bytes actually allocated on disk (sparse holes excluded). */
export async function allocatedBytes(file: string): Promise<number> {
  return (await fs.stat(file)).blocks * 512;
}

/**
 * Overwrites `fraction` of the disk's data with fresh random bytes, in 64 KiB pieces at
 * deterministic pseudo-random places that hold data (holes are skipped), the way a
 * package upgrade touches many files a little.
 */
export async function changeData(file: string, fraction: number, seed: string): Promise<number> {
  const piece = 64 * 1024;
  const handle = await fs.open(file, "r+");
  const key = createHash("sha256").update(seed).digest();
  const stream = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const next = () => stream.update(Buffer.alloc(piece));
  try {
    const size = (await handle.stat()).size;
    const target = Math.max(1, Math.round((await allocatedBytes(file)) * fraction / piece));
    const probe = Buffer.alloc(piece);
    const zero = Buffer.alloc(piece);
    let changed = 0;
    for (let attempt = 0; changed < target && attempt < target * 200; attempt++) {
      const position = (next().readUInt32LE(0) % Math.floor(size / piece)) * piece;
      await handle.read(probe, 0, piece, position);
      if (probe.equals(zero)) continue; // a hole or written zeros: not "data"
      await handle.write(next(), 0, piece, position);
      changed++;
    }
    await handle.sync();
    return changed * piece;
  } finally {
    await handle.close();
  }
}

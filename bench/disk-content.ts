// The data-plane benchmark's disk: a sparse raw image filled with the project's own demo
// content (log text, random bytes, repeated patterns, written zeros, all spread over the
// disk with holes between), plus a run of real executable code (the node binary), and the
// "1% change" applied between the first and second snapshot.
import { createCipheriv, createHash } from "node:crypto";
import { spawn } from "node:child_process";
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
 * package upgrade touches many files a little. The places changed are pushed to `positions`.
 */
export async function changeData(file: string, fraction: number, seed: string, positions: number[] = []): Promise<number> {
  const piece = 64 * 1024;
  const handle = await fs.open(file, "r+");
  const key = createHash("sha256").update(seed).digest();
  const stream = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const next = () => stream.update(Buffer.alloc(piece));
  try {
    const size = (await handle.stat()).size;
    const target = Math.max(1, Math.round(((await allocatedBytes(file)) * fraction) / piece));
    const probe = Buffer.alloc(piece);
    const zero = Buffer.alloc(piece);
    let changed = 0;
    for (let attempt = 0; changed < target && attempt < target * 200; attempt++) {
      const position = (next().readUInt32LE(0) % Math.floor(size / piece)) * piece;
      await handle.read(probe, 0, piece, position);
      if (probe.equals(zero)) continue; // a hole or written zeros: not "data"
      await handle.write(next(), 0, piece, position);
      positions.push(position);
      changed++;
    }
    await handle.sync();
    return changed * piece;
  } finally {
    await handle.close();
  }
}

/**
 * Applies the same change to a qcow2 twin of the raw disk, through qemu (qemu-io), so the
 * image's dirty bitmaps see it as they would a VM's writes: each changed piece of `raw` is
 * written at its place in `qcow2`.
 */
export async function applyChangeToQcow2(raw: string, qcow2: string, positions: number[], workDir: string): Promise<void> {
  const piece = 64 * 1024;
  const handle = await fs.open(raw, "r");
  const commands: string[] = [];
  try {
    for (const [i, position] of positions.entries()) {
      const file = `${workDir}/piece-${i}`;
      const buf = Buffer.alloc(piece);
      await handle.read(buf, 0, piece, position);
      await fs.writeFile(file, buf);
      commands.push(`write -q -s ${file} ${position} ${piece}`);
    }
  } finally {
    await handle.close();
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn("qemu-io", ["-f", "qcow2", qcow2], { stdio: ["pipe", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`qemu-io exited with ${code}`))));
    child.stdin.end(commands.join("\n") + "\nquit\n");
  });
}

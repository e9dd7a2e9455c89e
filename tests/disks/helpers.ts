// Shared by the data-plane tests: file hashing, in-place edits, temp-file hunting.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import { createLocalDriver } from "@/lib/disks/local";
import { chunkRefs } from "@/lib/jobs/chunk-refs";
import { prisma } from "@/lib/server/db";

export async function hashFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Overwrites `length` bytes at `offset` with random data. */
export async function scribble(file: string, offset: number, length: number): Promise<void> {
  const handle = await fs.open(file, "r+");
  try {
    await handle.write(randomBytes(length), 0, length, offset);
  } finally {
    await handle.close();
  }
}

/** Every file under `dir` (recursively) whose name matches. */
export async function findFiles(dir: string, match: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...(await findFiles(full, match)));
    else if (match(e.name)) found.push(full);
  }
  return found;
}

export const tempFiles = (dir: string) => findFiles(dir, (n) => n.endsWith(".tmp"));
export const MIB = 1024 * 1024;

/** The local driver as the app builds it (chunk references in this test file's database). */
export function localDriver(dataDir: string, throughputMbps = 0) {
  return createLocalDriver({ dataDir, throughputMbps, chunkIndex: chunkRefs });
}

/**
 * Empties the chunk tables, for a test that starts a store of its own: a store and its
 * database belong together, and the stores of one test file share the file's database.
 */
export async function forgetChunkRefs() {
  await prisma.$transaction([prisma.snapshotChunk.deleteMany(), prisma.chunk.deleteMany()]);
}

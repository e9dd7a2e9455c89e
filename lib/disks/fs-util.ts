// Small filesystem helpers for crash-safe writes: data is fsynced before a rename makes it
// visible, and the directory is fsynced after, so a power loss never exposes half a file.
import "server-only";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to a temp file beside `target`, fsyncs it, renames it into place. */
export async function writeFileAtomic(target: string, data: string | Buffer): Promise<void> {
  // pid@host (the sweep recognises a dead writer of its own host by it, blob-store.ts) +
  // random: two writers in one process may race on the same target within a millisecond.
  const tmp = `${target}.${process.pid}@${os.hostname()}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const handle = await fs.open(tmp, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  } catch (err) {
    // A full or failing disk must not also leak a half-written temp file.
    await fs.unlink(tmp).catch(() => {});
    throw err;
  }
  await fsyncDir(path.dirname(target));
}

export async function removeIfExists(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** Removes every `*.tmp` file in `dir` whose name starts with `prefix`. */
export async function removeTempFiles(dir: string, prefix: string): Promise<void> {
  for (const name of await listDir(dir)) {
    if (name.startsWith(prefix) && name.endsWith(".tmp")) await removeIfExists(path.join(dir, name));
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Whether `dir` takes a small write right now (a full, read-only or failing disk does not). */
export async function probeWritable(dir: string): Promise<void> {
  const file = path.join(dir, `.probe.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(file, "probe\n"); // one byte is enough: a full tmpfs or disk has no block for it
  } finally {
    await fs.unlink(file).catch(() => {});
  }
}

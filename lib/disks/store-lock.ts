// A cross-process mutex for the chunk store: a symlink created atomically. Creates hold
// it for a few microseconds per chunk (journal append + existence check) and deletes for
// their scan-and-unlink, which is what keeps GC from removing a chunk a running create has
// just decided to reuse. A holder that died (kill -9) is detected by its pid on this host,
// or by the lock's age: holds are sub-second, so a minute-old lock is certainly stale.
// A symlink, not a file with content: it is created whole or not at all (no half-written
// or empty lock after ENOSPC), and its short target lives in the inode, so a full store can
// still be locked, which is what deleting snapshots to free space needs. Anything at the
// lock path that is not a readable holder (an empty file from older versions, garbage) is
// stale at once.
import { promises as fs, readFileSync } from "node:fs";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

const STALE_MS = 60_000;

/** Whether a process with this pid runs on this host (a zombie does not count). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

// A killed worker whose parent is gone stays a zombie where PID 1 does not reap orphans
// (containers); kill(pid, 0) still succeeds for it. Linux only; elsewhere assume alive.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

type Holder = { pid: number; host: string };

/** "<pid>@<host>": short, so the target fits in the inode (no data block needed). */
function parseHolder(raw: string): Holder | null {
  const at = raw.indexOf("@");
  const pid = Number(raw.slice(0, at));
  return at > 0 && Number.isInteger(pid) && pid > 0 ? { pid, host: raw.slice(at + 1) } : null;
}

export async function breakIfStale(lockPath: string): Promise<void> {
  let raw = "";
  let mtimeMs = 0;
  try {
    [raw, { mtimeMs }] = await Promise.all([fs.readlink(lockPath), fs.lstat(lockPath)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // released meanwhile
    // EINVAL (a regular file or directory), EIO…: nobody can ever judge it, so it is stale.
  }
  const holder = parseHolder(raw);
  const stale = !holder || (holder.host === os.hostname() && !isAlive(holder.pid)) || Date.now() - mtimeMs > STALE_MS;
  if (stale) await fs.rm(lockPath, { force: true, recursive: true }).catch(() => {});
}

/** Takes the lock once: true when taken, false when someone else holds it. */
async function tryLock(lockPath: string, token: string): Promise<boolean> {
  try {
    await fs.symlink(token, lockPath); // atomic; EEXIST while anyone holds it
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err; // EROFS, EIO: the caller's operation fails now instead of waiting forever
  }
}

export async function withStoreLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const token = `${process.pid}@${os.hostname()}`;
  for (let attempt = 0; !(await tryLock(lockPath, token)); attempt++) {
    if (attempt % 50 === 49) await breakIfStale(lockPath);
    await sleep(attempt < 20 ? 1 : 5);
  }
  try {
    return await fn();
  } finally {
    await fs.unlink(lockPath).catch(() => {});
  }
}

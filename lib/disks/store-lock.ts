// A cross-process mutex for the chunk store: a file whose name is taken atomically. Creates hold
// it for a few microseconds per chunk (journal append + existence check) and deletes for
// their scan-and-unlink, which is what keeps GC from removing a chunk a running create has
// just decided to reuse. A holder that died (kill -9) is detected by its pid on this host,
// or by the lock's age: holds are sub-second, so a minute-old lock is certainly stale.
// The lock is a hard link to a fully written temp file, so a live holder's lock is never
// empty: an empty or unreadable lock (a full disk, an old crash) is stale at once.
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

function parseHolder(raw: string): Holder | null {
  try {
    const holder = JSON.parse(raw) as Partial<Holder>;
    return Number.isInteger(holder.pid) && typeof holder.host === "string" ? (holder as Holder) : null;
  } catch {
    return null;
  }
}

export async function breakIfStale(lockPath: string): Promise<void> {
  let raw: string;
  let mtimeMs: number;
  try {
    [raw, { mtimeMs }] = await Promise.all([fs.readFile(lockPath, "utf8"), fs.stat(lockPath)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // released meanwhile
    raw = ""; // unreadable (EIO, a directory…): nobody can ever judge it, so it is stale
    mtimeMs = 0;
  }
  const holder = parseHolder(raw);
  const stale = !holder || (holder.host === os.hostname() && !isAlive(holder.pid)) || Date.now() - mtimeMs > STALE_MS;
  if (stale) await fs.rm(lockPath, { force: true, recursive: true }).catch(() => {});
}

/** Takes the lock once: true when taken, false when someone else holds it. */
async function tryLock(lockPath: string, token: string): Promise<boolean> {
  const tmp = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await fs.writeFile(tmp, token, { flag: "wx" });
    await fs.link(tmp, lockPath); // atomic, fails with EEXIST while held
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err; // ENOSPC, EROFS, EIO: the caller's operation fails now, not later
  } finally {
    await fs.unlink(tmp).catch(() => {}); // a failed write leaves nothing behind
  }
}

export async function withStoreLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const token = JSON.stringify({ pid: process.pid, host: os.hostname() });
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

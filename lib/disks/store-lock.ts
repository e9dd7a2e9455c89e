// A cross-process mutex for the chunk store (one file created with O_EXCL). Creates hold
// it for a few microseconds per chunk (journal append + existence check) and deletes for
// their scan-and-unlink, which is what keeps GC from removing a chunk a running create has
// just decided to reuse. A holder that died (kill -9) is detected by its pid on this host,
// or by the lock's age: holds are sub-second, so a minute-old lock is certainly stale.
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

async function breakIfStale(lockPath: string): Promise<void> {
  try {
    const [raw, stat] = await Promise.all([fs.readFile(lockPath, "utf8"), fs.stat(lockPath)]);
    const holder = JSON.parse(raw) as { pid: number; host: string };
    const dead = holder.host === os.hostname() && !isAlive(holder.pid);
    if (dead || Date.now() - stat.mtimeMs > STALE_MS) await fs.unlink(lockPath);
  } catch {
    // Vanished, or half-written by a holder still creating it: try again next round.
  }
}

export async function withStoreLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const token = JSON.stringify({ pid: process.pid, host: os.hostname() });
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lockPath, token, { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (attempt % 50 === 49) await breakIfStale(lockPath);
      await sleep(attempt < 20 ? 1 : 5);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.unlink(lockPath).catch(() => {});
  }
}

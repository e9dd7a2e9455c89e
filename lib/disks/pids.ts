// Whether a process on this host is alive, for recognising what a dead worker left behind
// (its leases, its temp files). Only meaningful for pids of this host.
import "server-only";
import { readFileSync } from "node:fs";

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

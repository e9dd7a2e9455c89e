// Real storage faults for tests: a small tmpfs over a directory (full at its size) that
// can be remounted read-only. Needs root, which CI has; without it the tests must fail
// loudly rather than skip, so a fault path can never go untested unnoticed.
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";

export function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new Error(
      "The storage fault tests need root: they mount a tmpfs (mount -t tmpfs). CI runs them as root; run `npm test` as root.",
    );
}

export async function mountTmpfs(dir: string, sizeMb: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir]);
}

export function remount(dir: string, mode: "ro" | "rw"): void {
  execFileSync("mount", ["-o", `remount,${mode}`, dir]);
}

export function unmount(dir: string): void {
  try {
    execFileSync("umount", ["-l", dir]);
  } catch {
    // not mounted (the mount itself failed)
  }
}

/** Writes 1 MiB blocks into `dir/filler.bin` until the filesystem is full; returns the file. */
export async function fillUp(dir: string): Promise<string> {
  const file = path.join(dir, "filler.bin");
  const handle = await fs.open(file, "w");
  const block = Buffer.alloc(1024 * 1024, 0xa5);
  try {
    for (;;) await handle.write(block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    await handle.close();
  }
  return file;
}

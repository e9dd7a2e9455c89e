// syncfs(2) for the chunk store: one call makes every write on the filesystem durable,
// instead of one fsync per chunk file and directory. Node has no binding for it, so this
// runs coreutils' `sync --file-system` (Linux; Debian's coreutils is always installed).
import "server-only";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Returns once everything written to the filesystem holding `dir` is on stable storage. */
export async function syncFilesystem(dir: string): Promise<void> {
  await run("sync", ["--file-system", dir]);
}

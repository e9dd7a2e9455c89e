// Runs qemu-img (Debian package qemu-utils) and parses its `-p` progress, which it prints
// to stdout as "    (37.14/100%)\r" even when stdout is a pipe.
import "server-only";
import { spawn } from "node:child_process";

export const QEMU_MISSING = "qemu-img is not installed; the qemu disk driver needs it: apt-get install qemu-utils";

export class QemuImgError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

type RunOptions = { onProgress?: (percent: number) => void; signal?: AbortSignal; stdin?: string };

export function runQemuImg(args: string[], opts: RunOptions = {}): Promise<string> {
  return runQemuTool("qemu-img", args, opts);
}

/** Runs qemu-img, qemu-io or qemu-nbd (all in qemu-utils); `stdin` is written to its input. */
export function runQemuTool(program: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: "pipe", signal: opts.signal });
    child.stdin.on("error", () => {}); // a tool that exits without reading its input
    child.stdin.end(opts.stdin ?? "");
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      if (!opts.onProgress) return;
      for (const m of text.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)) opts.onProgress(Number(m[1]));
      if (stdout.length > 64_000) stdout = stdout.slice(-4_000); // progress output is unbounded
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", (err: NodeJS.ErrnoException) => reject(err.code === "ENOENT" ? new Error(QEMU_MISSING) : err));
    child.on("close", (code, signal) => {
      if (code === 0) resolve(stdout);
      else {
        const why = stderr.trim().replace(/\s+/g, " ") || `exit ${code ?? signal}`;
        reject(new QemuImgError(`${program} ${args[0]} failed: ${why}`, stderr));
      }
    });
  });
}

export type ImageInfo = {
  filename: string;
  "virtual-size": number;
  "actual-size"?: number;
  "cluster-size"?: number;
  format: string;
  "format-specific"?: { data?: { bitmaps?: { name: string; flags: string[]; granularity: number }[] } };
};

export async function imageInfo(file: string, opts: { forceShare?: boolean } = {}) {
  const out = await runQemuImg(["info", ...(opts.forceShare ? ["-U"] : []), "--output=json", file]);
  return JSON.parse(out) as ImageInfo;
}

/** True when another process (a running VM) holds the image's write lock. */
export async function isImageLocked(file: string): Promise<boolean> {
  try {
    await imageInfo(file);
    return false;
  } catch (err) {
    if (err instanceof QemuImgError && /lock/i.test(err.stderr)) return true;
    throw err;
  }
}

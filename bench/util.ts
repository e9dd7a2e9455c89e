// Small helpers shared by the benchmark parts: statistics, child processes, ports.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

export type Stat = { median: number; min: number; max: number; runs: number[] };

export function stat(values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN, runs: values };
}

/** Ratio of medians plus the spread of per-round ratios (rounds are paired side by side). */
export function ratio(a: number[], b: number[]): Stat {
  const perRound = a.map((x, i) => x / (b[i] ?? NaN));
  const s = stat(perRound);
  return { ...s, median: stat(a).median / stat(b).median };
}

export const ROOT = path.resolve(__dirname, "..");
export const TSX = path.join(ROOT, "node_modules/.bin/tsx");
/**
 * The first arguments of TSX for a script that loads lib/server, lib/jobs, lib/disks or lib/api:
 * their `import "server-only"` resolves to an empty module only under the react-server condition.
 */
export const SERVER_CONDITIONS = "--conditions=react-server";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers (any status) or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs = 60_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}

export type Running = { child: ChildProcess; stop: () => Promise<void>; output: () => string };

/** Every long-running child still alive, so an interrupted benchmark leaves nothing behind. */
export const live = new Set<Running>();
/** What else an interrupted benchmark must undo (daemons in sessions of their own: the S3 store's Ceph). */
export const cleanups = new Set<() => Promise<void>>();

/** Starts a long-running child in its own process group and keeps the tail of its output. */
export function startProcess(cmd: string, args: string[], options: SpawnOptions): Running {
  const child = spawn(cmd, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = async () => {
    live.delete(running);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
  };
  const running: Running = { child, stop, output: () => tail };
  live.add(running);
  return running;
}

/** Runs a command to completion; rejects with its stderr when it fails. */
export function run(cmd: string, args: string[], options: SpawnOptions = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}: ${stderr.slice(-2_000)}`));
    });
  });
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

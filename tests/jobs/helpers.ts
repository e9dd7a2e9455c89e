// Shared by the job tests: seeding through project code, waiting on the database, and
// running `npm run worker` as a real child process against the test's DATA_DIR.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, onTestFailed } from "vitest";
import { prisma } from "@/lib/server/db";
import { createUser } from "@/lib/server/users";
import { createServer } from "@/lib/server/servers";
import type { Actor } from "@/lib/server/actor";
import { runOperation } from "@/lib/jobs/runner";
import type { OperationKind } from "@/lib/schemas/operation-kinds";

let users = 0;
export async function seedActor(): Promise<Actor> {
  const user = await createUser({ email: `ops${++users}-${process.pid}@example.com`, password: "correct-horse-battery" });
  return { userId: user.id, email: user.email, role: "member", scope: "session", tokenId: null, ip: null };
}

/** A server with a disk holding `contentMb` of demo content; this process provisions it as the host's agent would. */
export async function seedServer(
  actor: Actor,
  opts: { diskMb: number; contentMb: number; status?: "active" | "stopped"; name?: string; host?: string },
) {
  const name = opts.name ?? `srv-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const server = await createServer(
    actor.userId,
    { name, status: opts.status ?? "stopped", disk_mb: opts.diskMb, host: opts.host },
    { demoContentMb: opts.contentMb },
  );
  if (!(await runOperation(server.operationId))) throw new Error(`could not provision server ${server.id}`);
  return server;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function operationOf(snapshotId: number, kind: OperationKind) {
  return prisma.operation.findFirstOrThrow({ where: { snapshotId, kind }, orderBy: { createdAt: "desc" } });
}

export function waitForOperationEnd(id: string, timeoutMs = 20_000) {
  return waitFor(
    `operation ${id} to end`,
    async () => {
      const op = await prisma.operation.findUniqueOrThrow({ where: { id } });
      return op.status === "completed" || op.status === "failed" ? op : null;
    },
    timeoutMs,
  );
}

export type WorkerProcess = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/**
 * Starts the worker as `npm run worker` does (`node --import tsx scripts/worker.ts`) with
 * this test's DATA_DIR and DATABASE_URL. Not through the tsx CLI: its wrapper SIGKILLs a
 * child that does not acknowledge a relayed SIGTERM within 30 ms, which a loaded machine
 * easily misses, and then no shutdown path is tested at all.
 */
export function spawnWorker(env: Record<string, string> = {}, args: string[] = []): WorkerProcess {
  const root = path.resolve(__dirname, "../..");
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts", ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "info", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so killHard reaches anything it started.
    detached: true,
  });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (t: string) => (out += t));
  child.stderr!.setEncoding("utf8").on("data", (t: string) => (out += t));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Operation ids this worker logged as claimed-and-started. */
export function claimedOperations(worker: WorkerProcess): string[] {
  return worker
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { msg?: string; operationId?: string })
    .filter((l) => l.msg === "operation claimed")
    .map((l) => l.operationId!);
}

/** kill -9 of the whole worker process group. */
export async function killHard(worker: WorkerProcess) {
  try {
    process.kill(-worker.child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
  await worker.exited;
}

/**
 * Worker processes for one test file: returns `start(env)`; each test's workers are
 * killed after it, and what they printed is shown when it fails (hard to read otherwise).
 */
export function workerProcessesPerTest() {
  const workers: WorkerProcess[] = [];
  beforeEach(() => {
    onTestFailed(() => workers.forEach((w, i) => console.error(`--- worker ${i} output ---\n${w.output().slice(-4000)}`)));
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await killHard(w); // the group, even if the wrapper already exited
  });
  return (env: Record<string, string> = {}, args: string[] = []) => {
    const w = spawnWorker(env, args);
    workers.push(w);
    return w;
  };
}

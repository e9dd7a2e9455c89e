// Starts the REAL production server (`next start`) against this test file's DATA_DIR
// (set by tests/setup.ts), and optionally the operation worker, so API tests go over
// HTTP through everything a client would hit. Needs `npm run build` first.
import { spawn, type ChildProcess } from "node:child_process";
import { nextStartArgs } from "../../scripts/next-start";
import { existsSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll } from "vitest";
import { freePort } from "../../bench/util";
import { createApi, type Api } from "./api-client";
import { prisma } from "@/lib/server/db";

export type AppServer = { url: string; stop: () => Promise<void> };

const ROOT = path.resolve(__dirname, "../..");

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  if (!process.env.DATA_DIR || !process.env.DATABASE_URL)
    throw new Error("DATA_DIR/DATABASE_URL unset: tests/setup.ts must run first");
  return {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "silent",
    NEXTAUTH_SECRET: "snapdeck-api-tests-secret-0123456789abcdef",
    DATA_DIR: process.env.DATA_DIR,
    DATABASE_URL: process.env.DATABASE_URL,
    ...extra,
  };
}

/** Keeps the last output of a child, to say why it died. */
function capture(child: ChildProcess): () => string {
  let out = "";
  const keep = (chunk: Buffer) => (out = (out + chunk.toString()).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => out;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  // next start waits for open keep-alive connections before it exits (~3 s); nothing it
  // holds needs more than a second to let go of.
  const timer = setTimeout(() => child.kill("SIGKILL"), 1_000);
  await exited;
  clearTimeout(timer);
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/api/v1/openapi.json`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`next start did not become ready in ${timeoutMs} ms:\n${output()}`);
}

/** Starts `next start` on a free port; with `worker: true` also `tsx scripts/worker.ts`. */
export async function startAppServer(options: { worker?: boolean; env?: Record<string, string> } = {}): Promise<AppServer> {
  if (!existsSync(path.join(ROOT, ".next/BUILD_ID")))
    throw new Error("No production build found (.next/BUILD_ID): run `npm run build` first (npm test does).");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = childEnv({ PORT: String(port), NEXTAUTH_URL: url, ...options.env });
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    const next = spawn(process.execPath, nextStartArgs(port, "127.0.0.1"), {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(next);
    await waitReady(url, next, capture(next));
    if (options.worker) {
      const script = path.join(ROOT, "scripts/worker.ts");
      if (!existsSync(script)) throw new Error("scripts/worker.ts is missing: these tests need the operation worker");
      const worker = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["--conditions=react-server", script], {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const output = capture(worker);
      children.push(worker);
      // Ready once its heartbeat row exists (lib/jobs/heartbeat.ts writes it at start).
      const deadline = Date.now() + 60_000;
      while ((await prisma.workerHeartbeat.count()) === 0) {
        if (worker.exitCode !== null) throw new Error(`the worker exited with ${worker.exitCode}:\n${output()}`);
        if (Date.now() > deadline) throw new Error(`the worker did not start in 60 s:\n${output()}`);
        await sleep(200);
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/**
 * The API-test setup of a file: `next start` (and the worker with `worker: true`) before
 * the file's tests, stopped after them. Call at the top level, before the file's own
 * beforeAll (which may then seed through `api`).
 */
export function serveApp(options: Parameters<typeof startAppServer>[0] = {}): { api: Api; readonly url: string } {
  let app: AppServer | undefined;
  let client: Api | undefined;
  beforeAll(async () => {
    app = await startAppServer(options);
    client = createApi(app.url);
  });
  afterAll(() => app?.stop());
  const started = () => {
    if (!app || !client) throw new Error("serveApp: the server starts in beforeAll; use it inside tests and hooks");
    return { app, client };
  };
  return {
    api: ((...args: Parameters<Api>) => started().client(...args)) as Api,
    get url() {
      return started().app.url;
    },
  };
}

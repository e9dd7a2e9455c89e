// Starting what the benchmark measures: a seeded temp DATA_DIR, `next start` on the
// production build, the node:http baseline and the operation worker, each as a child
// in its own process group so it can be stopped cleanly.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { freePort, log, ROOT, run, SERVER_CONDITIONS, startProcess, TSX, waitForHttp, type Running } from "./util";
import { nextStartArgs } from "../scripts/next-start";

export type Seeded = { dataDir: string; dbUrl: string; token: string; email: string; password: string; snapshotIds: number[] };
export type Started = Running & { url: string };

const SECRET = "bench-secret-not-for-production-0123456789";
let appDir = ROOT;

/**
 * Copies the production build (without its cache) into `workDir/app`, taking the build
 * lock for the few seconds the copy lasts, and serves every `next start` from there: other
 * people's builds may replace .next while the benchmark runs. The rest of the project is
 * symlinked in.
 */
export function snapshotBuild(workDir: string): void {
  const dir = path.join(workDir, "app");
  mkdirSync(path.join(dir, ".next"), { recursive: true });
  const copy = `cd .next && tar -c --exclude=./cache . | tar -x -C ${JSON.stringify(path.join(dir, ".next"))}`;
  execFileSync("flock", ["/tmp/snapdeck-build.lock", "sh", "-c", copy], { cwd: ROOT, stdio: "inherit" });
  for (const name of [
    "node_modules",
    "package.json",
    "next.config.ts",
    "public",
    "prisma",
    "prisma.config.ts",
    "lib",
    "app",
    "scripts",
  ])
    if (existsSync(path.join(ROOT, name))) symlinkSync(path.join(ROOT, name), path.join(dir, name));
  appDir = dir;
}

export function projectEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "app.db")}`,
    NEXTAUTH_SECRET: SECRET,
    NODE_ENV: "production",
    LOG_LEVEL: "silent",
    ...extra,
  };
}

/** Seeds a fresh database: the SQLite file in `dataDir`, or the PostgreSQL database `dbUrl`. */
export async function seedDatabase(
  dataDir: string,
  servers: number,
  snapshots: number,
  dbUrl = `file:${path.join(dataDir, "app.db")}`,
): Promise<Seeded> {
  mkdirSync(dataDir, { recursive: true });
  const started = performance.now();
  const { stdout } = await run(
    TSX,
    [SERVER_CONDITIONS, path.join(ROOT, "bench/seed-db.ts"), String(servers), String(snapshots)],
    {
      cwd: ROOT,
      env: projectEnv(dataDir, { DATABASE_URL: dbUrl }),
    },
  );
  const line = stdout.trim().split("\n").at(-1) ?? "";
  log(
    `seeded ${servers} servers, ${snapshots} snapshots (${dbUrl.split(":")[0]}) in ${((performance.now() - started) / 1000).toFixed(1)}s`,
  );
  return { dataDir, dbUrl, ...(JSON.parse(line) as Omit<Seeded, "dataDir" | "dbUrl">) };
}

/** `next start` on the existing production build. `profileDir` adds --cpu-prof. */
export async function startSnapdeck(
  dataDir: string,
  options: { profileDir?: string; env?: Record<string, string> } = {},
): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // SNAPDECK_BENCH_FLOOR turns on the same-framework floor route (app/api/floor).
  const env = projectEnv(dataDir, { PORT: String(port), NEXTAUTH_URL: url, SNAPDECK_BENCH_FLOOR: "1", ...options.env });
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const proc = startProcess(process.execPath, nextStartArgs(port, "127.0.0.1", profile), { cwd: appDir, env });
  try {
    await waitForHttp(`${url}/api/health`, 60_000, proc.child);
  } catch (err) {
    await proc.stop();
    throw new Error(`next start failed: ${(err as Error).message}\n${proc.output()}`);
  }
  return { ...proc, url };
}

export async function startBaseline(dbUrl: string): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(TSX, [SERVER_CONDITIONS, path.join(ROOT, "bench/baseline-server.ts")], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), NODE_ENV: "production" },
  });
  try {
    await waitForHttp(`${url}/`, 30_000, proc.child);
  } catch (err) {
    await proc.stop();
    throw new Error(`baseline failed: ${(err as Error).message}\n${proc.output()}`);
  }
  return { ...proc, url };
}

export function startWorker(dataDir: string, env: Record<string, string> = {}): Running {
  return startProcess(TSX, [SERVER_CONDITIONS, path.join(ROOT, "scripts/worker.ts")], {
    cwd: ROOT,
    env: projectEnv(dataDir, env),
  });
}

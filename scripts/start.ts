// npm start: prepare DATA_DIR (secret, migrations), build when no build exists, seed
// demo data into an empty database, then run the web server and one worker process.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { config, getDataDir } from "@/lib/config";
import { ensureAuthSecret, migrateDatabase } from "@/lib/server/setup";

const bin = (name: string) => path.resolve("node_modules/.bin", name);
const log = (msg: string) => console.log(`[snapdeck] ${msg}`);

async function main() {
  const dataDir = getDataDir();
  log(`data directory: ${dataDir}`);
  const env = { ...process.env, DATA_DIR: dataDir, NEXTAUTH_SECRET: ensureAuthSecret(), NODE_ENV: "production" as const };
  Object.assign(process.env, env);
  migrateDatabase();
  log("database migrated");

  if (!existsSync(".next/BUILD_ID") || config.rebuild) {
    log("no production build found; building (takes a minute or two)...");
    execFileSync(bin("next"), ["build"], { stdio: "inherit", env });
  }

  // Imported late: these open the database, which must be migrated first.
  const { ensureDb } = await import("@/lib/server/db");
  const { seedDemoData, DEMO_USER } = await import("@/lib/server/seed");
  await ensureDb();
  if (config.seedDemoData) {
    if (await seedDemoData(config.demoContentMb)) log("seeded demo data (3 servers with real disks)");
  }

  const children: ChildProcess[] = [];
  const web = spawn(bin("next"), ["start", "-p", String(config.port)], { stdio: "inherit", env });
  children.push(web);
  if (config.startWorker) {
    // `node --import tsx` rather than the tsx binary: one process, so a signal to it
    // reaches the worker itself instead of orphaning it.
    children.push(spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { stdio: "inherit", env }));
  }

  log(`Snapdeck is running at http://localhost:${config.port}`);
  log(`demo sign-in: ${DEMO_USER.email} / ${DEMO_USER.password}`);

  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill("SIGTERM");
    setTimeout(() => process.exit(code), 5000).unref();
    Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r))))).then(() =>
      process.exit(code),
    );
  };
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
  for (const child of children)
    child.on("exit", (code) => !stopping && (log(`a child process exited (${code}); stopping`), stop(code ?? 1)));
}

main().catch((err) => {
  console.error(`[snapdeck] start failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});

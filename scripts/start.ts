// npm start: prepare DATA_DIR (secret, migrations), build when no build exists, seed
// demo data into an empty database, then run the web server and one worker process.
// Everything it and its children print is a log, so all of it goes to stderr.
import "./server-conditions";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { nextStartArgs } from "./next-start";
import { existsSync } from "node:fs";
import path from "node:path";
import { config, getDataDir } from "@/lib/config";
import { ensureAuthSecret, migrateDatabase } from "@/lib/server/setup";

const bin = (name: string) => path.resolve("node_modules/.bin", name);
const log = (msg: string) => console.error(`[snapdeck] ${msg}`);
// Children's stdout joins our stderr: stdin inherited, stdout and stderr both to fd 2.
const stdio: ["inherit", number, number] = ["inherit", 2, 2];

async function main() {
  const dataDir = getDataDir();
  log(`data directory: ${dataDir}`);
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    NEXTAUTH_SECRET: ensureAuthSecret(),
    NODE_ENV: "production" as const,
    // next-auth builds its own redirects from NEXTAUTH_URL; the public URL is the same thing.
    ...(!process.env.NEXTAUTH_URL && config.publicUrl && { NEXTAUTH_URL: config.publicUrl }),
  };
  Object.assign(process.env, env);
  await migrateDatabase();
  log("database migrated");

  if (!existsSync(".next/BUILD_ID") || config.rebuild) {
    log("no production build found; building (takes a minute or two)...");
    execFileSync(bin("next"), ["build"], { stdio, env });
  }

  // Imported late: these open the database, which must be migrated first.
  const { ensureDb } = await import("@/lib/server/db");
  const { seedDemoData, DEMO_USER } = await import("@/lib/server/seed");
  await ensureDb();
  if (config.seedDemoData) {
    if (await seedDemoData(config.demoContentMb)) log("seeded demo data (3 servers with real disks)");
  }

  const children: ChildProcess[] = [];
  const web = spawn(process.execPath, nextStartArgs(config.port), { stdio, env });
  children.push(web);
  if (config.startWorker) {
    // `node --import tsx` rather than the tsx binary: one process, so a signal to it
    // reaches the worker itself instead of orphaning it. --conditions=react-server: the
    // server modules' `import "server-only"` resolves to its empty module (see package.json).
    children.push(spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], { stdio, env }));
  }

  log(`Snapdeck is running at ${config.publicUrl ?? `http://localhost:${config.port}`}`);
  if (process.env.SNAPDECK_SEED !== "0") log(`demo sign-in: ${DEMO_USER.email} / ${DEMO_USER.password}`);
  else log("no demo data (SNAPDECK_SEED=0); create an account with npm run cli -- user create");

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

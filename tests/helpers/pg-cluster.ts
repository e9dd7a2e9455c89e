// A private PostgreSQL cluster for a test that stops and restarts its server (the shared
// one of SNAPDECK_TEST_POSTGRES_URL serves every other test file at the same time).
// initdb refuses root, so as root it runs as Debian's `postgres` user.
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { freePort } from "../../bench/util";

const BIN = process.env.SNAPDECK_TEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export type PgCluster = { url: (database: string) => string; stop(): void; start(): void; destroy(): void };

export async function startPgCluster(): Promise<PgCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), "snapdeck-pg-"));
  const root = userInfo().uid === 0;
  if (root)
    chownSync(
      dir,
      Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
      Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
    );
  const run = (tool: string, args: string[]) =>
    execFileSync(root ? "runuser" : path.join(BIN, tool), root ? ["-u", "postgres", "--", path.join(BIN, tool), ...args] : args, {
      stdio: "pipe",
    });
  const port = await freePort();
  const data = path.join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres"]);
  const start = () =>
    run("pg_ctl", [
      "-D",
      data,
      "-l",
      path.join(dir, "log"),
      "-w",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
  const stop = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  start();
  return {
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

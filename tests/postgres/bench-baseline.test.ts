// The benchmark's PostgreSQL side: bench/seed-db.ts seeds a PostgreSQL database that the
// app serves like its own, and the pg baseline server answers the same JSON as Snapdeck's
// `next start` on it (the benchmark checks this again before timing).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startProcess, waitForHttp, type Running } from "@/bench/util";
import { startAppServer, type AppServer } from "../helpers/app-server";

const ROOT = path.resolve(__dirname, "../..");
const tsx = path.join(ROOT, "node_modules/.bin/tsx");
let baseline: Running | undefined;
let app: AppServer | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), "snapdeck-bench-pg-"));
afterAll(async () => {
  await baseline?.stop();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("benchmark on PostgreSQL", () => {
  it("seeds through the project's migrations and the pg baseline answers as Snapdeck does", async () => {
    const url = process.env.DATABASE_URL!; // this file's PostgreSQL database
    const seeded = JSON.parse(
      execFileSync(tsx, ["--conditions=react-server", "bench/seed-db.ts", "20", "300"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: url },
      }),
    ) as { token: string; userId: number; snapshotIds: number[] };

    const port = await freePort();
    baseline = startProcess(tsx, ["--conditions=react-server", "bench/baseline-server.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, PORT: String(port) },
    });
    await waitForHttp(`http://127.0.0.1:${port}/`, 30_000, baseline.child);
    app = await startAppServer();
    const get = async (origin: string, p: string) => {
      const res = await fetch(origin + p, { headers: { authorization: `Bearer ${seeded.token}` } });
      expect(res.status, `${origin}${p}`).toBe(200);
      return JSON.parse((await res.text()).replace(/https?:\/\/[^/"]+/g, "ORIGIN"));
    };
    const both = (p: string) => Promise.all([get(app!.url, p), get(`http://127.0.0.1:${port}`, p)]);

    const [mine, theirs] = await both("/api/v1/snapshots/?page=2&page_size=50");
    expect(mine.results).toHaveLength(50);
    expect(theirs).toEqual(mine); // timestamps read as UTC, error_code, links, the tenant's count
    // The seeded labels and the benchmark's label_selector row select the same page on both.
    const [selected, alsoSelected] = await both(
      `/api/v1/snapshots/?page_size=50&label_selector=${encodeURIComponent("env=prod,tier,!keep")}`,
    );
    expect(selected.count).toBeGreaterThan(10);
    expect(selected.results[0].labels).toMatchObject({ env: "prod" });
    expect(alsoSelected).toEqual(selected);
    const [one, other] = await both(`/api/v1/snapshots/${seeded.snapshotIds[0]}/`);
    expect(other).toEqual(one);
  });
});

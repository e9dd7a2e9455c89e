// The benchmark's PostgreSQL side: bench/seed-db.ts seeds a PostgreSQL database that the
// app reads like its own, and the pg baseline server answers the same JSON as Snapdeck's
// own list and read code on it (the benchmark checks this again before timing).
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startProcess, waitForHttp, type Running } from "@/bench/util";
import { getSnapshot, listSnapshots } from "@/lib/server/snapshots";
import type { Actor } from "@/lib/server/actor";

const ROOT = path.resolve(__dirname, "../..");
const tsx = path.join(ROOT, "node_modules/.bin/tsx");
let baseline: Running | undefined;
afterAll(() => baseline?.stop());

describe("benchmark on PostgreSQL", () => {
  it("seeds through the project's migrations and the pg baseline answers as Snapdeck does", async () => {
    const url = process.env.DATABASE_URL!; // this file's PostgreSQL database
    const seeded = JSON.parse(
      execFileSync(tsx, ["bench/seed-db.ts", "20", "300"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, DATA_DIR: mkdtempSync(path.join(tmpdir(), "snapdeck-bench-pg-")), DATABASE_URL: url },
      }),
    ) as { token: string; userId: number; snapshotIds: number[] };

    const port = await freePort();
    baseline = startProcess(tsx, ["bench/baseline-server.ts"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, PORT: String(port) } });
    await waitForHttp(`http://127.0.0.1:${port}/`, 30_000, baseline.child);
    const get = async (p: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${p}`, { headers: { authorization: `Bearer ${seeded.token}` } });
      expect(res.status, p).toBe(200);
      return res.json();
    };

    const actor: Actor = { userId: seeded.userId, email: "bench@example.com", role: "member", scope: "read", tokenId: null, ip: null };
    const own = await listSnapshots(actor, { page: 2, page_size: 50 });
    expect(own.results).toHaveLength(50);
    const list = await get("/api/v1/snapshots/?page=2&page_size=50");
    expect({ count: list.count, results: list.results }).toEqual(own);
    expect(list.results[0].created_at).toBe(own.results[0]!.created_at); // timestamps read as UTC

    const id = seeded.snapshotIds[0]!;
    expect(await get(`/api/v1/snapshots/${id}/`)).toEqual(await getSnapshot(actor, id));
  });
});

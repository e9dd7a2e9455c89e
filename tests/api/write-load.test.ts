// SQLite under write load: while the worker writes snapshot after snapshot (chunks and
// their references, progress, completion), clients keep calling the routes that write
// (schedules, snapshot PATCH and DELETE, tokens) and read. No answer may be a 5xx: the
// round-one finding was schedule create/update/delete answering 500 "database is locked"
// or 503 about once in ten while an agent wrote.
import { beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { markSnapshotCompleted, seedServer, seedUser, type SeededUser } from "../helpers/seed";
import { testDb } from "../helpers/postgres";
import type { ApiResponse } from "../helpers/api-client";

const LOAD_MS = 12_000;
const { api } = serveApp({ worker: true });
let user: SeededUser;

beforeAll(async () => {
  user = await seedUser();
});

describe.skipIf(testDb() !== "sqlite")("routes while the worker writes (SQLite)", () => {
  it("no 5xx from any route while snapshots are being written", { timeout: 120_000 }, async () => {
    const busy = await seedServer(user.id, { diskMb: 64, contentMb: 48 });
    const quiet = await seedServer(user.id);
    const base = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: quiet.id, name: "base" } });
    await markSnapshotCompleted(base.body.id);

    const answers: { route: string; res: ApiResponse }[] = [];
    const call = async (route: string, ...args: Parameters<typeof api>) => {
      const res = await api(...args);
      answers.push({ route, res });
      return res;
    };
    const until = Date.now() + LOAD_MS;
    let completed = 0;

    // The writer: one snapshot after another of the busy server, each deleted once done.
    const writer = async () => {
      for (let i = 0; Date.now() < until; i++) {
        const made = await call("POST /snapshots/", "POST", "/api/v1/snapshots/", {
          token: user.write,
          json: { server_id: busy.id, name: `load-${i}` },
        });
        if (made.status !== 201) continue;
        for (;;) {
          const got = await call("GET /snapshots/{id}/", "GET", `/api/v1/snapshots/${made.body.id}/`, { token: user.read });
          if (got.body?.status !== "in_progress") break;
        }
        completed++;
        await call("DELETE /snapshots/{id}/", "DELETE", `/api/v1/snapshots/${made.body.id}/`, { token: user.write });
      }
    };
    // The clients: every kind of write the dashboard and automation make, and reads.
    const client = async (n: number) => {
      for (let i = 0; Date.now() < until; i++) {
        const schedule = await call("POST /schedules/", "POST", "/api/v1/schedules/", {
          token: user.write,
          json: { server_id: quiet.id, cron: `${(n * 7 + i) % 60} 3 * * *`, keep: 3 },
        });
        if (schedule.status === 201) {
          await call("PATCH /schedules/{id}/", "PATCH", `/api/v1/schedules/${schedule.body.id}/`, {
            token: user.write,
            json: { keep: 4, enabled: false },
          });
          await call("DELETE /schedules/{id}/", "DELETE", `/api/v1/schedules/${schedule.body.id}/`, { token: user.write });
        }
        await call("PATCH /snapshots/{id}/", "PATCH", `/api/v1/snapshots/${base.body.id}/`, {
          token: user.write,
          json: { labels: { client: String(n), round: String(i) } },
        });
        await call("POST /tokens/", "POST", "/api/v1/tokens/", { token: user.write, json: { name: `t${n}-${i}` } });
        await call("GET /snapshots/", "GET", "/api/v1/snapshots/", { token: user.read });
        await call("GET /servers/", "GET", "/api/v1/servers/", { token: user.read });
        await call("GET /events/", "GET", "/api/v1/events/", { token: user.read });
      }
    };
    await Promise.all([writer(), client(1), client(2), client(3)]);

    const failures = answers.filter((a) => a.res.status >= 500).map((a) => `${a.route}: ${a.res.status} ${a.res.text}`);
    expect(failures).toEqual([]);
    // It was load: snapshots were written meanwhile, and every write route answered many times.
    expect(completed).toBeGreaterThan(0);
    for (const route of ["POST /schedules/", "PATCH /schedules/{id}/", "DELETE /schedules/{id}/", "PATCH /snapshots/{id}/"])
      expect(answers.filter((a) => a.route === route && a.res.status < 300).length, route).toBeGreaterThan(5);
  });
});

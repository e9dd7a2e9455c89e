// SPEC §6, part A, over HTTP with the real worker: the new snapshot fields, PATCH, unique
// names, label_selector and protection, including their races.
import { beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { dbFingerprint, seedServer, seedUser, waitFor, type SeededUser } from "../helpers/seed";
import { errorSchema, snapshotPageSchema, snapshotSchema } from "@/lib/schemas/api-responses";
import { prisma } from "@/lib/server/db";

const { api } = serveApp({ worker: true });
let user: SeededUser;
let other: SeededUser;

beforeAll(async () => {
  [user, other] = [await seedUser(), await seedUser()];
});

const create = (serverId: number, name: string, token = user.write) =>
  api("POST", "/api/v1/snapshots/", { token, json: { server_id: serverId, name } });
const patch = (id: number, json: unknown, token = user.write) => api("PATCH", `/api/v1/snapshots/${id}/`, { token, json });

async function completed(serverId: number, name: string): Promise<number> {
  const res = await create(serverId, name);
  expect(res.status, res.text).toBe(201);
  await waitFor(`snapshot ${name} to complete`, async () => {
    const s = await prisma.snapshot.findUniqueOrThrow({ where: { id: res.body.id } });
    const server = await prisma.server.findUniqueOrThrow({ where: { id: serverId } });
    return s.status === "completed" && server.activeOperationId === null;
  });
  return res.body.id;
}

describe("snapshot fields", () => {
  it("labels, protected, kind, consistency (offline only when stopped throughout) and stored_mb", async () => {
    const stopped = await seedServer(user.id, { status: "stopped" });
    const running = await seedServer(user.id, { status: "active" });
    const fresh = await create(stopped.id, "fields");
    expect(fresh.body).toMatchObject({ labels: {}, protected: false, kind: "manual", consistency: null, stored_mb: null });
    await waitFor(
      "completion",
      async () => (await prisma.snapshot.findUniqueOrThrow({ where: { id: fresh.body.id } })).status === "completed",
    );
    const offline = snapshotSchema.parse((await api("GET", `/api/v1/snapshots/${fresh.body.id}/`, { token: user.read })).body);
    expect(offline).toMatchObject({ consistency: "offline", kind: "manual" });
    const row = await prisma.snapshot.findUniqueOrThrow({ where: { id: offline.id } });
    expect(offline.stored_mb).toBe(Math.round((Number(row.storedBytes) / 2 ** 20) * 100) / 100);
    const live = await completed(running.id, "live");
    expect((await api("GET", `/api/v1/snapshots/${live}/`, { token: user.read })).body.consistency).toBe("crash-consistent");
  });
});

describe("PATCH /api/v1/snapshots/{id}/", () => {
  it("changes name, description, labels (replacing the set) and protected; audits it", async () => {
    const server = await seedServer(user.id);
    const id = await completed(server.id, "before");
    const res = await patch(id, { name: "after", description: "moved", labels: { env: "prod", "team/db": "ops", temp: "" } });
    expect(res.status, res.text).toBe(200);
    expect(snapshotSchema.parse(res.body)).toMatchObject({
      name: "after",
      description: "moved",
      labels: { env: "prod", "team/db": "ops", temp: "" },
    });
    const replaced = await patch(id, { labels: { tier: "web" }, protected: true });
    expect(replaced.body).toMatchObject({ name: "after", labels: { tier: "web" }, protected: true });
    expect((await patch(id, { labels: {}, protected: false })).body).toMatchObject({ labels: {}, protected: false });
    const events = await api("GET", `/api/v1/events/?server_id=${server.id}`, { token: user.read });
    const update = events.body.results.find((e: { action: string }) => e.action === "snapshot.update");
    expect(update).toMatchObject({
      result: "success",
      target: { type: "snapshot", id, name: "after" },
      actor: { token: "write" },
    });
  });

  it("400 on invalid fields, 401, 403 for a read token, 404 for another user's snapshot; nothing changes", async () => {
    const server = await seedServer(user.id);
    const id = await completed(server.id, "guarded");
    const before = await dbFingerprint();
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"]));
    const invalid = [
      {},
      { name: "a b" },
      { name: "" },
      { description: 5 },
      { protected: "yes" },
      { labels: many },
      { labels: { Env: "x" } },
      { labels: { "-x": "x" } },
      { labels: { ["k".repeat(64)]: "x" } },
      { labels: { env: "v".repeat(64) } },
      { labels: { env: "a,b" } },
      { labels: { env: 1 } },
      { labels: ["env"] },
      { unknown: 1 },
    ];
    for (const json of invalid) {
      const res = await patch(id, json);
      expect(res.status, `${JSON.stringify(json).slice(0, 80)} → ${res.text}`).toBe(400);
      expect(errorSchema.parse(res.body).code).toBe("validation_error");
    }
    expect((await api("PATCH", `/api/v1/snapshots/${id}/`, { json: { name: "x" } })).status).toBe(401);
    expect((await patch(id, { name: "x" }, user.read)).body.code).toBe("forbidden");
    const theirs = await create((await seedServer(other.id)).id, "theirs", other.write);
    const res = await patch(theirs.body.id, { protected: true });
    expect(res.status).toBe(404);
    const after = await dbFingerprint();
    expect(after.snapshots.filter((s) => s.id !== theirs.body.id)).toEqual(before.snapshots);
  });
});

describe("names are unique per server (not failed)", () => {
  it("name_taken on create and on rename; a failed snapshot's name is free; other servers unaffected", async () => {
    const server = await seedServer(user.id);
    const first = await completed(server.id, "dup");
    const again = await create(server.id, "dup");
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("name_taken");
    const second = await completed(server.id, "second");
    expect((await patch(second, { name: "dup" })).body.code).toBe("name_taken");
    expect((await patch(first, { name: "dup", description: "same name is fine" })).status).toBe(200);
    await completed((await seedServer(user.id)).id, "dup");
    await prisma.$transaction((tx) => tx.snapshot.update({ where: { id: first }, data: { status: "failed" } }));
    expect((await patch(second, { name: "dup" })).status).toBe(200);
  });

  it("race: concurrent creates with one name → exactly one 201; concurrent renames to one name → exactly one 200", async () => {
    const server = await seedServer(user.id);
    const creates = await Promise.all(Array.from({ length: 12 }, () => create(server.id, "same")));
    expect(creates.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of creates.filter((r) => r.status !== 201))
      expect(["name_taken", "operation_in_progress"], r.text).toContain(r.body.code);
    await waitFor(
      "idle",
      async () => (await prisma.server.findUniqueOrThrow({ where: { id: server.id } })).activeOperationId === null,
    );
    const a = await completed(server.id, "a");
    const b = await completed(server.id, "b");
    const c = await completed(server.id, "c");
    const renames = await Promise.all([a, b, c].map((id) => patch(id, { name: "winner" })));
    expect(renames.map((r) => r.status).sort()).toEqual([200, 400, 400]);
    expect(renames.filter((r) => r.status === 400).every((r) => r.body.code === "name_taken")).toBe(true);
    expect(await prisma.snapshot.count({ where: { serverId: server.id, name: { in: ["same", "winner"] } } })).toBe(2);
  });
});

describe("label_selector", () => {
  it("k=v, k!=v, k, !k, all terms must match; 400 on a bad selector", async () => {
    const server = await seedServer(user.id);
    const ids: Record<string, number> = {};
    const labels: Record<string, Record<string, string>> = {
      web: { env: "prod", tier: "web", team: "ops" },
      db: { env: "prod", tier: "db", team: "dba" },
      tmp: { env: "dev", temp: "" },
      bare: {},
    };
    for (const [name, set] of Object.entries(labels)) {
      ids[name] = await completed(server.id, name);
      expect((await patch(ids[name]!, { labels: set })).status).toBe(200);
    }
    const select = async (selector: string) => {
      const res = await api("GET", `/api/v1/snapshots/?server_id=${server.id}&label_selector=${encodeURIComponent(selector)}`, {
        token: user.read,
      });
      expect(res.status, `${selector}: ${res.text}`).toBe(200);
      const page = snapshotPageSchema.parse(res.body);
      expect(page.count).toBe(page.results.length);
      return page.results.map((s) => s.name).sort();
    };
    expect(await select("env=prod")).toEqual(["db", "web"]);
    expect(await select("env==prod")).toEqual(["db", "web"]);
    expect(await select("env!=prod")).toEqual(["bare", "tmp"]);
    expect(await select("tier")).toEqual(["db", "web"]);
    expect(await select("!tier")).toEqual(["bare", "tmp"]);
    expect(await select("env=prod,tier,!temp,team!=ops")).toEqual(["db"]);
    expect(await select("env=prod, tier=web")).toEqual(["web"]);
    expect(await select("temp=")).toEqual(["tmp"]);
    expect(await select("nothing")).toEqual([]);
    // Another user's labels are not theirs to select.
    const foreign = await api("GET", `/api/v1/snapshots/?label_selector=env`, { token: other.read });
    expect(foreign.body.count).toBe(0);
    for (const bad of ["", ",", "env=prod,", "=prod", "Env=prod", "env=a=b", "!env=prod", "env!", "a b", "env=x y", "!"]) {
      const res = await api("GET", `/api/v1/snapshots/?label_selector=${encodeURIComponent(bad)}`, { token: user.read });
      expect(res.status, `"${bad}" → ${res.text}`).toBe(400);
      expect(res.body).toMatchObject({ code: "validation_error", errors: { label_selector: expect.any(Array) } });
    }
  });
});

describe("protection", () => {
  it("DELETE of a protected snapshot: 400 snapshot_protected, kept; unprotected it deletes", async () => {
    const server = await seedServer(user.id);
    const id = await completed(server.id, "keep-me");
    await patch(id, { protected: true });
    const refused = await api("DELETE", `/api/v1/snapshots/${id}/`, { token: user.write });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("snapshot_protected");
    expect(await prisma.snapshot.count({ where: { id } })).toBe(1);
    await patch(id, { protected: false });
    expect((await api("DELETE", `/api/v1/snapshots/${id}/`, { token: user.write })).status).toBe(204);
  });

  it("race: PATCH protected=true against DELETE → either protected and kept, or deleted and 404; never both", async () => {
    const server = await seedServer(user.id);
    const outcomes = new Set<string>();
    for (let round = 0; round < 6; round++) {
      const id = await completed(server.id, `race-${round}`);
      const [p, d] = await Promise.all([
        patch(id, { protected: true }),
        api("DELETE", `/api/v1/snapshots/${id}/`, { token: user.write }),
      ]);
      const row = await prisma.snapshot.findUnique({ where: { id } });
      if (d.status === 204) {
        expect(p.status, p.text).toBe(404);
        expect(row).toBeNull();
        outcomes.add("deleted");
      } else {
        expect([p.status, d.status, d.body.code]).toEqual([200, 400, "snapshot_protected"]);
        expect(row?.protected).toBe(true);
        await patch(id, { protected: false });
        expect((await api("DELETE", `/api/v1/snapshots/${id}/`, { token: user.write })).status).toBe(204);
        outcomes.add("protected");
      }
    }
    expect(outcomes.size).toBeGreaterThan(0);
  });
});

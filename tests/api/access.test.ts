// Who may do what, on every route of the route table (route-table.ts): 401 with
// WWW-Authenticate, read tokens refused on every mutating route, cross-tenant ids answer
// 404 and change nothing, admins see all, and cookie sessions are refused on cross-site
// mutations.
import { beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { type CallOptions } from "../helpers/api-client";
import { dbFingerprint, seedUser, signIn, type SeededUser } from "../helpers/seed";
import { routeCases, seedIds, urlOf, type Ids, type RouteCase } from "./route-table";
import { prisma } from "@/lib/server/db";

const app = serveApp();
const { api } = app;
let alice: SeededUser;
let bob: SeededUser;
let mine: Ids;
let theirs: Ids;

beforeAll(async () => {
  [alice, bob] = [await seedUser(), await seedUser()];
  mine = await seedIds(api, alice);
  theirs = await seedIds(api, bob);
});

// Every route of the route table: a new route is covered by being described there.
const guarded = routeCases().filter((c) => c.spec.auth !== "public");
const call = (c: RouteCase, ids: Ids, options: CallOptions) =>
  api(c.method, urlOf(c.pattern, ids), { ...options, json: options.json ?? c.spec.json?.(ids) });

describe("authentication", () => {
  it("401 + WWW-Authenticate: Bearer with no, a wrong, a malformed or a revoked token, on every route", async () => {
    const revoked = await seedUser();
    expect(
      (
        await api(
          "DELETE",
          `/api/v1/tokens/${(await prisma.apiToken.findFirstOrThrow({ where: { userId: revoked.id, scope: "read" } })).id}/`,
          { token: revoked.write },
        )
      ).status,
    ).toBe(204);
    const before = await dbFingerprint();
    const variants: Record<string, string>[] = [
      {},
      { authorization: "Bearer sdk_not-a-real-token" },
      { authorization: "Bearer " + "x".repeat(5000) },
      { authorization: "Basic dXNlcjpwYXNz" },
      { authorization: "Bearer" },
      { authorization: `Bearer ${revoked.read}` },
    ];
    expect(guarded.length).toBeGreaterThanOrEqual(12);
    for (const c of guarded)
      for (const headers of variants) {
        const res = await call(c, mine, { headers });
        expect(res.status, `${c.method} ${c.pattern} ${JSON.stringify(headers).slice(0, 60)}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(res.body).toMatchObject({ code: "unauthenticated" });
      }
    expect(await dbFingerprint()).toEqual(before);
  });

  it("a read token reads everything and gets 403 on every mutating route", async () => {
    for (const c of guarded.filter((c) => c.spec.auth === "read"))
      expect((await call(c, mine, { token: alice.read })).status, `${c.method} ${c.pattern}`).toBe(200);
    // Admin-only routes: a member's token is refused, an admin's reads.
    const admin = await seedUser("admin");
    for (const c of guarded.filter((c) => c.spec.auth === "admin")) {
      expect((await call(c, mine, { token: alice.read })).status, `${c.method} ${c.pattern}`).toBe(403);
      expect((await call(c, mine, { token: admin.read })).status, `${c.method} ${c.pattern}`).toBe(200);
    }
    const before = await dbFingerprint();
    for (const c of guarded.filter((c) => c.spec.auth === "write")) {
      const res = await call(c, mine, { token: alice.read });
      expect(res.status, `${c.method} ${c.pattern}`).toBe(403);
      expect(res.body.code).toBe("forbidden");
    }
    expect(await dbFingerprint()).toEqual(before);
  });
});

describe("tenancy", () => {
  it("another user's ids answer 404 on every route that takes one, and change nothing", async () => {
    const before = await dbFingerprint();
    const cases = guarded.filter((c) => c.spec.foreign === "404");
    expect(cases.length).toBeGreaterThanOrEqual(8);
    for (const c of cases) {
      const res = await call(c, theirs, { token: alice.write });
      expect(res.status, `${c.method} ${c.pattern}`).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
    // Lists simply do not show them.
    expect((await api("GET", `/api/v1/snapshots/?server_id=${theirs.serverId}`, { token: alice.read })).body.count).toBe(0);
    expect((await api("GET", `/api/v1/events/?server_id=${theirs.serverId}`, { token: alice.read })).body.count).toBe(0);
    const servers = await api("GET", "/api/v1/servers/", { token: alice.read });
    expect(servers.body.results.map((s: { id: number }) => s.id)).toEqual([mine.serverId]);
    const tokens = await api("GET", "/api/v1/tokens/", { token: alice.read });
    expect(tokens.body.results.every((t: { id: number }) => t.id !== theirs.tokenId)).toBe(true);
    expect(await dbFingerprint()).toEqual(before);
  });

  it("admins see every user's servers and snapshots", async () => {
    const admin = await seedUser("admin");
    expect((await api("GET", `/api/v1/snapshots/${theirs.snapshotId}/`, { token: admin.read })).status).toBe(200);
    expect((await api("GET", `/api/v1/servers/${theirs.serverId}/`, { token: admin.read })).status).toBe(200);
    const ids = (await api("GET", "/api/v1/servers/", { token: admin.read })).body.results.map((s: { id: number }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([mine.serverId, theirs.serverId]));
  });
});

describe("dashboard session", () => {
  it("reads with the cookie; mutations only from the same origin (CSRF)", async () => {
    const cookie = await signIn(app.url, alice.email);
    expect((await api("GET", "/api/v1/servers/", { cookie })).status).toBe(200);
    const stop = `/api/v1/servers/${mine.serverId}/actions/start/`;
    const before = await dbFingerprint();
    const crossSite: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "null" },
    ];
    for (const headers of crossSite) {
      const res = await api("POST", stop, { cookie, headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.code).toBe("csrf_failed");
    }
    expect(await dbFingerprint()).toEqual(before);
    const host = new URL(app.url).host;
    const ok = await api("POST", stop, { cookie, headers: { origin: `http://${host}`, "sec-fetch-site": "same-origin" } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.status).toBe("active");
    const created = await api("POST", "/api/v1/tokens/", {
      cookie,
      headers: { origin: `http://${host}` },
      json: { name: "from-dashboard", scope: "read" },
    });
    expect(created.status).toBe(201);
  });
});

// Who may do what: 401 with WWW-Authenticate, read tokens refused on every mutating
// route, cross-tenant ids answer 404 and change nothing, admins see all, and cookie
// sessions are refused on cross-site mutations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { createApi, type Api } from "../helpers/api-client";
import { dbFingerprint, markSnapshotCompleted, seedServer, seedUser, signIn, type SeededUser } from "../helpers/seed";
import { prisma } from "@/lib/server/db";

let app: AppServer;
let api: Api;
let alice: SeededUser;
let bob: SeededUser;
let bobServer: number;
let bobSnapshot: number;
let bobToken: number;
let aliceServer: number;
let aliceSnapshot: number;

beforeAll(async () => {
  app = await startAppServer();
  api = createApi(app.url);
  [alice, bob] = [await seedUser(), await seedUser()];
  bobServer = (await seedServer(bob.id, { status: "active" })).id;
  aliceServer = (await seedServer(alice.id, { status: "active" })).id;
  const snap = async (server: number, token: string) => {
    const res = await api("POST", "/api/v1/snapshots/", { token, json: { server_id: server, name: "mine" } });
    await markSnapshotCompleted(res.body.id);
    return res.body.id as number;
  };
  bobSnapshot = await snap(bobServer, bob.write);
  aliceSnapshot = await snap(aliceServer, alice.write);
  bobToken = (await prisma.apiToken.findFirstOrThrow({ where: { userId: bob.id } })).id;
});
afterAll(() => app?.stop());

type Route = { method: string; path: () => string; json?: () => unknown };
const mutating: Route[] = [
  { method: "POST", path: () => "/api/v1/snapshots/", json: () => ({ server_id: aliceServer, name: "x" }) },
  { method: "DELETE", path: () => `/api/v1/snapshots/${aliceSnapshot}/` },
  { method: "POST", path: () => `/api/v1/snapshots/${aliceSnapshot}/restore/` },
  { method: "POST", path: () => `/api/v1/servers/${aliceServer}/actions/stop/` },
  { method: "POST", path: () => `/api/v1/servers/${aliceServer}/actions/start/` },
  { method: "POST", path: () => "/api/v1/tokens/", json: () => ({ name: "new", scope: "write" }) },
  { method: "DELETE", path: () => `/api/v1/tokens/${bobToken}/` },
];
const reading: Route[] = [
  { method: "GET", path: () => "/api/v1/snapshots/" },
  { method: "GET", path: () => `/api/v1/snapshots/${aliceSnapshot}/` },
  { method: "GET", path: () => "/api/v1/servers/" },
  { method: "GET", path: () => `/api/v1/servers/${aliceServer}/` },
  { method: "GET", path: () => "/api/v1/tokens/" },
];

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
    for (const route of [...mutating, ...reading])
      for (const headers of variants) {
        const res = await api(route.method, route.path(), { headers, json: route.json?.() });
        expect(res.status, `${route.method} ${route.path()} ${JSON.stringify(headers).slice(0, 60)}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(res.body).toMatchObject({ code: "unauthenticated" });
      }
    expect(await dbFingerprint()).toEqual(before);
  });

  it("a read token reads everything and gets 403 on every mutating route", async () => {
    for (const route of reading) expect((await api(route.method, route.path(), { token: alice.read })).status).toBe(200);
    const before = await dbFingerprint();
    for (const route of mutating) {
      const res = await api(route.method, route.path(), { token: alice.read, json: route.json?.() });
      expect(res.status, `${route.method} ${route.path()}`).toBe(403);
      expect(res.body.code).toBe("forbidden");
    }
    expect(await dbFingerprint()).toEqual(before);
  });
});

describe("tenancy", () => {
  it("another user's ids answer 404 on every route and change nothing", async () => {
    const before = await dbFingerprint();
    const cases: [string, string, unknown?][] = [
      ["GET", `/api/v1/snapshots/${bobSnapshot}/`],
      ["DELETE", `/api/v1/snapshots/${bobSnapshot}/`],
      ["POST", `/api/v1/snapshots/${bobSnapshot}/restore/`],
      ["POST", "/api/v1/snapshots/", { server_id: bobServer, name: "sneaky" }],
      ["GET", `/api/v1/servers/${bobServer}/`],
      ["POST", `/api/v1/servers/${bobServer}/actions/stop/`],
      ["POST", `/api/v1/servers/${bobServer}/actions/start/`],
      ["DELETE", `/api/v1/tokens/${bobToken}/`],
    ];
    for (const [method, path, json] of cases) {
      const res = await api(method, path, { token: alice.write, json });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
    const list = await api("GET", `/api/v1/snapshots/?server_id=${bobServer}`, { token: alice.read });
    expect(list.body.count).toBe(0);
    const servers = await api("GET", "/api/v1/servers/", { token: alice.read });
    expect(servers.body.results.map((s: { id: number }) => s.id)).toEqual([aliceServer]);
    const tokens = await api("GET", "/api/v1/tokens/", { token: alice.read });
    expect(tokens.body.results.every((t: { id: number }) => t.id !== bobToken)).toBe(true);
    expect(await dbFingerprint()).toEqual(before);
  });

  it("admins see every user's servers and snapshots", async () => {
    const admin = await seedUser("admin");
    expect((await api("GET", `/api/v1/snapshots/${bobSnapshot}/`, { token: admin.read })).status).toBe(200);
    expect((await api("GET", `/api/v1/servers/${bobServer}/`, { token: admin.read })).status).toBe(200);
    const ids = (await api("GET", "/api/v1/servers/", { token: admin.read })).body.results.map((s: { id: number }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([aliceServer, bobServer]));
  });
});

describe("dashboard session", () => {
  it("reads with the cookie; mutations only from the same origin (CSRF)", async () => {
    const cookie = await signIn(app.url, alice.email);
    expect((await api("GET", "/api/v1/servers/", { cookie })).status).toBe(200);
    const stop = `/api/v1/servers/${aliceServer}/actions/stop/`;
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
    expect(ok.body.status).toBe("stopped");
    const created = await api("POST", "/api/v1/tokens/", {
      cookie,
      headers: { origin: `http://${host}` },
      json: { name: "from-dashboard", scope: "read" },
    });
    expect(created.status).toBe(201);
  });
});

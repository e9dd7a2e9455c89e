// A table of malformed inputs tried on every route: none answers 5xx, each answers the
// JSON error envelope with a detail, and the database is unchanged afterwards.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { createApi, type Api, type CallOptions } from "../helpers/api-client";
import { dbFingerprint, markSnapshotCompleted, seedServer, seedUser, type SeededUser } from "../helpers/seed";
import { errorSchema } from "@/lib/schemas/api-responses";
import { prisma } from "@/lib/server/db";

let app: AppServer;
let api: Api;
let user: SeededUser;
let serverId: number;
let snapshotId: number;
let tokenId: number;

beforeAll(async () => {
  app = await startAppServer();
  api = createApi(app.url);
  user = await seedUser();
  serverId = (await seedServer(user.id, { status: "active" })).id;
  const res = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: serverId, name: "keep" } });
  snapshotId = res.body.id;
  await markSnapshotCompleted(snapshotId);
  tokenId = (await prisma.apiToken.findFirstOrThrow({ where: { userId: user.id, scope: "read" } })).id;
});
afterAll(() => app?.stop());

const BAD_IDS = [
  "abc",
  "0",
  "-1",
  "1.5",
  "1e3",
  "0x10",
  "99999999999999999999",
  "2147483648",
  "%20",
  "1%00",
  "%E2%82%AC",
  "null",
];
const JSON_HEADERS = { "content-type": "application/json" };
const big = (n: number) => JSON.stringify({ server_id: 1, name: "x", description: "d".repeat(n) });

/** Malformed bodies for a POST route that takes `valid` as its body. */
function badBodies(valid: Record<string, unknown>, idempotent = true): CallOptions[] {
  const keys: CallOptions[] = [
    { json: valid, headers: { "idempotency-key": "has spaces in it" } },
    { json: valid, headers: { "idempotency-key": "k".repeat(300) } },
  ];
  return [
    ...(idempotent ? keys : []),
    { raw: "{not json", headers: JSON_HEADERS },
    { raw: '{"a":1', headers: JSON_HEADERS },
    { raw: new Blob([new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])]), headers: JSON_HEADERS },
    { raw: JSON.stringify(valid), headers: { "content-type": "text/plain" } },
    { raw: JSON.stringify(valid), headers: { "content-type": "application/x-www-form-urlencoded" } },
    { raw: JSON.stringify(valid), headers: { "content-type": "multipart/form-data; boundary=x" } },
    { raw: big(70 * 1024), headers: JSON_HEADERS },
    { json: [] },
    { json: "a string" },
    { json: 42 },
    { json: null },
    { json: { ...valid, unexpected: true } },
    { json: { ...valid, __proto__: { polluted: true }, constructor: 1 } },
  ];
}

const SNAPSHOT_BODIES: CallOptions[] = [
  ...badBodies({ server_id: 1, name: "x" }),
  { json: {} },
  { json: { name: "x" } },
  { json: { server_id: "1", name: "x" } },
  { json: { server_id: 1.5, name: "x" } },
  { json: { server_id: 1e30, name: "x" } },
  { json: { server_id: -1, name: "x" } },
  { json: { server_id: null, name: "x" } },
  { json: { server_id: true, name: "x" } },
  ...["", " ", "a b", "a/b", "../etc", "<script>", "x".repeat(65), "名前", "tab\t", "new\nline"].map((name) => ({
    json: { server_id: 1, name },
  })),
  { json: { server_id: 1, name: ["x"] } },
  { json: { server_id: 1, name: "ok", description: 5 } },
  { json: { server_id: 1, name: "ok", description: "d".repeat(501) } },
];

function routes(): [string, string, CallOptions[]][] {
  const idPaths = (make: (id: string) => string, method: string, options: CallOptions = {}) =>
    BAD_IDS.map((id): [string, string, CallOptions[]] => [method, make(id), [options]]);
  return [
    ["POST", "/api/v1/snapshots/", SNAPSHOT_BODIES.map((o) => ({ ...o, headers: { ...o.headers } }))],
    ["POST", `/api/v1/snapshots/${snapshotId}/restore/`, badBodies({})],
    ["POST", `/api/v1/servers/${serverId}/actions/stop/`, badBodies({})],
    [
      "POST",
      "/api/v1/tokens/",
      [
        ...badBodies({ name: "t", scope: "read" }, false),
        { json: { name: "", scope: "read" } },
        { json: { name: "t", scope: "admin" } },
        { json: { name: 1 } },
        { json: { name: "t".repeat(65) } },
        ...[0, 3651, 1.5, "30", null].map((days) => ({ json: { name: "t", expires_in_days: days } })),
      ],
    ],
    ...[
      "status=done",
      "status=",
      "server_id=x",
      "server_id=99999999999999",
      "page=0",
      "page=-1",
      "page=abc",
      "page_size=0",
      "page_size=101",
      "page_size=1.5",
      "sort=name",
      "constructor=1",
      "page=1&page=2",
      "status[]=completed",
    ].map((q): [string, string, CallOptions[]] => ["GET", `/api/v1/snapshots/?${q}`, [{}]]),
    ["GET", "/api/v1/servers/?page=1", [{}]],
    ["GET", "/api/v1/tokens/?x=1", [{}]],
    ...idPaths((id) => `/api/v1/snapshots/${id}/`, "GET"),
    ...idPaths((id) => `/api/v1/snapshots/${id}/`, "DELETE"),
    ...idPaths((id) => `/api/v1/snapshots/${id}/restore/`, "POST"),
    ...idPaths((id) => `/api/v1/servers/${id}/`, "GET"),
    ...idPaths((id) => `/api/v1/servers/${id}/actions/stop/`, "POST"),
    ...idPaths((id) => `/api/v1/tokens/${id}/`, "DELETE"),
    ["POST", `/api/v1/servers/${serverId}/actions/reboot/`, [{}]],
    ["POST", `/api/v1/servers/${serverId}/actions/STOP/`, [{}]],
    ["GET", "/api/v1/nothing-here/", [{}]],
    ["GET", `/api/v1/snapshots/${snapshotId}/extra/`, [{}]],
  ];
}

it("malformed input on every route: 4xx with the error envelope, never 5xx, nothing changes", async () => {
  const before = await dbFingerprint();
  const seen: Record<number, number> = {};
  for (const [method, path, variants] of routes())
    for (const options of variants) {
      const res = await api(method, path, { token: user.write, ...options, headers: { ...options.headers } });
      const label = `${method} ${path} ${JSON.stringify(options).slice(0, 120)} → ${res.status} ${res.text.slice(0, 200)}`;
      expect(res.status, label).toBeGreaterThanOrEqual(400);
      expect(res.status, label).toBeLessThan(500);
      expect(res.headers.get("content-type"), label).toContain("application/json");
      const body = errorSchema.parse(res.body);
      expect(body.detail.length, label).toBeGreaterThan(5);
      expect(res.text, label).not.toMatch(/at .+\.(js|ts):\d+|<html/i);
      seen[res.status] = (seen[res.status] ?? 0) + 1;
    }
  expect(Object.keys(seen).sort()).toEqual(["400", "404", "413", "415"]);
  expect(await dbFingerprint()).toEqual(before);
});

it("the error details name the problem", async () => {
  const bad = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: "7", name: "a b", extra: 1 } });
  expect(bad.body.code).toBe("validation_error");
  expect(Object.keys(bad.body.errors).sort()).toEqual(["extra", "name", "server_id"]);
  const json = await api("POST", "/api/v1/snapshots/", { token: user.write, raw: "{", headers: JSON_HEADERS });
  expect(json.body).toMatchObject({ code: "invalid_json", detail: expect.stringMatching(/JSON/) });
  const type = await api("POST", "/api/v1/snapshots/", {
    token: user.write,
    raw: "server_id=1",
    headers: { "content-type": "text/plain" },
  });
  expect(type.status).toBe(415);
  expect(type.body.detail).toMatch(/application\/json/);
  expect(tokenId).toBeGreaterThan(0);
});

// JSON may spell half a surrogate pair ("\ud800"), which is not text: no database or
// UTF-8 encoder can store it. Every string field (and key) of every body is refused
// with a 400 that names it, before the route looks at it.
it("a lone UTF-16 surrogate in any string field of any route: 400 naming the field", async () => {
  const before = await dbFingerprint();
  const routesWithBodies: [string, Record<string, unknown>][] = [
    ["/api/v1/snapshots/", { server_id: serverId, name: "ok", description: "fine" }],
    ["/api/v1/tokens/", { name: "t", scope: "read", expires_in_days: 30 }],
    [`/api/v1/snapshots/${snapshotId}/restore/`, { note: "x" }],
    [`/api/v1/servers/${serverId}/actions/stop/`, { note: "x" }],
  ];
  for (const [path, valid] of routesWithBodies) {
    const strings = Object.keys(valid).filter((k) => typeof valid[k] === "string");
    for (const field of strings)
      for (const half of ["\ud800", "\udfff", "a\udbffb", "\udc00\ud800"]) {
        const res = await api("POST", path, { token: user.write, json: { ...valid, [field]: half } });
        const label = `POST ${path} ${field}=${JSON.stringify(half)} → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, label).toBe(400);
        expect(res.body, label).toMatchObject({ code: "validation_error", errors: { [field]: [expect.stringMatching(/surrogate/)] } });
        expect(res.body.detail, label).toContain(field);
      }
    // In a nested value and in a key too.
    const nested = await api("POST", path, { token: user.write, json: { ...valid, tags: ["ok", "\ud83d"] } });
    expect(nested.body.errors, path).toHaveProperty(["tags.1"]);
    const key = await api("POST", path, { token: user.write, raw: `{"\\ud800": 1}`, headers: JSON_HEADERS });
    expect(key.status, path).toBe(400);
  }
  expect(await dbFingerprint()).toEqual(before);
  // A proper pair is text like any other: a token name takes an emoji.
  const ok = await api("POST", "/api/v1/tokens/", { token: user.write, json: { name: "emoji \ud83d\ude00" } });
  expect(ok.status, ok.text).toBe(201);
  expect(ok.body.name).toBe("emoji \u{1F600}");
});

// Last: the server answers before the upload ends, which resets that connection.
it("413 is measured on the bytes received, not on Content-Length (chunked upload)", async () => {
  const before = await dbFingerprint();
  const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < 8) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const res = await fetch(`${app.url}/api/v1/snapshots/`, {
    method: "POST",
    headers: { authorization: `Bearer ${user.write}`, "content-type": "application/json" },
    body,
    duplex: "half",
  } as RequestInit);
  expect(res.status).toBe(413);
  expect(((await res.json()) as { code: string }).code).toBe("payload_too_large");
  expect(await dbFingerprint()).toEqual(before);
});

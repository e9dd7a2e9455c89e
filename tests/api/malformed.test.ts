// A table of malformed inputs tried on every route of the route table (route-table.ts):
// none answers 5xx, each answers the JSON error envelope with a detail, and the database
// is unchanged afterwards.
import { beforeAll, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { type CallOptions } from "../helpers/api-client";
import { dbFingerprint, markSnapshotCompleted, seedServer, seedUser, type SeededUser } from "../helpers/seed";
import { errorSchema } from "@/lib/schemas/api-responses";
import { prisma } from "@/lib/server/db";
import { pathParams, routeCases, urlOf, type Ids } from "./route-table";

const app = serveApp();
const { api } = app;
let user: SeededUser;
let serverId: number;
let snapshotId: number;
let tokenId: number;
let scheduleId: number;
let admin: SeededUser;

beforeAll(async () => {
  user = await seedUser();
  serverId = (await seedServer(user.id, { status: "active" })).id;
  const res = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: serverId, name: "keep" } });
  snapshotId = res.body.id;
  await markSnapshotCompleted(snapshotId);
  tokenId = (await prisma.apiToken.findFirstOrThrow({ where: { userId: user.id, scope: "read" } })).id;
  const schedule = await api("POST", "/api/v1/schedules/", {
    token: user.write,
    json: { server_id: serverId, cron: "0 3 * * *", keep: 2, enabled: false },
  });
  scheduleId = schedule.body.id;
  admin = await seedUser("admin");
});

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

/** Every route of the route table: bad ids in each path parameter, bad bodies, bad queries. */
function routes(): [string, string, CallOptions[], "admin"?][] {
  const ids: Ids = { serverId, snapshotId, tokenId, scheduleId, action: "stop" };
  const out: [string, string, CallOptions[], "admin"?][] = [];
  for (const { pattern, method, spec } of routeCases()) {
    if (spec.auth === "public") continue;
    // Admin-only routes are tried with an admin's token (a member's is refused before any input is read).
    const as = spec.auth === "admin" ? ("admin" as const) : undefined;
    for (const param of pathParams(pattern))
      for (const bad of param === "action" ? ["reboot", "STOP"] : BAD_IDS)
        out.push([method, urlOf(pattern, ids, { [param]: bad }), [{ json: spec.json?.(ids) }], as]);
    const url = urlOf(pattern, ids);
    if (method === "GET") for (const q of spec.queries ?? ["unknown=1"]) out.push([method, `${url}?${q}`, [{}], as]);
    else
      out.push([
        method,
        url,
        [...badBodies((spec.json?.(ids) as Record<string, unknown>) ?? {}, !!spec.idempotent), ...(spec.bodies ?? [])],
        as,
      ]);
  }
  return [...out, ["GET", "/api/v1/nothing-here/", [{}]], ["GET", `/api/v1/snapshots/${snapshotId}/extra/`, [{}]]];
}

it("malformed input on every route: 4xx with the error envelope, never 5xx, nothing changes", async () => {
  const before = await dbFingerprint();
  const seen: Record<number, number> = {};
  for (const [method, path, variants, as] of routes())
    for (const options of variants) {
      const res = await api(method, path, {
        token: as === "admin" ? admin.write : user.write,
        ...options,
        headers: { ...options.headers },
      });
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
  const ids: Ids = { serverId, snapshotId, tokenId, scheduleId, action: "stop" };
  // Every route that takes a body (from the route table), with a string field in it.
  const routesWithBodies = routeCases()
    .filter((c) => c.method !== "GET")
    .map((c): [string, string, Record<string, unknown>] => {
      const valid = (c.spec.json?.(ids) ?? {}) as Record<string, unknown>;
      return [
        c.method,
        urlOf(c.pattern, ids),
        Object.values(valid).some((v) => typeof v === "string") ? valid : { ...valid, note: "x" },
      ];
    });
  expect(routesWithBodies.length).toBeGreaterThanOrEqual(7);
  for (const [method, path, valid] of routesWithBodies) {
    const strings = Object.keys(valid).filter((k) => typeof valid[k] === "string");
    for (const field of strings)
      for (const half of ["\ud800", "\udfff", "a\udbffb", "\udc00\ud800"]) {
        const res = await api(method, path, { token: user.write, json: { ...valid, [field]: half } });
        const label = `${method} ${path} ${field}=${JSON.stringify(half)} → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, label).toBe(400);
        expect(res.body, label).toMatchObject({
          code: "validation_error",
          errors: { [field]: [expect.stringMatching(/surrogate/)] },
        });
        expect(res.body.detail, label).toContain(field);
      }
    // In a nested value and in a key too.
    const nested = await api(method, path, { token: user.write, json: { ...valid, tags: ["ok", "\ud83d"] } });
    expect(nested.body.errors, path).toHaveProperty(["tags.1"]);
    const key = await api(method, path, { token: user.write, raw: `{"\\ud800": 1}`, headers: JSON_HEADERS });
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

// Every API route, described once: who may call each method, a valid body, how another
// user's ids answer, and the malformed inputs particular to it. access, malformed, methods
// and the OpenAPI test are driven from this table, and methods.test.ts checks it against
// the route files under app/api/v1 and the methods each one serves: a route added without
// a row here fails that test, so no route escapes the access and malformed-input checks.
import { readdirSync } from "node:fs";
import path from "node:path";
import type { Api, CallOptions } from "../helpers/api-client";
import { markSnapshotCompleted, seedServer, type SeededUser } from "../helpers/seed";
import { prisma } from "@/lib/server/db";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type Ids = { serverId: number; snapshotId: number; tokenId: number; scheduleId: number; action: string };

export type MethodSpec = {
  /** public: no credentials needed; read: any token; write: read tokens get 403; admin: any token of an admin, members get 403. */
  auth: "public" | "read" | "write" | "admin";
  /** A valid body for the caller's own ids (no body: the route takes none). */
  json?: (ids: Ids) => unknown;
  /** 404: with another user's ids (path and body) it answers 404 and changes nothing. none: no ids of anyone else can be named (lists filter, or the caller's own things). */
  foreign: "404" | "none";
  /** Honours Idempotency-Key (malformed keys are tried). */
  idempotent?: boolean;
  /** Malformed bodies particular to this route (beyond the generic ones). */
  bodies?: CallOptions[];
  /** Malformed query strings (GET). */
  queries?: string[];
};

const SNAPSHOT_NAMES = ["", " ", "a b", "a/b", "../etc", "<script>", "x".repeat(65), "名前", "tab\t", "new\nline"];
const LABELS_33 = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"]));
const PAGING = [
  "page=0",
  "page=-1",
  "page=abc",
  "page_size=0",
  "page_size=101",
  "page_size=1.5",
  "page=1&page=2",
  "constructor=1",
];

/** Keys: the route file's directory under app/api/v1. */
export const ROUTES: Record<string, Partial<Record<Method, MethodSpec>>> = {
  "openapi.json": { GET: { auth: "public", foreign: "none" } },
  servers: { GET: { auth: "read", foreign: "none", queries: ["page=1"] } },
  "servers/[serverId]": { GET: { auth: "read", foreign: "404" } },
  "servers/[serverId]/actions/[action]": { POST: { auth: "write", foreign: "404", idempotent: true, json: () => ({}) } },
  snapshots: {
    GET: {
      auth: "read",
      foreign: "none",
      queries: [
        ...PAGING,
        "status=done",
        "status=",
        "server_id=x",
        "server_id=99999999999999",
        "sort=name",
        "status[]=completed",
        ...["", ",", "=x", "Env=prod", "env=a=b", "!env=x", "a b", "env!", "env=x,!"].map(
          (s) => `label_selector=${encodeURIComponent(s)}`,
        ),
      ],
    },
    POST: {
      auth: "write",
      foreign: "404",
      idempotent: true,
      json: (ids) => ({ server_id: ids.serverId, name: "x" }),
      bodies: [
        { json: {} },
        { json: { name: "x" } },
        ...["1", 1.5, 1e30, -1, null, true].map((server_id) => ({ json: { server_id, name: "x" } })),
        ...SNAPSHOT_NAMES.map((name) => ({ json: { server_id: 1, name } })),
        { json: { server_id: 1, name: ["x"] } },
        { json: { server_id: 1, name: "ok", description: 5 } },
        { json: { server_id: 1, name: "ok", description: "d".repeat(501) } },
        { json: { server_id: 1, name: "ok", labels: { a: "b" } } },
      ],
    },
  },
  "snapshots/[snapshotId]": {
    GET: { auth: "read", foreign: "404" },
    PATCH: {
      auth: "write",
      foreign: "404",
      json: () => ({ description: "edited" }),
      bodies: [
        { json: {} },
        ...SNAPSHOT_NAMES.map((name) => ({ json: { name } })),
        { json: { description: "d".repeat(501) } },
        ...[1, "yes", null].map((p) => ({ json: { protected: p } })),
        ...[
          LABELS_33,
          { Env: "x" },
          { "": "x" },
          { ["k".repeat(64)]: "x" },
          { env: "v".repeat(64) },
          { env: "a,b" },
          { env: 1 },
          ["env"],
          null,
        ].map((labels) => ({ json: { labels } })),
        { json: { server_id: 2 } },
      ],
    },
    DELETE: { auth: "write", foreign: "404" },
  },
  "snapshots/[snapshotId]/restore": {
    POST: {
      auth: "write",
      foreign: "404",
      idempotent: true,
      json: () => ({}),
      bodies: [
        ...["yes", 1, null].map((safety_snapshot) => ({ json: { safety_snapshot } })),
        ...["1", 0, 1.5, null].map((server_id) => ({ json: { server_id } })),
        { json: { server_id: 99999999 } },
      ],
    },
  },
  hosts: { GET: { auth: "admin", foreign: "none" } },
  schedules: {
    GET: { auth: "read", foreign: "none", queries: ["server_id=x", "server_id=0", "page_size=1000"] },
    POST: {
      auth: "write",
      foreign: "404",
      idempotent: true,
      json: (ids) => ({ server_id: ids.serverId, cron: "0 4 * * *", keep: 2 }),
      bodies: [
        { json: {} },
        ...["", "* * * *", "60 * * * *", "0 24 * * *", "0 0 32 * *", "@daily", "0 0 * * * *", "x y z a b", 5].map((cron) => ({
          json: { server_id: 1, cron, keep: 2 },
        })),
        ...[0, 6, 1.5, "2", null].map((keep) => ({ json: { server_id: 1, cron: "0 4 * * *", keep } })),
        { json: { server_id: 1, cron: "0 4 * * *", keep: 2, enabled: "yes" } },
      ],
    },
  },
  "schedules/[scheduleId]": {
    GET: { auth: "read", foreign: "404" },
    PATCH: {
      auth: "write",
      foreign: "404",
      json: () => ({ keep: 3 }),
      bodies: [{ json: { cron: "61 * * * *" } }, { json: { keep: 0 } }, { json: { enabled: 1 } }, { json: { server_id: 2 } }],
    },
    DELETE: { auth: "write", foreign: "404" },
  },
  "schedules/[scheduleId]/run": { POST: { auth: "write", foreign: "404", idempotent: true, json: () => ({}) } },
  events: { GET: { auth: "read", foreign: "none", queries: [...PAGING, "server_id=x", "server_id=0", "actor=me"] } },
  tokens: {
    GET: { auth: "read", foreign: "none", queries: ["x=1"] },
    POST: {
      auth: "write",
      foreign: "none",
      json: () => ({ name: "t", scope: "read" }),
      bodies: [
        { json: { name: "", scope: "read" } },
        { json: { name: "t", scope: "admin" } },
        { json: { name: 1 } },
        { json: { name: "t".repeat(65) } },
        ...[0, 3651, 1.5, "30", null].map((days) => ({ json: { name: "t", expires_in_days: days } })),
      ],
    },
  },
  "tokens/[tokenId]": { DELETE: { auth: "write", foreign: "404" } },
};

export type RouteCase = { pattern: string; method: Method; spec: MethodSpec };

export function routeCases(): RouteCase[] {
  return Object.entries(ROUTES).flatMap(([pattern, methods]) =>
    Object.entries(methods).map(([method, spec]) => ({ pattern, method: method as Method, spec: spec! })),
  );
}

/** The URL of a route pattern with its [params] filled from `ids` (or replaced by `override`). */
export function urlOf(pattern: string, ids: Ids, override?: Record<string, string>): string {
  const filled = pattern.replace(/\[(\w+)\]/g, (_, name: string) => override?.[name] ?? String(ids[name as keyof Ids]));
  return `/api/v1/${filled}/`;
}

export function pathParams(pattern: string): string[] {
  return [...pattern.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!);
}

/** The OpenAPI path of a pattern: /snapshots/{snapshotId}/. */
export function openApiPath(pattern: string): string {
  return `/${pattern.replace(/\[(\w+)\]/g, "{$1}")}/`;
}

const API_DIR = path.resolve(__dirname, "../../app/api/v1");

/** Every route.ts under app/api/v1 as its directory pattern; the catch-all (JSON 404s) excluded. */
export function routeFiles(): string[] {
  return readdirSync(API_DIR, { recursive: true, encoding: "utf8" })
    .filter((entry) => path.basename(entry) === "route.ts" && !entry.includes("[..."))
    .map((entry) => path.dirname(entry).split(path.sep).join("/"))
    .sort();
}

/** A server (stopped), a completed snapshot and a token of `user`: ids every route can name. */
export async function seedIds(api: Api, user: SeededUser): Promise<Ids> {
  const serverId = (await seedServer(user.id, { status: "stopped" })).id;
  const res = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: serverId, name: "keep" } });
  if (res.status !== 201) throw new Error(`seedIds: ${res.status} ${res.text}`);
  await markSnapshotCompleted(res.body.id);
  const token = await prisma.apiToken.findFirstOrThrow({ where: { userId: user.id, scope: "read" } });
  const schedule = await api("POST", "/api/v1/schedules/", {
    token: user.write,
    json: { server_id: serverId, cron: "0 3 * * *", keep: 2, enabled: false },
  });
  if (schedule.status !== 201) throw new Error(`seedIds: schedule ${schedule.status} ${schedule.text}`);
  return { serverId, snapshotId: res.body.id, tokenId: token.id, scheduleId: schedule.body.id, action: "stop" };
}

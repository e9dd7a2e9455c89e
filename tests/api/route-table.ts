// Every API route as its route file declares it (lib/api/routes.ts, through the generated
// manifest): paths, methods, auth and idempotency come from the declarations; this file
// adds only what no declaration says, keyed by operationId: a valid body for the caller's
// ids, route-specific malformed bodies and queries, and whether another user's ids can be
// named outside the path. access, malformed, methods and the OpenAPI test are driven from
// it, so a new route is checked by those tests as soon as its route file declares it, and
// methods.test.ts holds the declarations to the route files and the methods they serve.
import { readdirSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import type { Api, CallOptions } from "../helpers/api-client";
import { markSnapshotCompleted, seedServer, type SeededUser } from "../helpers/seed";
import type { Auth } from "@/lib/api/handle";
import { apiRoutes } from "@/lib/api/routes";
import { prisma } from "@/lib/server/db";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type Ids = { serverId: number; snapshotId: number; tokenId: number; scheduleId: number; action: string };

/** What a test needs beyond the declaration; every field has a default. */
type TestData = {
  /** A valid body for the caller's own ids (default: none; the route takes none or it is all optional). */
  json?: (ids: Ids) => unknown;
  /**
   * 404: with another user's ids (path and body) it answers 404 and changes nothing. none: no
   * ids of anyone else can be named. Default: 404 when the path names a resource (public and
   * admin routes excepted: nothing of theirs is another user's), none otherwise.
   */
  foreign?: "404" | "none";
  /** Malformed bodies particular to this route (beyond the generic ones). */
  bodies?: CallOptions[];
  /** Malformed query strings (GET; default `unknown=1`). */
  queries?: string[];
};

export type MethodSpec = Required<Pick<TestData, "foreign">> &
  Omit<TestData, "foreign"> & {
    operationId: string;
    /** public: no credentials needed; read: any token; write: read tokens get 403; admin: any token of an admin, members get 403. */
    auth: Auth;
    /** Honours Idempotency-Key (malformed keys are tried). */
    idempotent: boolean;
    /** In the OpenAPI document (all but the document itself). */
    documented: boolean;
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

/** Keys: operationIds (methods.test.ts checks each names a declared operation). */
export const TEST_DATA: Record<string, TestData> = {
  listServers: { queries: ["page=1"] },
  listSnapshots: {
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
  createSnapshot: {
    foreign: "404",
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
  updateSnapshot: {
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
  restoreSnapshot: {
    bodies: [
      ...["yes", 1, null].map((safety_snapshot) => ({ json: { safety_snapshot } })),
      ...["1", 0, 1.5, null].map((server_id) => ({ json: { server_id } })),
      { json: { server_id: 99999999 } },
    ],
  },
  listSchedules: { queries: ["server_id=x", "server_id=0", "page_size=1000"] },
  createSchedule: {
    foreign: "404",
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
  updateSchedule: {
    json: () => ({ keep: 3 }),
    bodies: [{ json: { cron: "61 * * * *" } }, { json: { keep: 0 } }, { json: { enabled: 1 } }, { json: { server_id: 2 } }],
  },
  listEvents: { queries: [...PAGING, "server_id=x", "server_id=0", "actor=me", "action=nope", "result=ok"] },
  listTokens: { queries: ["x=1"] },
  createToken: {
    json: () => ({ name: "t", scope: "read" }),
    bodies: [
      { json: { name: "", scope: "read" } },
      { json: { name: "t", scope: "admin" } },
      { json: { name: 1 } },
      { json: { name: "t".repeat(65) } },
      ...[0, 3651, 1.5, "30", null].map((days) => ({ json: { name: "t", expires_in_days: days } })),
    ],
  },
};

/** Keys: the route file's directory under app/api/v1, as the manifest lists them. */
export const ROUTES: Record<string, Partial<Record<Method, MethodSpec>>> = Object.fromEntries(
  apiRoutes().map(({ pattern, operations }) => [
    pattern,
    Object.fromEntries(
      operations.map((op): [Method, MethodSpec] => {
        const data = TEST_DATA[op.operationId] ?? {};
        const namesResource = pathParams(pattern).length > 0 && op.auth !== "public" && op.auth !== "admin";
        return [
          op.method,
          {
            ...data,
            operationId: op.operationId,
            auth: op.auth,
            idempotent: op.idempotent === true,
            documented: op.documented !== false,
            foreign: data.foreign ?? (namesResource ? "404" : "none"),
          },
        ];
      }),
    ),
  ]),
);

/** Path parameters no seeded id stands for take the first example of their schema (`.meta({ examples })`). */
const EXAMPLES: Record<string, string> = Object.fromEntries(
  apiRoutes().flatMap(({ operations }) =>
    operations.flatMap((op) =>
      Object.entries((op.params as z.ZodObject | undefined)?.shape ?? {}).flatMap(([name, schema]) => {
        const example = (schema as z.ZodType).meta()?.examples;
        return Array.isArray(example) && example.length > 0 ? [[name, String(example[0])]] : [];
      }),
    ),
  ),
);

export type RouteCase = { pattern: string; method: Method; spec: MethodSpec };

export function routeCases(): RouteCase[] {
  return Object.entries(ROUTES).flatMap(([pattern, methods]) =>
    Object.entries(methods).map(([method, spec]) => ({ pattern, method: method as Method, spec: spec! })),
  );
}

/** The URL of a route pattern with its [params] filled from `ids` (or replaced by `override`). */
export function urlOf(pattern: string, ids: Ids, override?: Record<string, string>): string {
  const filled = pattern.replace(/\[(\w+)\]/g, (_, name: string) => {
    const value = override?.[name] ?? (name in ids ? String(ids[name as keyof Ids]) : EXAMPLES[name]);
    if (value === undefined) throw new Error(`${pattern}: no id for [${name}]; add one to Ids or an example to its schema`);
    return value;
  });
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

// Every API path answers a method it does not implement with the JSON error envelope,
// code method_not_allowed and an Allow header, with and without the trailing slash. The
// paths are read from app/api/v1, so a route added later is checked without editing this,
// and every method it serves must be declared in its route file (handle()), which drives
// the access and malformed-input tests (route-table.ts).
import { beforeAll, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { dbFingerprint, markSnapshotCompleted, seedServer, seedUser, type SeededUser } from "../helpers/seed";
import { errorSchema } from "@/lib/schemas/api-responses";
import { prisma } from "@/lib/server/db";
import { ROUTES, TEST_DATA, routeFiles, urlOf } from "./route-table";

const { api } = serveApp();
let user: SeededUser;
const sample: Record<string, string> = {};

beforeAll(async () => {
  user = await seedUser();
  const serverId = (await seedServer(user.id, { status: "stopped" })).id;
  const res = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: serverId, name: "keep" } });
  await markSnapshotCompleted(res.body.id);
  sample.serverId = String(serverId);
  sample.snapshotId = String(res.body.id);
  sample.tokenId = String((await prisma.apiToken.findFirstOrThrow({ where: { userId: user.id, scope: "read" } })).id);
  sample.action = "stop";
  const schedule = await api("POST", "/api/v1/schedules/", {
    token: user.write,
    json: { server_id: serverId, cron: "0 3 * * *", keep: 1 },
  });
  sample.scheduleId = String(schedule.body.id);
});

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const ids = () => ({
  serverId: Number(sample.serverId),
  snapshotId: Number(sample.snapshotId),
  tokenId: Number(sample.tokenId),
  scheduleId: Number(sample.scheduleId),
  action: "stop",
});

/** Every route.ts under app/api/v1 as a URL path with its [params] filled in. */
function apiPaths(): string[] {
  return routeFiles().map((pattern) => urlOf(pattern, ids()).replace(/\/$/, ""));
}

it("every route file is in the manifest and declares exactly the methods it serves", async () => {
  expect(Object.keys(ROUTES).sort(), "a stale lib/api/route-manifest.generated.ts? run: tsx scripts/route-manifest.ts").toEqual(
    routeFiles(),
  );
  for (const pattern of routeFiles()) {
    const res = await api("OPTIONS", urlOf(pattern, ids()));
    const served = (res.headers.get("allow") ?? "").split(", ").filter((m) => METHODS.includes(m));
    expect(served.sort(), `${pattern}: declare each method with handle() in its route.ts`).toEqual(
      Object.keys(ROUTES[pattern]!).sort(),
    );
  }
  const operationIds = Object.values(ROUTES).flatMap((methods) => Object.values(methods).map((spec) => spec!.operationId));
  expect(new Set(operationIds).size, "operationIds are unique").toBe(operationIds.length);
  expect(operationIds, "tests/api/route-table.ts TEST_DATA keys name declared operations").toEqual(
    expect.arrayContaining(Object.keys(TEST_DATA)),
  );
});

it("wrong methods on every route: 405, the error envelope, an Allow header; nothing changes", async () => {
  const before = await dbFingerprint();
  let refused = 0;
  for (const base of apiPaths())
    for (const url of [base, `${base}/`]) {
      const options = await api("OPTIONS", url);
      expect(options.status, `OPTIONS ${url}`).toBe(204);
      const allow = options.headers.get("allow")?.split(", ") ?? [];
      expect(allow, `OPTIONS ${url}`).toContain("OPTIONS");
      for (const method of METHODS.filter((m) => !allow.includes(m))) {
        const res = await api(method, url, { token: user.write, json: method === "GET" ? undefined : {} });
        const label = `${method} ${url} → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, label).toBe(405);
        expect(res.headers.get("content-type"), label).toContain("application/json");
        expect(errorSchema.parse(res.body)).toMatchObject({ code: "method_not_allowed" });
        expect(res.body.detail, label).toContain(method);
        expect(res.headers.get("allow"), label).toBe(allow.join(", "));
        refused++;
      }
    }
  expect(refused).toBeGreaterThan(40);
  expect(await dbFingerprint()).toEqual(before);
});

it("the cases from the report, and the Allow lists they name", async () => {
  const cases: [string, string, string][] = [
    ["PUT", `/api/v1/snapshots/${sample.snapshotId}`, "GET, PATCH, DELETE, HEAD, OPTIONS"],
    ["DELETE", `/api/v1/servers/${sample.serverId}/`, "GET, HEAD, OPTIONS"],
    ["GET", `/api/v1/tokens/${sample.tokenId}/`, "DELETE, OPTIONS"],
    ["GET", `/api/v1/snapshots/${sample.snapshotId}/restore/`, "POST, OPTIONS"],
    ["PATCH", "/api/v1/tokens/", "GET, POST, HEAD, OPTIONS"],
  ];
  for (const [method, url, allow] of cases) {
    const res = await api(method, url, { token: user.write });
    expect(res.status, `${method} ${url}`).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(res.body).toMatchObject({ code: "method_not_allowed" });
  }
  // HEAD follows GET where there is one.
  expect((await api("HEAD", `/api/v1/servers/${sample.serverId}/`, { token: user.write })).status).toBe(200);
});

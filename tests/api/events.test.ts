// GET /api/v1/events/ (SPEC §6): the audit trail as paged activity, newest first, only
// what the caller may see; schedule and system actions are not shown as a user.
import { beforeAll, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { markSnapshotCompleted, seedServer, seedUser, type SeededUser } from "../helpers/seed";
import { eventPageSchema } from "@/lib/schemas/api-responses";
import { prisma } from "@/lib/server/db";
import { recordAudit } from "@/lib/server/audit";

const { api } = serveApp();
let alice: SeededUser;
let bob: SeededUser;
let aliceServer: number;
let bobServer: number;
let snapshotId: number;

beforeAll(async () => {
  [alice, bob] = [await seedUser(), await seedUser()];
  aliceServer = (await seedServer(alice.id, { status: "active" })).id;
  bobServer = (await seedServer(bob.id, { status: "stopped" })).id;
  const res = await api("POST", "/api/v1/snapshots/", {
    token: alice.write,
    json: { server_id: aliceServer, name: "nightly" },
  });
  snapshotId = res.body.id;
  await markSnapshotCompleted(snapshotId);
  await api("POST", `/api/v1/servers/${aliceServer}/actions/stop/`, { token: alice.write });
  await api("POST", "/api/v1/snapshots/", { token: bob.write, json: { server_id: bobServer, name: "bobs" } });
  // A refusal is an event too: the server is busy with bob's snapshot.
  await api("POST", "/api/v1/snapshots/", { token: bob.write, json: { server_id: bobServer, name: "bobs-2" } });
});

const events = async (token: string, query = "") => {
  const res = await api("GET", `/api/v1/events/${query}`, { token });
  expect(res.status, res.text).toBe(200);
  return eventPageSchema.parse(res.body);
};

it("newest first, who (email, token name), what, on which resource (by name), result, when, from where", async () => {
  const page = await events(alice.read);
  const actions = page.results.map((e) => e.action);
  expect(actions.slice(0, 3)).toEqual(["server.stop", "snapshot.create", "token.create"]);
  const create = page.results[1]!;
  expect(create).toMatchObject({
    result: "success",
    actor: { type: "user", email: alice.email, token: "write" },
    target: { type: "snapshot", id: snapshotId, name: "nightly" },
    server_id: aliceServer,
  });
  expect(create.ip).toMatch(/127\.0\.0\.1|::1/);
  expect(Date.parse(create.at)).toBeGreaterThan(Date.now() - 10 * 60_000);
  const ids = page.results.map((e) => e.id);
  expect(ids).toEqual([...ids].sort((a, b) => b - a));
});

it("members see only events about their own resources; admins see all; a foreign server_id is empty", async () => {
  const mine = await events(alice.read);
  expect(mine.results.every((e) => e.actor.email === alice.email)).toBe(true);
  const theirs = await events(bob.read);
  expect(theirs.results.some((e) => e.result === "failure" && e.action === "snapshot.create")).toBe(true);
  expect(theirs.results.every((e) => e.actor.email === bob.email)).toBe(true);
  expect((await events(alice.read, `?server_id=${bobServer}`)).count).toBe(0);
  const admin = await seedUser("admin");
  const all = await events(admin.read, "?page_size=100");
  const emails = new Set(all.results.map((e) => e.actor.email));
  expect([...emails]).toEqual(expect.arrayContaining([alice.email, bob.email, admin.email]));
  const bobs = await events(admin.read, `?server_id=${bobServer}`);
  expect(bobs.count).toBeGreaterThan(0);
  expect(bobs.results.every((e) => e.server_id === bobServer)).toBe(true);
});

it("pages: count, next and previous links, page_size", async () => {
  const first = await events(alice.read, "?page_size=1");
  expect(first.results).toHaveLength(1);
  expect(first.count).toBeGreaterThan(2);
  expect(first.previous).toBeNull();
  const next = new URL(first.next!);
  expect(next.searchParams.get("page")).toBe("2");
  const second = await events(alice.read, "?page=2&page_size=1");
  expect(second.results[0]!.id).toBeLessThan(first.results[0]!.id);
  expect(second.previous).not.toBeNull();
});

it("a schedule's and Snapdeck's own actions show as such, not as a user", async () => {
  await prisma.$transaction(async (tx) => {
    await recordAudit(
      tx,
      "schedule",
      "snapshot.create",
      { type: "snapshot", id: snapshotId, name: "auto", ownerId: alice.id, serverId: aliceServer },
      "success",
    );
    await recordAudit(
      tx,
      "system",
      "snapshot.expire",
      { type: "snapshot", id: snapshotId, name: "safety", ownerId: alice.id, serverId: aliceServer },
      "success",
    );
  });
  const [expire, scheduled] = (await events(alice.read, `?server_id=${aliceServer}`)).results;
  expect(expire).toMatchObject({ action: "snapshot.expire", actor: { type: "system", email: null, token: null } });
  expect(scheduled).toMatchObject({ action: "snapshot.create", actor: { type: "schedule", email: null, token: null } });
});

it("400 on bad parameters, 401 without credentials", async () => {
  for (const q of ["?page=0", "?page_size=101", "?server_id=x", "?actor=me", "?page=1&page=2"]) {
    const res = await api("GET", `/api/v1/events/${q}`, { token: alice.read });
    expect(res.status, q).toBe(400);
    expect(res.body.code).toBe("validation_error");
  }
  const res = await api("GET", "/api/v1/events/");
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
});

it("filters by action and result, within what the caller may see; bad values are 400", async () => {
  const refused = await events(bob.read, "?action=snapshot.create&result=failure");
  expect(refused.count).toBeGreaterThan(0);
  expect(refused.results.every((e) => e.action === "snapshot.create" && e.result === "failure")).toBe(true);
  expect(refused.results.every((e) => e.actor.email === bob.email)).toBe(true);
  const stops = await events(alice.read, "?action=server.stop");
  expect(stops.results.map((e) => e.action)).toEqual(["server.stop"]);
  // Alice has no refusals; bob's are not hers to see.
  expect((await events(alice.read, "?result=failure")).count).toBe(0);
  expect((await events(alice.read, `?server_id=${bobServer}&result=failure`)).count).toBe(0);
  for (const q of ["?action=snapshot.explode", "?action=", "?result=refused"]) {
    const res = await api("GET", `/api/v1/events/${q}`, { token: alice.read });
    expect(res.status, q).toBe(400);
    expect(res.body.code).toBe("validation_error");
  }
});

it("events read in names: the server's name, and the current name of a target recorded by id only", async () => {
  const server = await prisma.server.findUniqueOrThrow({ where: { id: aliceServer }, select: { name: true } });
  await prisma.$transaction((tx) =>
    recordAudit(
      tx,
      "schedule",
      "snapshot.prune",
      { type: "snapshot", id: snapshotId, ownerId: alice.id, serverId: aliceServer },
      "success",
    ),
  );
  const [prune] = (await events(alice.read, "?action=snapshot.prune")).results;
  expect(prune).toMatchObject({
    target: { type: "snapshot", id: snapshotId, name: "nightly" },
    server_id: aliceServer,
    server_name: server.name,
  });
  // Bob's events never name alice's things, and his own carry his server's name.
  const theirs = await events(bob.read);
  expect(theirs.results.every((e) => e.server_name === null || e.server_id === bobServer)).toBe(true);
});

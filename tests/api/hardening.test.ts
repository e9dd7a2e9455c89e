// Hardening, round two, over real HTTP: inputs no route accepts whatever it is (nesting,
// reserved keys), the label_selector's bound, next-auth's URLs without NEXTAUTH_URL, a
// request whose body never ends, and a host whose agent stopped cleanly.
import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../helpers/app-server";
import { dbFingerprint, markSnapshotCompleted, PASSWORD, seedServer, seedUser, signIn, type SeededUser } from "../helpers/seed";
import { spawnWorker } from "../jobs/helpers";
import { createHost } from "@/lib/server/hosts";
import { MAX_SELECTOR_TERMS } from "@/lib/schemas/snapshots";
import { createPrismaClient } from "@/lib/server/db";
import { testDb } from "../helpers/postgres";

// No NEXTAUTH_URL (serveApp sets one by default); short request time limits.
const app = serveApp({
  env: { NEXTAUTH_URL: "", SNAPDECK_HTTP_REQUEST_TIMEOUT_MS: "2000", SNAPDECK_HTTP_HEADERS_TIMEOUT_MS: "2000" },
});
const { api } = app;
let user: SeededUser;
let snapshotId: number;

beforeAll(async () => {
  user = await seedUser();
  const server = await seedServer(user.id);
  const created = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: server.id, name: "base" } });
  snapshotId = created.body.id;
  await markSnapshotCompleted(snapshotId);
});

describe("request bodies", () => {
  it("nesting thousands deep is a 400 on every kind of route, and changes nothing", async () => {
    const before = await dbFingerprint();
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
    for (const [method, path] of [
      ["POST", "/api/v1/snapshots/"],
      ["PATCH", `/api/v1/snapshots/${snapshotId}/`],
      ["POST", `/api/v1/snapshots/${snapshotId}/restore/`],
      ["POST", "/api/v1/schedules/"],
    ] as const) {
      for (const body of [deep(5_000), `${"[".repeat(5_000)}${"]".repeat(5_000)}`, deep(33)]) {
        const res = await api(method, path, {
          token: user.write,
          raw: body,
          headers: { "content-type": "application/json" },
        });
        expect(res.status, `${method} ${path}: ${res.text}`).toBe(400);
        expect(res.body).toMatchObject({ code: "validation_error", errors: { body: [expect.stringMatching(/deeper than 32/)] } });
      }
    }
    expect(await dbFingerprint()).toEqual(before);
  });

  it("__proto__, constructor and prototype are refused as keys, and the labels stay as they were", async () => {
    const path = `/api/v1/snapshots/${snapshotId}/`;
    expect((await api("PATCH", path, { token: user.write, json: { labels: { env: "prod" } } })).status).toBe(200);
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const res = await api("PATCH", path, {
        token: user.write,
        raw: `{"labels":{"${key}":{"env":"x"},"team":"ops"}}`,
        headers: { "content-type": "application/json" },
      });
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors).toHaveProperty([`labels.${key}`]);
      // Also as a label with a string value, and at the top of a body.
      const flat = await api("PATCH", path, { token: user.write, json: { labels: { [key]: "x" } } });
      expect(flat.status, flat.text).toBe(400);
      const top = await api("POST", "/api/v1/snapshots/", {
        token: user.write,
        raw: `{"${key}":{"server_id":1},"server_id":1,"name":"x"}`,
        headers: { "content-type": "application/json" },
      });
      expect(top.status, top.text).toBe(400);
    }
    expect((await api("GET", path, { token: user.read })).body.labels).toEqual({ env: "prod" });
  });
});

describe("label_selector", () => {
  it(`answers 400 beyond ${MAX_SELECTOR_TERMS} terms, and the worst selector it accepts answers 200`, async () => {
    const key = (i: number) => `k${String(i).padStart(2, "0")}.${"x".repeat(58)}`;
    const labels = Object.fromEntries(Array.from({ length: MAX_SELECTOR_TERMS }, (_, i) => [key(i), "v"]));
    const path = `/api/v1/snapshots/${snapshotId}/`;
    expect((await api("PATCH", path, { token: user.write, json: { labels } })).status).toBe(200);

    const tooMany = Array.from({ length: MAX_SELECTOR_TERMS + 1 }, (_, i) => key(i)).join(",");
    const refused = await api("GET", `/api/v1/snapshots/?label_selector=${encodeURIComponent(tooMany)}`, { token: user.read });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.label_selector.join(" ")).toMatch(`at most ${MAX_SELECTOR_TERMS} terms`);
    const thousand = Array.from({ length: 991 }, (_, i) => `k${i}`).join(",");
    expect((await api("GET", `/api/v1/snapshots/?label_selector=${thousand}`, { token: user.read })).status).toBe(400);

    // Every term an EXISTS over the longest keys: it matches the one snapshot that has them all.
    for (const terms of [
      Array.from({ length: MAX_SELECTOR_TERMS }, (_, i) => key(i)),
      Array.from({ length: MAX_SELECTOR_TERMS }, (_, i) => `!${key(i)}x`),
      Array.from({ length: MAX_SELECTOR_TERMS }, (_, i) => `${key(i)}!=w`),
    ]) {
      const res = await api("GET", `/api/v1/snapshots/?label_selector=${encodeURIComponent(terms.join(","))}`, {
        token: user.read,
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.results.map((s: { id: number }) => s.id)).toEqual([snapshotId]);
    }
  });
});

describe.skipIf(testDb() !== "postgres")("PostgreSQL's statement timeout", () => {
  it("cancels a statement that runs past SNAPDECK_DB_STATEMENT_TIMEOUT_MS; the backend is free again", async () => {
    process.env.SNAPDECK_DB_STATEMENT_TIMEOUT_MS = "300";
    const client = createPrismaClient(process.env.DATABASE_URL!);
    try {
      await expect(client.$queryRawUnsafe("SELECT pg_sleep(30)")).rejects.toThrow(/statement timeout/);
      const [busy] = await client.$queryRawUnsafe<{ n: bigint }[]>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'",
      );
      expect(Number(busy!.n)).toBe(0);
    } finally {
      delete process.env.SNAPDECK_DB_STATEMENT_TIMEOUT_MS;
      await client.$disconnect();
    }
  });
});

describe("without NEXTAUTH_URL", () => {
  it("next-auth builds its URLs on the origin the request came to, not localhost:3000", async () => {
    const { url } = app;
    const signinRedirect = await fetch(`${url}/api/auth/signin`, { redirect: "manual" });
    const to = new URL(signinRedirect.headers.get("location")!, url);
    expect(to.pathname).toBe("/login");
    expect(new URL(to.searchParams.get("callbackUrl")!).origin).toBe(url);

    const cookie = await signIn(url, user.email, PASSWORD);
    const csrf = (await (await fetch(`${url}/api/auth/csrf`, { headers: { cookie } })).json()) as { csrfToken: string };
    const res = await fetch(`${url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl: "/login", json: "true" }),
    });
    expect(((await res.json()) as { url: string }).url).toBe(`${url}/login`);
  });
});

describe("a request whose body never arrives", () => {
  it("is answered 408 and its connection closed within the request time limit, not 300 s", { timeout: 30_000 }, async () => {
    const before = await dbFingerprint();
    const { port, hostname } = new URL(app.url);
    const socket = net.connect(Number(port), hostname);
    let received = "";
    socket.setEncoding("utf8").on("data", (text: string) => (received += text));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(
      `POST /api/v1/snapshots/ HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${user.write}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"server_id":`,
    );
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(await dbFingerprint()).toEqual(before);
  });
});

describe("a host whose agent stopped cleanly", () => {
  it("shows offline with the time it was last seen, not as never seen", { timeout: 90_000 }, async () => {
    const admin = await seedUser("admin");
    await createHost("hv-stop");
    const host = () => api("GET", "/api/v1/hosts/hv-stop/", { token: admin.read });
    expect((await host()).body).toMatchObject({ status: "offline", last_seen_at: null });

    const agent = spawnWorker({}, ["--host", "hv-stop"]);
    for (let i = 0; (await host()).body.status !== "online"; i++) {
      if (i > 300) throw new Error(`the agent did not come online:\n${agent.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const online = (await host()).body;
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);

    const stopped = (await host()).body;
    expect(stopped.status).toBe("offline");
    expect(stopped.last_seen_at).not.toBeNull();
    expect(Date.parse(stopped.last_seen_at)).toBeGreaterThanOrEqual(Date.parse(online.last_seen_at));
  });
});

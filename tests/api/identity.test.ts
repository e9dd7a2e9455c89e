// Who the caller is, over real `next start` servers: forwarded headers only from a trusted
// proxy (SNAPDECK_TRUSTED_PROXIES), an atomic sign-in throttle, sign-out that ends the
// session server-side, the public origin in links, HSTS/Secure cookies, token expiry and
// same-site callback URLs.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { createApi } from "../helpers/api-client";
import { markSnapshotCompleted, PASSWORD, seedServer, seedUser, signIn, waitFor, type SeededUser } from "../helpers/seed";
import { prisma } from "@/lib/server/db";

const PUBLIC_URL = "https://snap.example.com";
let plain: AppServer; // no trusted proxy, no public URL: what `npm start` does by default
let proxied: AppServer; // behind a trusted proxy on 127.0.0.1, public URL https
let user: SeededUser;

beforeAll(async () => {
  plain = await startAppServer();
  proxied = await startAppServer({
    env: { SNAPDECK_TRUSTED_PROXIES: "10.9.0.0/16, 127.0.0.1", SNAPDECK_PUBLIC_URL: PUBLIC_URL },
  });
  user = await seedUser();
});
afterAll(async () => {
  await plain?.stop();
  await proxied?.stop();
});

type Outcome = "signed-in" | "CredentialsSignin" | "TooManyAttempts" | string;

/** One credentials sign-in through next-auth, as the login form sends it. */
async function attemptSignIn(
  baseUrl: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Outcome> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers });
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken, email, password, json: "true", callbackUrl: "/servers" }),
  });
  const { url } = (await res.json()) as { url: string };
  return new URL(url).searchParams.get("error") ?? "signed-in";
}

const tally = (outcomes: Outcome[]) =>
  outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});

describe("forwarded headers", () => {
  it("audit records the peer's address from an untrusted peer, the client's from a trusted proxy", async () => {
    const lastIp = async () =>
      (await prisma.auditEvent.findFirstOrThrow({ where: { userId: user.id }, orderBy: { id: "desc" } })).ip;
    const create = (baseUrl: string, xff: string) =>
      createApi(baseUrl)("POST", "/api/v1/tokens/", {
        token: user.write,
        json: { name: "t" },
        headers: { "x-forwarded-for": xff },
      });
    expect((await create(plain.url, "198.51.100.7")).status).toBe(201);
    expect(await lastIp()).toBe("127.0.0.1");
    expect((await create(proxied.url, "198.51.100.7")).status).toBe(201);
    expect(await lastIp()).toBe("198.51.100.7");
    // The rightmost address no trusted proxy vouches for; a client's own prefix is ignored.
    expect((await create(proxied.url, "6.6.6.6, 198.51.100.8, 10.9.1.1")).status).toBe(201);
    expect(await lastIp()).toBe("198.51.100.8");
  });
});

describe("sign-in throttle", () => {
  it("40 parallel attempts on one account check exactly 5 passwords", async () => {
    const email = (await seedUser()).email;
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => attemptSignIn(proxied.url, email, "wrong-password", { "x-forwarded-for": "192.0.2.40" })),
    );
    expect(tally(outcomes)).toEqual({ CredentialsSignin: 5, TooManyAttempts: 35 });
    // The account is locked for a while, even for the right password.
    expect(await attemptSignIn(proxied.url, email, PASSWORD, { "x-forwarded-for": "192.0.2.41" })).toBe("TooManyAttempts");
  });
});

describe("sessions", () => {
  it("sign-out ends the session on the server: the old cookie no longer works anywhere", async () => {
    const who = await seedUser();
    const cookie = await signIn(plain.url, who.email);
    const api = createApi(plain.url);
    expect((await api("GET", "/api/v1/servers/", { cookie })).status).toBe(200);

    const csrf = (await (await fetch(`${plain.url}/api/auth/csrf`, { headers: { cookie } })).json()) as { csrfToken: string };
    const out = await fetch(`${plain.url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ csrfToken: csrf.csrfToken, json: "true" }),
    });
    expect(out.status).toBeLessThan(400);

    // The same cookie, replayed as an attacker who copied it would.
    expect((await api("GET", "/api/v1/servers/", { cookie })).status).toBe(401);
    const page = await fetch(`${plain.url}/servers`, { headers: { cookie }, redirect: "manual" });
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toMatch(/\/login/);
    // Signing in again works.
    expect((await api("GET", "/api/v1/servers/", { cookie: await signIn(plain.url, who.email) })).status).toBe(200);
  });

  it("an https public URL: Secure cookies and HSTS; plain http: neither", async () => {
    const csrf = await fetch(`${proxied.url}/api/auth/csrf`);
    expect(csrf.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    expect(csrf.headers.getSetCookie().join("\n")).toMatch(/__Host-next-auth\.csrf-token=[^\n]*; Secure/i);
    const page = await fetch(`${proxied.url}/login`);
    expect(page.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);

    // The JSON API skips proxy.ts and sets HSTS itself, on errors too.
    expect((await fetch(`${proxied.url}/api/v1/servers/`)).headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    expect((await fetch(`${plain.url}/api/v1/servers/`)).headers.get("strict-transport-security")).toBeNull();

    const plainCsrf = await fetch(`${plain.url}/api/auth/csrf`);
    expect(plainCsrf.headers.get("strict-transport-security")).toBeNull();
    expect(plainCsrf.headers.getSetCookie().join("\n")).not.toMatch(/Secure/i);
  });
});

type Page = { next: string | null; servers?: { url: string }[] };

/** GET with a chosen Host header (fetch does not let a caller set one). */
function getWithHost(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  token: string,
): Promise<{ status: number; body: Page }> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { ...headers, authorization: `Bearer ${token}` } }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("public origin", () => {
  it("links and the OpenAPI servers URL use SNAPDECK_PUBLIC_URL when it is set", async () => {
    const api = createApi(proxied.url);
    const server = await seedServer(user.id);
    for (const name of ["one", "two", "three"]) {
      const made = await api("POST", "/api/v1/snapshots/", { token: user.write, json: { server_id: server.id, name } });
      expect(made.status, made.text).toBe(201);
      await markSnapshotCompleted(made.body.id);
    }
    const page = await api("GET", "/api/v1/snapshots/?page=2&page_size=1", { token: user.read });
    expect(page.body.next).toBe(`${PUBLIC_URL}/api/v1/snapshots/?page=3&page_size=1`);
    expect(page.body.previous).toBe(`${PUBLIC_URL}/api/v1/snapshots/?page=1&page_size=1`);
    expect((await api("GET", "/api/v1/openapi.json")).body.servers).toEqual([{ url: `${PUBLIC_URL}/api/v1` }]);
  });

  it("else the request's own Host; forwarded Host/proto only from a trusted proxy", async () => {
    const own = await getWithHost(plain.url, "/api/v1/snapshots/?page=2&page_size=1", { host: "snap.internal:8443" }, user.read);
    expect(own.body.next).toBe("http://snap.internal:8443/api/v1/snapshots/?page=3&page_size=1");
    const forged = await getWithHost(
      plain.url,
      "/api/v1/snapshots/?page=2&page_size=1",
      { host: "snap.internal:8443", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
      user.read,
    );
    expect(forged.body.next).toBe("http://snap.internal:8443/api/v1/snapshots/?page=3&page_size=1");
    const openapi = await getWithHost(plain.url, "/api/v1/openapi.json", { host: "snap.internal:8443" }, user.read);
    expect(openapi.body.servers).toEqual([{ url: "http://snap.internal:8443/api/v1" }]);
  });
});

describe("token expiry", () => {
  it("expires_in_days sets expires_at; an expired token gets 401; no expiry says null", async () => {
    const api = createApi(plain.url);
    const made = await api("POST", "/api/v1/tokens/", { token: user.write, json: { name: "short", expires_in_days: 30 } });
    expect(made.status, made.text).toBe(201);
    const days = (Date.parse(made.body.expires_at) - Date.parse(made.body.created_at)) / 86_400_000;
    expect(days).toBeCloseTo(30, 2);
    expect((await api("GET", "/api/v1/servers/", { token: made.body.token })).status).toBe(200);
    const listed = await api("GET", "/api/v1/tokens/", { token: user.read });
    expect(listed.body.results.find((t: { id: number }) => t.id === made.body.id).expires_at).toBe(made.body.expires_at);
    expect(listed.body.results.find((t: { name: string }) => t.name === "read").expires_at).toBeNull();

    // Written from outside the server (this test process), as another instance would: the
    // server's token cache sees it within its 1 s lifetime (tests/api/token-cache.test.ts).
    await prisma.$transaction([
      prisma.apiToken.update({ where: { id: made.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } }),
    ]);
    const expired = await waitFor(
      "the expired token to be refused",
      async () => {
        const res = await api("GET", "/api/v1/servers/", { token: made.body.token });
        return res.status === 401 && res;
      },
      2_000,
    );
    expect(expired.body.detail).toMatch(/expired/);
  });
});

describe("callback URLs after sign-in", () => {
  it("only same-site paths are followed; anything else goes to /servers, never a 500", async () => {
    const cookie = await signIn(plain.url, user.email);
    const cases: [string, string][] = [
      ["%2F%09%2Fevil.example%2Fphish", "/servers"],
      ["%2F%0A%2Fevil.example%2Fphish", "/servers"],
      ["%2F%0D%2Fevil.example%2Fphish", "/servers"],
      ["%2F%2Fevil.example", "/servers"],
      ["%2F%5Cevil.example", "/servers"],
      ["%5C%5Cevil.example", "/servers"],
      ["https%3A%2F%2Fevil.example%2F", "/servers"],
      ["javascript%3Aalert(1)", "/servers"],
      ["%2Fsettings%2Ftokens", "/settings/tokens"],
    ];
    for (const [param, expected] of cases) {
      const res = await fetch(`${plain.url}/login?callbackUrl=${param}`, { headers: { cookie }, redirect: "manual" });
      expect(res.status, param).toBe(307);
      expect(res.headers.get("location"), param).toBe(expected);
    }
    // next-auth's own redirect after sign-in goes through the same rule.
    const csrf = await fetch(`${plain.url}/api/auth/csrf`);
    const jar = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const who = await seedUser();
    const res = await fetch(`${plain.url}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar, "x-forwarded-for": "192.0.2.99" },
      body: new URLSearchParams({
        csrfToken,
        email: who.email,
        password: PASSWORD,
        json: "true",
        callbackUrl: "/\t/evil.example/phish",
      }),
    });
    expect(((await res.json()) as { url: string }).url).toBe(`${plain.url}/servers`);
  });
});

describe("forwarded headers from an untrusted peer", () => {
  // Last in this file: it spends the per-address budget of 127.0.0.1 on the plain server.
  it("from an untrusted peer, a rotated X-Forwarded-For does not get past the per-address throttle", async () => {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 24; i++)
      outcomes.push(
        await attemptSignIn(plain.url, `rotate${i}@example.test`, "wrong-password", { "x-forwarded-for": `203.0.113.${i}` }),
      );
    expect(tally(outcomes)).toEqual({ CredentialsSignin: 20, TooManyAttempts: 4 });
  });
});

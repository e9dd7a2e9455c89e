import { expect, test } from "@playwright/test";
import { DEMO, signIn, uniqueName } from "./fixtures";

test("an unauthenticated visit to /servers lands on the sign-in page", async ({ page }) => {
  await page.goto("/servers");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { name: "Sign in to the console" })).toBeVisible();
});

test("pages carry the security headers, with a fresh script nonce and no 'unsafe-inline' scripts", async ({ request }) => {
  const res = await request.get("/login");
  const headers = res.headers();
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
  expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/);
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  const again = (await request.get("/login")).headers()["content-security-policy"];
  expect(again).not.toBe(csp); // a new nonce per response
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
});

test("wrong credentials say so and keep the operator on the sign-in page", async ({ page }) => {
  await page.goto("/login");
  // Another address than the demo user's, so the throttle never slows down other specs.
  await page.getByLabel("Email").fill(`${uniqueName("nobody")}@snapdeck.local`);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("login-error")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("repeated failures are slowed down with a clear message", async ({ page }) => {
  const email = `${uniqueName("throttled")}@snapdeck.local`;
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("wrong");
  const alert = page.getByTestId("login-error");
  for (let i = 0; i < 8; i++) {
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(alert).toBeVisible();
    if ((await alert.textContent())?.includes("Too many")) break;
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  }
  await expect(alert).toContainText("Too many failed sign-in attempts");
});

test("the app runs under the nonce CSP: no violations, every script carries the nonce, an injected one is blocked", async ({
  page,
}) => {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      ((window as unknown as { __csp: string[] }).__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await signIn(page);
  await page.getByRole("link", { name: "web-server-01" }).click();
  await expect(page.getByRole("heading", { name: "web-server-01" })).toBeVisible();
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();

  // Every inline script the server rendered (Next's bootstrap and RSC payload) carries the
  // nonce; chunks Next loads later need none ('strict-dynamic' trusts what trusted code loads).
  await page.reload();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  const inline = await page.evaluate(() => [...document.scripts].filter((s) => !s.src).map((s) => s.nonce));
  expect(inline.length).toBeGreaterThan(0);
  for (const nonce of inline) expect(nonce).not.toBe("");

  expect(violations).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);

  // What injected markup would try: an inline handler and a parser-inserted script do not run.
  await page.evaluate(() => {
    document.body.insertAdjacentHTML("beforeend", '<img src="/missing.png" onerror="window.__injected = 1">');
    const frame = document.createElement("div");
    frame.innerHTML = "<script>window.__injected = 2</" + "script>"; // innerHTML never runs scripts either
    document.body.appendChild(frame);
  });
  await expect.poll(() => page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp?.length ?? 0)).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
  expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp)).toEqual([
    expect.stringMatching(/^script-src/),
  ]);
});

test("a crafted callbackUrl never takes a signed-in browser off the site", async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  await page.goto("/login?callbackUrl=%2F%09%2Fevil.example%2Fphish");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/servers");
  expect(new URL(page.url()).origin).toBe(origin);
  for (const param of ["%2F%09%2Fevil.example%2Fphish", "%2F%0A%2Fevil.example", "%2F%0D%2Fevil.example", "%2F%5Cevil.example"]) {
    const res = await page.goto(`/login?callbackUrl=${param}`);
    expect(res?.status(), param).toBe(200);
    expect(page.url(), param).toBe(`${origin}/servers`);
  }
});

test("signing in returns to the page asked for; an off-site callbackUrl lands on the servers page", async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  async function submitDemo() {
    await page.getByLabel("Email").fill(DEMO.email);
    await page.getByLabel("Password").fill(DEMO.password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  // Signed out, a page with a query: sent to sign in, then back to exactly that page.
  await page.goto("/settings/tokens?from=e2e");
  expect(page.url()).toBe(`${origin}/login?callbackUrl=${encodeURIComponent("/settings/tokens?from=e2e")}`);
  await submitDemo();
  await page.waitForURL(`${origin}/settings/tokens?from=e2e`);
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();

  for (const bad of ["//evil.example/phish", "https://evil.example/phish", "/\\evil.example/phish"]) {
    // Signed out again; off the servers page first, whose next request would get a 401 and
    // send the browser to sign in by itself, racing the visit below.
    await page.goto("about:blank");
    await page.context().clearCookies();
    await page.goto(`/login?callbackUrl=${encodeURIComponent(bad)}`);
    await submitDemo();
    await page.waitForURL(`${origin}/servers`);
    await expect(page.getByRole("heading", { name: "Servers", level: 1 }), bad).toBeVisible();
  }
});

test("after a wrong password, focus returns to the password field", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(`${uniqueName("focus")}@snapdeck.local`);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByLabel("Password").press("Enter");
  await expect(page.getByTestId("login-error")).toBeVisible();
  await expect(page.getByLabel("Password")).toBeFocused();
});

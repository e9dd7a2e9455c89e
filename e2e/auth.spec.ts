import { expect, test } from "@playwright/test";
import { DEMO, signIn, uniqueName } from "./fixtures";

test("an unauthenticated visit to /servers lands on the sign-in page", async ({ page }) => {
  await page.goto("/servers");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { name: "Sign in to the console" })).toBeVisible();
});

test("pages carry the security headers", async ({ request }) => {
  const res = await request.get("/login");
  const headers = res.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
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

test("the demo user signs in, sees the servers and signs out", async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole("heading", { name: "Servers", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "web-server-01" })).toBeVisible();
  await expect(page.getByText(DEMO.email)).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/servers");
  await expect(page).toHaveURL(/\/login/);
});

test("after a wrong password, focus returns to the password field", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(`${uniqueName("focus")}@snapdeck.local`);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByLabel("Password").press("Enter");
  await expect(page.getByTestId("login-error")).toBeVisible();
  await expect(page.getByLabel("Password")).toBeFocused();
});

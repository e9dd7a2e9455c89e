// Signing out ends every session of the user (User.sessionVersion), the demo user's sessions in
// the other specs included; playwright.config.ts runs this file after all the others.
import { expect, test } from "@playwright/test";
import { DEMO, signIn } from "./fixtures";

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

test("sign-out ends the session on the server: a copy of the old cookie no longer works", async ({ page, browser, baseURL }) => {
  await signIn(page);
  const cookies = await page.context().cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  const thief = await browser.newContext({ baseURL });
  await thief.addCookies(cookies);
  const stolen = await thief.newPage();
  await stolen.goto("/servers");
  await expect(stolen).toHaveURL(/\/login/);
  expect((await stolen.request.get("/api/v1/servers/")).status()).toBe(401);
  await thief.close();
});

import { expect, test } from "@playwright/test";
import { signIn, uniqueName } from "./fixtures";

test("a token made in the dashboard works against the API until it is revoked", async ({ page, playwright, baseURL }) => {
  const name = uniqueName("e2e-token");
  await signIn(page);
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();

  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Read & write").check();
  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog", { name: `Token ${name} created` });
  await expect(dialog.getByText(/shown only once/)).toBeVisible();
  const token = await dialog.getByLabel(/Token \(/).inputValue();
  expect(token).toMatch(/^sdk_/);
  await expect(dialog.getByRole("button", { name: "Copy" })).toBeVisible();
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("Read & write");
  await expect(row.getByTestId("token-expires")).toHaveText("never");
  await expect(row).toContainText("Never");

  // A client with no cookies at all: only the bearer token speaks for it.
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const ok = await api.get("/api/v1/servers/");
  expect(ok.status()).toBe(200);
  expect(((await ok.json()) as { results: unknown[] }).results.length).toBeGreaterThan(0);

  // The list shows the use it just had.
  await page.reload();
  await expect(row).not.toContainText("Never");
  await expect(row.getByRole("time").last()).toHaveText(/^just now · /); // relative, then exact local time

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  const confirm = page.getByRole("dialog", { name: `Revoke token ${name}?` });
  await expect(confirm.getByText(/stop working immediately/)).toBeVisible();
  await confirm.getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByText(`Token ${name} revoked.`)).toBeVisible();
  await expect(row).toHaveCount(0); // the API lists only live tokens

  const refused = await api.get("/api/v1/servers/");
  expect(refused.status()).toBe(401);
  expect(refused.headers()["www-authenticate"]).toMatch(/^Bearer/);
  await api.dispose();
});

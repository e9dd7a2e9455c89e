import { expect, test } from "@playwright/test";
import { signIn, uniqueName } from "./fixtures";

const DAY_MS = 24 * 3600 * 1000;

test("a token made in the dashboard, with an expiry, works against the API until it is revoked", async ({
  page,
  playwright,
  baseURL,
}) => {
  const name = uniqueName("e2e-token");
  await signIn(page);
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();

  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Read & write").check();
  await expect(page.getByLabel("Expires after")).toHaveValue("30"); // the default
  await page.getByLabel("Expires after").selectOption({ label: "7 days" });
  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog", { name: `Token ${name} created` });
  await expect(dialog.getByText(/shown only once/)).toBeVisible();
  const token = await dialog.getByLabel(/Token \(/).inputValue();
  expect(token).toMatch(/^sdk_/);
  await expect(dialog.getByRole("button", { name: "Copy" })).toBeVisible();
  await expect(dialog.getByTestId("new-token-expires")).toContainText("Expires in 7 days");
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("Read & write");
  // Seven days from now (the exact time is the <time> element's; the cell shows it too).
  const expires = Date.parse((await row.getByTestId("token-expires").getByRole("time").getAttribute("datetime"))!);
  expect(Math.abs(expires - (Date.now() + 7 * DAY_MS))).toBeLessThan(5 * 60_000);
  await expect(row.getByTestId("token-expires")).toContainText("in 7 days · ");
  await expect(row).toContainText("Never");

  // A client with no cookies at all: only the bearer token speaks for it.
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const ok = await api.get("/api/v1/servers/");
  expect(ok.status()).toBe(200);
  expect(((await ok.json()) as { results: unknown[] }).results.length).toBeGreaterThan(0);

  // The list shows the use it just had.
  await page.reload();
  await expect(row).not.toContainText("Never");
  await expect(row.getByTestId("token-last-used").getByRole("time")).toHaveText(/^just now · /); // relative, then exact local time

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

test("on a phone the token list fits: the Revoke button stays on screen", async ({ page }) => {
  const name = uniqueName("e2e-phone-token-with-a-rather-long-name");
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  const res = await page.request.post("/api/v1/tokens/", { data: { name, scope: "write", expires_in_days: 90 } });
  expect(res.status(), await res.text()).toBe(201);
  await page.goto("/settings/tokens");
  const row = page.getByRole("row", { name: new RegExp(name) });
  const revoke = row.getByRole("button", { name: `Revoke ${name}` });
  await expect(revoke).toBeVisible();
  const box = (await revoke.boundingBox())!;
  expect(box.x + box.width, `the Revoke button ends at ${box.x + box.width}px`).toBeLessThanOrEqual(390);
  const overflow = await page.evaluate(() => {
    const wrapper = document.querySelector("table")!.parentElement!;
    return wrapper.scrollWidth - wrapper.clientWidth;
  });
  expect(overflow, "the table scrolls sideways").toBeLessThanOrEqual(1);
  await expect(row).toContainText("Expires: in 3 months"); // last use and expiry move under the name

  await revoke.click();
  await page
    .getByRole("dialog", { name: `Revoke token ${name}?` })
    .getByRole("button", { name: "Revoke token" })
    .click();
  await expect(row).toHaveCount(0);
});

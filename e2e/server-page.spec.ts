import { expect, test } from "@playwright/test";
import { createCompletedSnapshot, createServer, recordApiRequests, signIn, uniqueName } from "./fixtures";

test("an idle server page sends no API requests over 10 seconds", async ({ page }) => {
  const serverId = createServer(uniqueName("e2e-idle"), "stopped");
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "idle-snap");
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByRole("row", { name: /idle-snap/ }).getByTestId("snapshot-status")).toHaveText("Completed");
  await page.waitForLoadState("networkidle");
  const requests = recordApiRequests(page);
  await page.waitForTimeout(10_000);
  expect(requests).toEqual([]);
});

test("create is disabled at the snapshot limit, with the reason visible", async ({ page }) => {
  test.setTimeout(180_000);
  const serverName = uniqueName("e2e-limit");
  const serverId = createServer(serverName, "stopped");
  await signIn(page);
  for (let i = 1; i <= 5; i++) await createCompletedSnapshot(page.request, serverId, `limit-${i}`);
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByRole("button", { name: "Create snapshot" })).toBeDisabled();
  await expect(page.getByText("Snapshot limit reached (5/5). Delete a snapshot to create a new one.")).toBeVisible();

  await page.goto("/servers");
  await page.getByLabel("Filter servers").fill(serverName);
  await expect(page.getByRole("row", { name: new RegExp(serverName) })).toContainText("5/5");
});

test("polling pauses while the tab is hidden", async ({ page }) => {
  const serverId = createServer(uniqueName("e2e-hidden"), "stopped");
  await signIn(page);
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByText("No snapshots yet")).toBeVisible();
  const res = await page.request.post("/api/v1/snapshots/", { data: { server_id: serverId, name: "hidden-tab" } });
  expect(res.status()).toBe(201);
  await page.reload();
  await expect(page.getByRole("row", { name: /hidden-tab/ }).getByTestId("snapshot-status")).toContainText("In progress");

  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await page.waitForTimeout(500);
  const requests = recordApiRequests(page);
  await page.waitForTimeout(4_000);
  expect(requests).toEqual([]);

  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await expect(page.getByRole("row", { name: /hidden-tab/ }).getByTestId("snapshot-status")).toContainText("Completed", { timeout: 60_000 });
});

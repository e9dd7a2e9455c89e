import { expect, test } from "@playwright/test";
import { DEMO, createCompletedSnapshot, createServer, signIn, uniqueName } from "./fixtures";

test("protect toggle: lock shown, delete refused until unprotected; labels as chips; stored size and total", async ({ page }) => {
  test.setTimeout(180_000);
  const serverId = createServer(uniqueName("e2e-protect"), "stopped");
  await signIn(page);
  const snapshot = await createCompletedSnapshot(page.request, serverId, "keep-forever");
  await createCompletedSnapshot(page.request, serverId, "second");
  const labelled = await page.request.patch(`/api/v1/snapshots/${snapshot.id}/`, {
    data: { labels: { env: "prod", tier: "db" } },
  });
  expect(labelled.status(), await labelled.text()).toBe(200);
  await page.goto(`/servers/${serverId}`);

  const row = page.getByRole("row", { name: /keep-forever/ });
  await expect(row.getByRole("listitem")).toHaveText(["env=prod", "tier=db"]);
  await expect(row).toContainText("stored");
  await expect(page.getByTestId("snapshot-totals")).toHaveText(/^2 snapshots, .+ stored$/);

  await expect(row.getByRole("img", { name: "Protected" })).toHaveCount(0);
  await row.getByRole("button", { name: "Protect keep-forever" }).click();
  await expect(page.getByText("Snapshot keep-forever is protected.")).toBeVisible();
  await expect(row.getByRole("img", { name: "Protected" })).toBeVisible();
  const remove = row.getByRole("button", { name: "Delete keep-forever" });
  await expect(remove).toBeDisabled();
  await expect(remove).toHaveAttribute("title", "This snapshot is protected. Unprotect it to delete it.");
  const api = await page.request.delete(`/api/v1/snapshots/${snapshot.id}/`);
  expect(api.status()).toBe(400);
  expect(((await api.json()) as { code: string }).code).toBe("snapshot_protected");

  await row.getByRole("button", { name: "Unprotect keep-forever" }).click();
  await expect(row.getByRole("img", { name: "Protected" })).toHaveCount(0);
  await expect(remove).toBeEnabled();
  await remove.click();
  await page.getByRole("button", { name: "Delete permanently" }).click();
  await expect(page.getByRole("row", { name: /keep-forever/ })).toHaveCount(0);
  await expect(page.getByTestId("snapshot-totals")).toHaveText(/^1 snapshot, .+ stored$/);
});

test("edit dialog renames and relabels; a taken name is refused next to the field", async ({ page }) => {
  test.setTimeout(120_000);
  const serverId = createServer(uniqueName("e2e-edit"), "stopped");
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "first");
  await createCompletedSnapshot(page.request, serverId, "other");
  await page.goto(`/servers/${serverId}`);
  await page.getByRole("button", { name: "Edit first" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("other");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText(/already has a snapshot named other/)).toBeVisible();
  await dialog.getByLabel("Name").fill("renamed");
  await dialog.getByRole("button", { name: "Add label" }).click();
  await dialog.getByLabel("Label 1 key", { exact: true }).fill("env");
  await dialog.getByLabel("Label 1 value", { exact: true }).fill("staging");
  await dialog.getByRole("button", { name: "Add label" }).click();
  await dialog.getByLabel("Label 2 key", { exact: true }).fill("temp");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole("row", { name: /renamed/ });
  await expect(row.getByRole("listitem")).toHaveText(["env=staging", "temp"]);
});

test("activity page and the server's activity tab: who, what, on what, result", async ({ page }) => {
  test.setTimeout(120_000);
  const serverName = uniqueName("e2e-activity");
  const serverId = createServer(serverName, "active");
  await signIn(page);
  const snapshot = await createCompletedSnapshot(page.request, serverId, "audited");
  await page.request.patch(`/api/v1/snapshots/${snapshot.id}/`, { data: { protected: true } });
  expect((await page.request.delete(`/api/v1/snapshots/${snapshot.id}/`)).status()).toBe(400);

  await page.goto("/servers");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Activity" }).click();
  await expect(page).toHaveURL(/\/activity$/);
  await expect(page.getByRole("heading", { name: "Activity" })).toBeVisible();
  const refused = page.locator('tr[data-event-action="snapshot.delete"]').first();
  await expect(refused).toContainText("Delete snapshot");
  await expect(refused).toContainText("refused");
  await expect(refused).toContainText(DEMO.email);
  await expect(refused).toContainText("dashboard");
  await expect(refused).toContainText("snapshot audited");

  await page.goto(`/servers/${serverId}`);
  await page.getByRole("tab", { name: "Activity" }).click();
  const panel = page.getByRole("tabpanel");
  await expect(panel.locator("tbody tr")).toHaveCount(3);
  await expect(panel.locator("tbody tr").first()).toContainText("Delete snapshot");
  await expect(panel.locator('tr[data-event-action="snapshot.update"]')).toContainText("protected");
  await expect(panel.locator('tr[data-event-action="snapshot.create"]')).toContainText(`on ${serverName}`);
  await page.getByRole("tab", { name: "Snapshots" }).click();
  await expect(page.getByRole("row", { name: /audited/ })).toBeVisible();
});

// The activity page: filters by action, result and server narrow the list, and events
// read in names (a snapshot's name and its server's).
import { expect, test } from "@playwright/test";
import { createCompletedSnapshot, createServer, signIn, uniqueName } from "./fixtures";

test("activity filters by server, result and action; events name the snapshot and its server", async ({ page }) => {
  const serverName = uniqueName("e2e-filter");
  const serverId = createServer(serverName, "stopped");
  await signIn(page);
  const snapshot = await createCompletedSnapshot(page.request, serverId, "kept");
  expect((await page.request.patch(`/api/v1/snapshots/${snapshot.id}/`, { data: { protected: true } })).status()).toBe(200);
  expect((await page.request.delete(`/api/v1/snapshots/${snapshot.id}/`)).status()).toBe(400); // refused: protected

  await page.goto("/activity");
  const rows = page.locator("tbody tr");
  await page.getByLabel("Server", { exact: true }).selectOption({ label: serverName });
  await expect(rows).toHaveCount(3);
  await expect(page.locator('tr[data-event-action="snapshot.create"]')).toContainText(`snapshot kept on ${serverName}`);

  await page.getByLabel("Result", { exact: true }).selectOption({ label: "Refused" });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-event-action", "snapshot.delete");
  await expect(rows.first()).toContainText("refused");
  await expect(rows.first()).toContainText(`snapshot kept on ${serverName}`);

  await page.getByLabel("Result", { exact: true }).selectOption({ label: "Succeeded or refused" });
  await page.getByLabel("Action", { exact: true }).selectOption({ label: "Edit snapshot" });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-event-action", "snapshot.update");

  await page.getByLabel("Action", { exact: true }).selectOption({ label: "Restore snapshot" });
  await expect(page.getByText("No activity matches these filters")).toBeVisible();
});

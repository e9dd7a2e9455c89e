import { expect, test } from "@playwright/test";
import {
  createCompletedSnapshot,
  createServer,
  getServer,
  recordApiRequests,
  setTabHidden,
  signIn,
  uniqueName,
  type ApiSnapshot,
} from "./fixtures";

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
  // 48 MB: ~12 s per snapshot, so it is still in progress after the reload on a loaded machine.
  const serverId = createServer(uniqueName("e2e-hidden"), "stopped", 48);
  await signIn(page);
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByText("No snapshots yet")).toBeVisible();
  const res = await page.request.post("/api/v1/snapshots/", { data: { server_id: serverId, name: "hidden-tab" } });
  expect(res.status()).toBe(201);
  await page.reload();
  const status = page.getByRole("row", { name: /hidden-tab/ }).getByTestId("snapshot-status");
  await expect(status).toContainText("In progress");

  await setTabHidden(page, true);
  const requests = recordApiRequests(page);
  // The snapshot finishes while the tab is hidden (seconds of 1.5 s polls, were the page
  // polling). A poll already in flight when the tab was hidden may still land and pull the
  // snapshot list once; nothing else goes out.
  await expect.poll(async () => (await getServer(page.request, serverId)).operation, { timeout: 60_000 }).toBeNull();
  expect(requests.length).toBeLessThanOrEqual(1);

  await setTabHidden(page, false);
  await expect(status).toContainText("Completed", { timeout: 10_000 });
  expect(requests.length).toBeGreaterThan(0);
});

test("restore is disabled on a suspended server, with the reason", async ({ page }) => {
  const serverId = createServer(uniqueName("e2e-suspended"), "suspended");
  await signIn(page);
  // A suspended server may still be snapshotted; it only cannot be restored.
  await createCompletedSnapshot(page.request, serverId, "kept-copy");
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByTestId("server-status").first()).toHaveText("Suspended");
  const restore = page.getByRole("button", { name: "Restore kept-copy" });
  await expect(restore).toBeDisabled();
  await expect(page.getByText("Restore is unavailable: the server is suspended.")).toBeVisible();
  await expect(restore).toHaveAccessibleDescription("Restore is unavailable: the server is suspended.");
});

test("while a snapshot is restored, its row is marked, the banner names it, and it cannot be deleted", async ({ page }) => {
  // 40 MB: ~10 s per operation, so the restore still runs when the page tries to act on a
  // loaded machine; three operations of that length need more than the default 90 s there.
  test.setTimeout(180_000);
  const serverId = createServer(uniqueName("e2e-busy"), "stopped", 40);
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "restore-source");
  await createCompletedSnapshot(page.request, serverId, "bystander");
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByRole("button", { name: "Delete restore-source" })).toBeEnabled();

  // Started elsewhere (the API): the stale page learns about it by trying to act.
  const source = (await (await page.request.get(`/api/v1/snapshots/?server_id=${serverId}`)).json()) as {
    results: ApiSnapshot[];
  };
  const id = source.results.find((s) => s.name === "restore-source")!.id;
  expect((await page.request.post(`/api/v1/snapshots/${id}/restore/`)).status()).toBe(200);
  await page.getByRole("button", { name: "Create snapshot" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Create snapshot" }).click();
  await expect(page.getByText(/is being restored; try again/).first()).toBeVisible();
  // The refusal closed the dialog and refreshed the page at once: the restore is on
  // screen, and the buttons explain why they are disabled.
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(page.getByTestId("operation-banner")).toContainText("Restoring from snapshot restore-source");
  const row = page.getByRole("row", { name: /restore-source/ });
  await expect(row.getByText("Being restored")).toBeVisible();
  await expect(page.getByRole("button", { name: "Delete restore-source" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Delete restore-source" })).toHaveAttribute("title", /being restored/);
  await expect(page.getByRole("button", { name: "Restore bystander" })).toBeDisabled();
  await expect(page.getByText("Restore is unavailable: the server is being restored.")).toBeVisible();
  await expect(page.getByTestId("server-status").first()).toHaveText("Stopped", { timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Delete restore-source" })).toBeEnabled();
});

test("the tab title carries the server name", async ({ page }) => {
  const serverName = uniqueName("e2e-title");
  const serverId = createServer(serverName, "stopped");
  await signIn(page);
  await page.goto(`/servers/${serverId}`);
  await expect(page).toHaveTitle(`${serverName} · Snapdeck`);
});

for (const path of ["/nope", "/servers/abc", "/servers/999999"]) {
  test(`${path} answers 404 inside the app frame, with a way back`, async ({ page }) => {
    await signIn(page);
    const res = await page.goto(path);
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found", level: 1 })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await page.getByRole("link", { name: "Back to servers" }).click();
    await expect(page).toHaveURL(/\/servers$/);
    await expect(page.getByRole("heading", { name: "Servers", level: 1 })).toBeVisible();
  });
}

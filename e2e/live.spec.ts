// Live from anywhere: work started elsewhere (another tab, a colleague, the API) shows on
// an open page without a reload, within one idle refresh (30 s) or at once when the tab
// becomes visible again; a hidden tab stays silent. The page's clock is Playwright's
// (page.clock): time flows as usual, and the specs jump over the 30 s idle wait.
import { expect, test } from "@playwright/test";
import {
  createServer,
  expectSameDocument,
  getServer,
  markDocument,
  recordApiRequests,
  setTabHidden,
  signIn,
  startSnapshotViaApi,
  uniqueName,
} from "./fixtures";

test("a snapshot started through the API appears on an open server page without a reload", async ({ page }) => {
  const serverId = createServer(uniqueName("e2e-live"), "stopped");
  await page.clock.install();
  await signIn(page);
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByText("No snapshots yet")).toBeVisible();
  await markDocument(page);
  const requests = recordApiRequests(page);

  await startSnapshotViaApi(page.request, serverId, "made-elsewhere");
  const row = page.getByRole("row", { name: /made-elsewhere/ });
  await expect(row).toBeHidden();
  // One idle refresh later, plus the time the snapshot list needs to follow.
  await page.clock.fastForward(30_000);
  await expect(row).toBeVisible({ timeout: 10_000 });
  await expect(row.getByTestId("snapshot-status")).toContainText("Completed", { timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Create snapshot" })).toBeEnabled();
  await expectSameDocument(page);
  // The idle refresh asks for the server only; its change pulled the snapshot list.
  expect(requests[0]).toBe(`GET /api/v1/servers/${serverId}/`);
  expect(requests).toContain(`GET /api/v1/snapshots/?server_id=${serverId}&page_size=100`);
});

test("the servers list shows work started elsewhere at once when the tab becomes visible again", async ({ page }) => {
  const serverName = uniqueName("e2e-focus");
  const serverId = createServer(serverName, "stopped");
  await signIn(page);
  await page.getByLabel("Filter servers").fill(serverName);
  const row = page.getByRole("row", { name: new RegExp(serverName) });
  await expect(row).toContainText("0/5");
  await setTabHidden(page, true);
  const requests = recordApiRequests(page);

  await startSnapshotViaApi(page.request, serverId, "while-hidden");
  // Hidden: the page learns nothing, even when the snapshot has finished.
  await expect.poll(async () => (await getServer(page.request, serverId)).snapshot_count).toBe(1);
  await expect.poll(async () => (await getServer(page.request, serverId)).operation, { timeout: 60_000 }).toBeNull();
  expect(requests).toEqual([]);
  await expect(row).toContainText("0/5");

  await setTabHidden(page, false);
  // Far sooner than the 30 s idle refresh: becoming visible refetches at once.
  await expect(row).toContainText("1/5", { timeout: 10_000 });
  expect(requests).toEqual(["GET /api/v1/servers/"]);
});

test("an idle server page refreshes only the server, once per idle interval", async ({ page }) => {
  const serverId = createServer(uniqueName("e2e-idle"), "stopped");
  await page.clock.install();
  await signIn(page);
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByText("No snapshots yet")).toBeVisible();
  const requests = recordApiRequests(page);
  await page.clock.runFor(25_000);
  expect(requests).toEqual([]);
  // Nothing changed, so the snapshot list does not follow; twice over. The interval may
  // count from the answer, so each jump starts once the last request was answered.
  for (const [n, ms] of [
    [1, 6_000],
    [2, 31_000],
  ]) {
    const answered = page.waitForResponse((res) => new URL(res.url()).pathname === `/api/v1/servers/${serverId}/`);
    await page.clock.runFor(ms);
    await answered;
    expect(requests).toHaveLength(n);
  }
  expect(requests).toEqual([`GET /api/v1/servers/${serverId}/`, `GET /api/v1/servers/${serverId}/`]);
});

import { expect, test } from "@playwright/test";
import { createServer, expectSameDocument, getServer, markDocument, recordApiRequests, signIn, uniqueName } from "./fixtures";

test("a snapshot of a stopped server goes from in progress to completed without a reload, then the page asks nothing", async ({
  page,
}) => {
  const serverName = uniqueName("e2e-create");
  const serverId = createServer(serverName, "stopped");
  await signIn(page);
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByText("No snapshots yet")).toBeVisible();
  await markDocument(page);

  await page.getByRole("button", { name: "Create snapshot" }).click();
  const dialog = page.getByRole("dialog", { name: `Create a snapshot of ${serverName}` });
  await expect(dialog).toBeVisible();
  // A stopped server gets no consistency warning.
  await expect(dialog.getByText("filesystem-inconsistent")).toHaveCount(0);
  await dialog.getByLabel("Name").fill("bad name!");
  await dialog.getByRole("button", { name: "Create snapshot" }).click();
  await expect(dialog.getByText("Name may contain only letters, digits, '-' and '_'.")).toBeVisible();
  await dialog.getByLabel("Name").fill("first-e2e");
  await dialog.getByLabel("Description (optional)").fill("Made by the browser test");
  await dialog.getByRole("button", { name: "Create snapshot" }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole("row", { name: /first-e2e/ });
  await expect(row.getByTestId("snapshot-status")).toContainText("In progress");
  await expect(row.getByTestId("snapshot-status")).toContainText("Completed", { timeout: 60_000 });
  await expectSameDocument(page);

  // Nothing is in progress any more: the page asks nothing (the live stream, open all
  // along, says when something changes; e2e/live.spec.ts).
  await expect(page.getByRole("button", { name: "Create snapshot" })).toBeEnabled();
  await expect(page.locator("html[data-live=open]")).toHaveCount(1);
  await page.waitForTimeout(2_000); // the refetches of the last change land
  const requests = recordApiRequests(page);
  await page.waitForTimeout(8_000);
  expect(requests).toEqual([]);
});

test("an active server shows the consistency warning and can be stopped first", async ({ page }) => {
  const serverName = uniqueName("e2e-active");
  const serverId = createServer(serverName, "active");
  await signIn(page);
  await page.goto(`/servers/${serverId}`);
  await page.getByRole("button", { name: "Create snapshot" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByText(/may be filesystem-inconsistent/)).toBeVisible();
  await dialog.getByLabel(/Stop the server first/).check();
  await dialog.getByLabel("Name").fill("clean-e2e");
  await dialog.getByRole("button", { name: "Stop server and create snapshot" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("row", { name: /clean-e2e/ }).getByTestId("snapshot-status")).toContainText("Completed", {
    timeout: 60_000,
  });
  await expect(page.getByTestId("server-status").first()).toHaveText("Stopped");
  expect((await getServer(page.request, serverId)).status).toBe("stopped");
});

test("the create flow works with the keyboard alone, and Escape closes the dialog", async ({ page }) => {
  const serverId = createServer(uniqueName("e2e-keys"), "stopped");
  await signIn(page);
  await page.goto(`/servers/${serverId}`);
  const create = page.getByRole("button", { name: "Create snapshot" });
  await create.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(create).toBeFocused();

  await page.keyboard.press("Enter");
  await expect(dialog.getByLabel("Name")).toBeFocused();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("keyboard-e2e");
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("row", { name: /keyboard-e2e/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /keyboard-e2e/ }).getByTestId("snapshot-status")).toContainText("Completed", {
    timeout: 60_000,
  });
});

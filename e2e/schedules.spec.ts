// SPEC §6 in the browser: a schedule made in the UI rotates its snapshots (run now → a new
// scheduled snapshot, the oldest one pruned), and a restore with a safety snapshot can be
// undone from the server page, putting the disk back byte for byte.
import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { createCompletedSnapshot, createServer, getServer, signIn, uniqueName } from "./fixtures";

const diskOf = (serverId: number) => path.join(process.env.E2E_DATA_DIR!, "disks", `${serverId}.img`);
const hashOf = async (file: string) =>
  createHash("sha256")
    .update(await fs.readFile(file))
    .digest("hex");

async function waitUntilIdle(page: Page, serverId: number) {
  await expect.poll(async () => (await getServer(page.request, serverId)).operation, { timeout: 60_000 }).toBeNull();
}

/** Toasts sit bottom-right, over the Schedules section of a long page: press the button from the keyboard. */
async function press(button: Locator) {
  await button.focus();
  await button.press("Enter");
}

test("a schedule made in the UI: run now takes a scheduled snapshot, the next run prunes the oldest", async ({ page }) => {
  const serverId = createServer(uniqueName("e2e-sched"), "stopped");
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "manual-keep");
  await page.goto(`/servers/${serverId}`);

  await page.getByRole("button", { name: "Add schedule" }).click();
  const form = page.getByRole("form", { name: "New schedule" });
  await form.getByLabel("When (UTC)").selectOption({ label: "Every 6 hours UTC" });
  await form.getByLabel("Keep").selectOption("1");
  await expect(form.getByTestId("schedule-preview")).toContainText("UTC");
  await form.getByRole("button", { name: "Create schedule" }).click();
  await expect(page.getByText("Schedule created.")).toBeVisible();
  const row = page.getByTestId("schedule-row");
  await expect(row).toContainText("Every 6 hours");
  await expect(row.getByTestId("schedule-next-run")).toContainText(/your time · \d{4}-\d{2}-\d{2} \d{2}:00:00 UTC/);
  await expect(row.getByTestId("schedule-last-run")).toContainText("never");

  const snapshotRows = page.locator("tr[data-snapshot-name^='auto-']");
  await press(row.getByRole("button", { name: "Run now" }));
  await expect(snapshotRows).toHaveCount(1);
  const first = await snapshotRows.first().getAttribute("data-snapshot-name");
  await expect(row.getByTestId("schedule-last-run")).toContainText("completed", { timeout: 60_000 });
  await waitUntilIdle(page, serverId);

  await press(row.getByRole("button", { name: "Run now" }));
  await expect(page.locator(`tr[data-snapshot-name='${first}']`)).toHaveCount(0, { timeout: 60_000 }); // pruned (keep 1)
  await expect(snapshotRows).toHaveCount(1);
  expect(await snapshotRows.first().getAttribute("data-snapshot-name")).not.toBe(first);
  await expect(page.locator("tr[data-snapshot-name='manual-keep']")).toHaveCount(1); // manual ones are never pruned
});

test("restore with a safety snapshot, then Undo restore: the disk is back byte for byte", async ({ page }) => {
  const serverName = uniqueName("e2e-undo");
  const serverId = createServer(serverName, "stopped");
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "base");
  // What the operator is about to overwrite: data written after the snapshot.
  const disk = await fs.open(diskOf(serverId), "r+");
  await disk.write(randomBytes(1024 * 1024), 0, 1024 * 1024, 3 * 1024 * 1024);
  await disk.close();
  const before = await hashOf(diskOf(serverId));

  await page.goto(`/servers/${serverId}`);
  await page.getByRole("button", { name: "Restore base" }).click();
  let dialog = page.getByRole("dialog", { name: `Restore ${serverName} from base?` });
  await expect(dialog.getByLabel(/Take a safety snapshot first/)).toBeChecked();
  await dialog.getByLabel(/Type the target server's name/).fill(serverName);
  await dialog.getByRole("button", { name: "Restore and overwrite" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator("tr[data-snapshot-name^='safety-']")).toHaveCount(1);
  await waitUntilIdle(page, serverId);
  expect(await hashOf(diskOf(serverId))).not.toBe(before);

  const undo = page.getByTestId("undo-restore");
  await expect(undo).toBeVisible();
  await undo.getByRole("button", { name: "Undo restore" }).click();
  dialog = page.getByRole("dialog", { name: `Undo the last restore of ${serverName}?` });
  await expect(dialog.getByText(/goes back to safety-.*, the safety snapshot taken just before the last restore/)).toBeVisible();
  await expect(dialog.getByText("All current data on the server will be overwritten.")).toBeVisible();
  await expect(dialog.getByLabel(/Take a safety snapshot first/)).not.toBeChecked();
  const confirm = dialog.getByRole("button", { name: "Undo restore and overwrite" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Type the target server's name/).fill(serverName);
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("server-status").first()).toHaveText("Restoring");
  await waitUntilIdle(page, serverId);
  expect(await hashOf(diskOf(serverId))).toBe(before);
});

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

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** No toast box overlaps any of these buttons' boxes. */
async function expectUncovered(toast: Locator, buttons: Locator) {
  const box = await toast.boundingBox();
  expect(box, "the toast is on screen").not.toBeNull();
  expect(await buttons.count()).toBeGreaterThan(0);
  for (const button of await buttons.all()) {
    const target = await button.boundingBox();
    expect(target && overlaps(box!, target), `toast over ${await button.textContent()}`).toBe(false);
  }
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
  const toast = page.locator("[data-sonner-toast]").filter({ hasText: "Schedule created." });
  await expect(toast).toBeVisible();
  const row = page.getByTestId("schedule-row");
  await expect(row).toContainText("Every 6 hours");
  await expect(row.getByTestId("schedule-next-run")).toContainText(/your time · \d{4}-\d{2}-\d{2} \d{2}:00:00 UTC/);
  await expect(row.getByTestId("schedule-last-run")).toContainText("never");

  // Toasts never cover an action (the row's buttons, Run now), and a pointer resting on one
  // does not keep it: it goes within 8 s of showing.
  await expectUncovered(toast, row.getByRole("button"));
  await expectUncovered(toast, page.locator("tr[data-snapshot-name='manual-keep']").getByRole("button"));
  await toast.hover();
  await expect(toast).toHaveCount(0, { timeout: 9_000 });

  const snapshotRows = page.locator("tr[data-snapshot-name^='auto-']");
  // A plain click: Playwright refuses to click a button that something (a toast) covers.
  await row.getByRole("button", { name: "Run now" }).click();
  await expect(snapshotRows).toHaveCount(1);
  const first = await snapshotRows.first().getAttribute("data-snapshot-name");
  await expect(row.getByTestId("schedule-last-run")).toContainText("completed", { timeout: 60_000 });
  await waitUntilIdle(page, serverId);

  await row.getByRole("button", { name: "Run now" }).click();
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
  const safetyRow = page.locator("tr[data-snapshot-name^='safety-']");
  await expect(safetyRow).toHaveCount(1);
  // One progress: while the safety snapshot is taken, its row and the banner show the same
  // percentage (read in one go), and the banner's elapsed time counts between polls.
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const banner = document.querySelector("[data-testid='operation-progress']")?.textContent;
          const row = document.querySelector("tr[data-snapshot-name^='safety-'] [data-testid='snapshot-status']")?.textContent;
          return `${banner}|${row}`;
        }),
      { intervals: [100], timeout: 20_000 },
    )
    .toMatch(/^([1-9]\d?)%\|In progress · \1%$/);
  const elapsed = page.getByTestId("operation-banner").getByTestId("elapsed");
  const shown = await elapsed.textContent();
  await expect(elapsed).not.toHaveText(shown!, { timeout: 2_500 });
  await waitUntilIdle(page, serverId);
  expect(await hashOf(diskOf(serverId))).not.toBe(before);

  const undo = page.getByTestId("undo-restore");
  await expect(undo).toBeVisible();
  // Deleting the safety snapshot that backs Undo says so first.
  const deleteSafety = safetyRow.getByRole("button", { name: /^Delete / });
  await deleteSafety.click();
  dialog = page.getByRole("dialog", { name: /^Delete snapshot safety-/ });
  await expect(dialog.getByTestId("delete-ends-undo")).toHaveText(/^Undo restore will no longer be possible\./);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
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
  // Undone: no Undo is offered any more, though the safety snapshot stays (an ordinary snapshot now).
  await expect(page.getByTestId("server-status").first()).toHaveText("Stopped");
  await expect(undo).toHaveCount(0);
  await expect(safetyRow).toHaveCount(1);
  await deleteSafety.click();
  dialog = page.getByRole("dialog", { name: /^Delete snapshot safety-/ });
  await expect(dialog.getByText(/Deletion is permanent/)).toBeVisible();
  await expect(dialog.getByTestId("delete-ends-undo")).toHaveCount(0);
});

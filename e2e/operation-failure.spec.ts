// A restore that fails for real (the disks directory is made read-only with a bind mount,
// so this needs root, as CI has) is shown on the server page until dismissed, with a
// toast; the next successful operation gets its own toast and clears the alert.
import { execFileSync } from "node:child_process";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { createCompletedSnapshot, createServer, signIn, uniqueName } from "./fixtures";

function disksDir(): string {
  if (process.getuid?.() !== 0)
    throw new Error("This spec needs root: it bind-mounts the disks directory read-only. CI runs as root.");
  return path.join(process.env.E2E_DATA_DIR!, "disks");
}

async function restoreFromUi(page: Page, serverName: string, snapshotName: string) {
  await page.getByRole("button", { name: `Restore ${snapshotName}` }).click();
  const dialog = page.getByRole("dialog", { name: `Restore ${serverName} from ${snapshotName}?` });
  await dialog.getByLabel(/Type the target server's name/).fill(serverName);
  await dialog.getByRole("button", { name: "Restore and overwrite" }).click();
  await expect(dialog).toBeHidden();
}

test("a failed restore stays visible until dismissed, with a toast; a later success clears it", async ({ page }) => {
  const dir = disksDir();
  const serverName = uniqueName("e2e-fail");
  const serverId = createServer(serverName, "active");
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "fail-point");
  await page.goto(`/servers/${serverId}`);
  await expect(page.locator("tr[data-snapshot-name='fail-point']")).toBeVisible();

  execFileSync("mount", ["--bind", dir, dir]);
  try {
    execFileSync("mount", ["-o", "remount,bind,ro", dir]);
    await restoreFromUi(page, serverName, "fail-point");
    const alert = page.getByRole("alert").filter({ hasText: "Restore from snapshot fail-point failed" });
    await expect(alert).toBeVisible({ timeout: 60_000 });
    await expect(alert).toContainText("the storage cannot be written");
    await expect(alert).toContainText("disk was left unchanged");
    await expect(alert).not.toContainText("/"); // no path, no errno
    await expect(page.getByText(`Restore of ${serverName} from fail-point failed.`)).toBeVisible(); // the toast
    await expect(page.getByTestId("server-status").first()).toHaveText("Active"); // back to its power state
  } finally {
    execFileSync("umount", [dir]);
  }

  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary ?? ""}`).join(", ")}`),
  ).toEqual([]);

  await page.reload(); // a failure outlives the page that saw it
  const alert = page.getByRole("alert").filter({ hasText: "Restore from snapshot fail-point failed" });
  await expect(alert).toBeVisible();
  await alert.getByRole("button", { name: "Dismiss" }).click();
  await expect(alert).toBeHidden();
  await page.reload();
  await expect(page.locator("tr[data-snapshot-name='fail-point']")).toBeVisible();
  await expect(alert).toBeHidden(); // dismissal is remembered

  await restoreFromUi(page, serverName, "fail-point"); // the disks directory is writable again
  await expect(page.getByText(`Restore of ${serverName} from fail-point completed.`)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("alert").filter({ hasText: "failed" })).toHaveCount(0);
});

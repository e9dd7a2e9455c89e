import { expect, test, type Locator } from "@playwright/test";
import { createCompletedSnapshot, createServer, expectSameDocument, markDocument, signIn, uniqueName } from "./fixtures";

/** How colourful a button's background is, 0 (grey) to 1: sRGB max − min, as a canvas paints it (any CSS colour syntax). */
async function colourfulness(button: Locator): Promise<number> {
  return button.evaluate((el) => {
    const ctx = document.createElement("canvas").getContext("2d")!;
    ctx.fillStyle = getComputedStyle(el).backgroundColor;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
    return (Math.max(r!, g!, b!) - Math.min(r!, g!, b!)) / 255;
  });
}

test("restore warns, demands the exact server name, and the server shows restoring then its previous status", async ({
  page,
}) => {
  const serverName = uniqueName("e2e-restore");
  const serverId = createServer(serverName, "active");
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "restore-point");
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByTestId("server-status").first()).toHaveText("Active");
  await markDocument(page);

  await page.getByRole("button", { name: "Restore restore-point" }).click();
  const dialog = page.getByRole("dialog", { name: `Restore ${serverName} from restore-point?` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText("All current data on the server will be overwritten.")).toBeVisible();
  await expect(dialog.getByText(/This cannot be undone/)).toBeVisible();
  await expect(dialog.getByText(/The server will be stopped first/)).toBeVisible();
  await expect(dialog.getByRole("time")).toBeVisible(); // how old the snapshot is

  // The name to type is never broken across lines (its hyphens are break opportunities), at any width.
  const nameLines = () =>
    dialog.getByTestId("restore-confirm-target").evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
  await expect(dialog.getByTestId("restore-confirm-target")).toHaveText(serverName);
  for (let width = 300; width <= 520; width += 20) {
    await page.setViewportSize({ width, height: 720 });
    expect(await nameLines(), `the name's lines at ${width}px`).toBe(1);
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  const confirm = dialog.getByRole("button", { name: "Restore and overwrite" });
  const input = dialog.getByLabel(/Type the target server's name/);
  await expect(confirm).toBeDisabled();
  // Disabled must look disabled in both themes: grey, never a red that reads as ready.
  for (const colorScheme of ["dark", "light"] as const) {
    await page.emulateMedia({ colorScheme });
    // Polled: the button's colour transition may still run right after the switch.
    await expect.poll(() => colourfulness(confirm), { message: `disabled confirm button (${colorScheme})` }).toBeLessThan(0.08);
  }
  await input.fill("web-server-01");
  await expect(confirm).toBeDisabled();
  await input.fill(serverName.toUpperCase());
  await expect(confirm).toBeDisabled();
  await input.fill(`${serverName} `);
  await expect(confirm).toBeDisabled();
  await input.fill(serverName);
  await expect(confirm).toBeEnabled();
  for (const colorScheme of ["dark", "light"] as const) {
    await page.emulateMedia({ colorScheme });
    await expect.poll(() => colourfulness(confirm), { message: `enabled confirm button (${colorScheme})` }).toBeGreaterThan(0.25);
  }
  await confirm.click();

  await expect(dialog).toBeHidden();
  const status = page.getByTestId("server-status").first();
  await expect(status).toHaveText("Restoring");
  await expect(status).toHaveText("Active", { timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Create snapshot" })).toBeEnabled();
  await expectSameDocument(page);
});

test("delete asks first and says the deletion is permanent", async ({ page }) => {
  const serverId = createServer(uniqueName("e2e-delete"), "stopped");
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "to-delete");
  await page.goto(`/servers/${serverId}`);
  await page.getByRole("button", { name: "Delete to-delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete snapshot to-delete?" });
  await expect(dialog.getByText(/Deletion is permanent/)).toBeVisible();
  await dialog.getByRole("button", { name: "Delete permanently" }).click();
  await expect(page.getByText("Snapshot to-delete deleted.")).toBeVisible();
  await expect(page.getByText("No snapshots yet")).toBeVisible();
});

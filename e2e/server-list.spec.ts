// The servers list: a whole row opens its server, and the headers sort it (the order is
// kept in the URL).
import { expect, test } from "@playwright/test";
import { createServer, signIn, uniqueName } from "./fixtures";

test("sorting by name and status survives a reload; a click anywhere on a row opens the server", async ({ page }) => {
  const prefix = uniqueName("e2e-sort");
  const stoppedId = createServer(`${prefix}-a`, "stopped");
  createServer(`${prefix}-b`, "active");
  await signIn(page);
  const names = page.locator("tbody tr td:first-child a");
  const filter = () => page.getByLabel("Filter servers").fill(prefix);
  await filter();
  await expect(names).toHaveText([`${prefix}-a`, `${prefix}-b`]);
  await expect(page.getByRole("columnheader", { name: "Name", exact: true })).toHaveAttribute("aria-sort", "ascending");

  await page.getByRole("button", { name: "Name", exact: true }).click();
  await expect(names).toHaveText([`${prefix}-b`, `${prefix}-a`]);
  await expect(page.getByRole("columnheader", { name: "Name", exact: true })).toHaveAttribute("aria-sort", "descending");
  await page.getByRole("button", { name: "Status", exact: true }).click(); // active before stopped
  await expect(page).toHaveURL(/\/servers\?sort=status&order=asc$/);
  await page.getByRole("button", { name: "Status", exact: true }).click();
  await expect(names).toHaveText([`${prefix}-a`, `${prefix}-b`]);

  await page.reload();
  await filter();
  await expect(names).toHaveText([`${prefix}-a`, `${prefix}-b`]);
  const status = page.getByRole("columnheader", { name: "Status", exact: true });
  await expect(status).toHaveAttribute("aria-sort", "descending");
  await expect(page.getByRole("columnheader", { name: "Name", exact: true })).toHaveAttribute("aria-sort", "none");

  // The right end of the row, far from the name's link text.
  const row = page.getByRole("row", { name: new RegExp(`${prefix}-a`) });
  const box = (await row.boundingBox())!;
  await row.click({ position: { x: box.width - 12, y: box.height / 2 } });
  await page.waitForURL(`**/servers/${stoppedId}`);
  await expect(page.getByRole("heading", { name: `${prefix}-a` })).toBeVisible();

  // The row's one link is reachable and opens it with the keyboard too.
  await page.goBack();
  await filter();
  await page.getByRole("link", { name: `${prefix}-a` }).focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(`**/servers/${stoppedId}`);
});

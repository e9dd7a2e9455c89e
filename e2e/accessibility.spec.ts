// axe on every page and on open dialogs: no serious or critical violations.
import { expect, test, type Page } from "@playwright/test";
import {
  cli,
  createCompletedSnapshot,
  createServer,
  expectBothThemesClean,
  expectNoSeriousViolations,
  signIn,
  uniqueName,
} from "./fixtures";

test("the sign-in page", async ({ page }) => {
  await page.goto("/login");
  await expectNoSeriousViolations(page, "/login");
  await page.getByLabel("Email").fill(`${uniqueName("axe")}@snapdeck.local`);
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("login-error")).toBeVisible();
  await expectNoSeriousViolations(page, "/login with an error");
});

// Eight states, each scanned in two themes, in three tests: a scan takes seconds on a CI
// machine that also runs QEMU guests (tests/vm) beside it, and one walk through all eight
// outlasted 180 s there.
async function serverWithSnapshot(page: Page) {
  const serverName = uniqueName("e2e-axe");
  const serverId = createServer(serverName, "active");
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "axe-snap");
  await page.goto(`/servers/${serverId}`);
  await expect(page.getByRole("row", { name: /axe-snap/ })).toBeVisible();
  return serverName;
}

test("in both themes: the servers page, a server page and its create dialog", async ({ page }) => {
  test.setTimeout(150_000);
  await serverWithSnapshot(page);
  await expectBothThemesClean(page, "server page");

  await page.getByRole("button", { name: "Create snapshot" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expectBothThemesClean(page, "create dialog, active server, with warning");
  await page.keyboard.press("Escape");

  await page.goto("/servers");
  await expect(page.getByRole("table")).toBeVisible();
  await expectBothThemesClean(page, "/servers");
});

test("in both themes: a server page with a toast on screen, and its restore and delete dialogs", async ({ page }) => {
  test.setTimeout(150_000);
  const serverName = await serverWithSnapshot(page);

  // A success toast, scanned at once: a toast goes within 8 s of showing, hovered or not.
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Stop server" }).click();
  const stopped = page.getByText(`Server ${serverName} stopped.`);
  await expect(stopped).toBeVisible();
  await expectBothThemesClean(page, "server page with a success toast");

  // Another toast, and the restore dialog opened under it at once.
  await page.getByRole("button", { name: "Start", exact: true }).click();
  const started = page.getByText(`Server ${serverName} started.`);
  await expect(started).toBeVisible();
  await page.getByRole("button", { name: "Restore axe-snap" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect(started).toBeVisible();
  await expectBothThemesClean(page, "restore dialog under a success toast");
  await page.keyboard.press("Escape");

  await page.getByRole("button", { name: "Delete axe-snap" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expectBothThemesClean(page, "delete dialog");
  await page.keyboard.press("Escape");
});

test("in both themes: the tokens page and the 404 page", async ({ page }) => {
  await signIn(page);
  await page.goto("/settings/tokens");
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0); // loaded, not a skeleton
  await expectBothThemesClean(page, "/settings/tokens");

  await page.goto("/nope");
  await expectBothThemesClean(page, "404 page");
});

test("phone width, a snapshot in progress: no page scrolls sideways and the key columns stay on screen", async ({ page }) => {
  const serverName = uniqueName("e2e-phone");
  // A bigger disk, so the snapshot stays in progress while every page is checked.
  const serverId = createServer(serverName, "stopped", 400);
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  const res = await page.request.post("/api/v1/snapshots/", {
    data: { server_id: serverId, name: "phone-snapshot-with-a-long-name" },
  });
  expect(res.status()).toBe(201);
  await page.goto("/servers");

  async function expectFits(what: string) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${what} overflows the page by ${overflow}px`).toBeLessThanOrEqual(0);
    // No table hides a column behind its own sideways scroll either.
    const hidden = await page.evaluate(() =>
      [...document.querySelectorAll("table")].map((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth),
    );
    // 1 px is sub-pixel rounding of the table's fractional column widths, not a clipped column.
    for (const px of hidden) expect(px, `a table on ${what} scrolls sideways by ${px}px`).toBeLessThanOrEqual(1);
  }
  async function expectOnScreen(locator: ReturnType<typeof page.locator>, what: string) {
    await expect(locator, what).toBeVisible();
    const box = (await locator.boundingBox())!;
    expect(box.x + box.width, `${what} ends at ${box.x + box.width}px`).toBeLessThanOrEqual(390);
  }

  await page.getByLabel("Filter servers").fill(serverName);
  const serverRow = page.getByRole("row", { name: new RegExp(serverName) });
  await expect(serverRow).toContainText("Taking snapshot");
  await expectFits("/servers");
  await expectOnScreen(page.getByRole("columnheader", { name: "Snapshots" }), "the Snapshots column");
  await expectOnScreen(serverRow.getByText("1/5"), "the snapshot count");

  await page.goto(`/servers/${serverId}`);
  const row = page.getByRole("row", { name: /phone-snapshot/ });
  await expect(row.getByTestId("snapshot-status-phone")).toContainText("In progress");
  await expectFits("the server page");
  await expectOnScreen(page.getByRole("columnheader", { name: "Size" }), "the Size column");
  await expectOnScreen(row.getByRole("button", { name: /^Delete/ }), "the row's Delete button");
  await expectOnScreen(row.getByRole("button", { name: /^Restore/ }), "the row's Restore button");
  // "1 minute ago" and the like never break inside the phrase.
  const times = row.getByTestId("snapshot-times").locator("span.whitespace-nowrap");
  expect(await times.count()).toBeGreaterThan(0);

  await page.goto("/settings/tokens");
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0);
  await expectFits("/settings/tokens");
});

test("the Hosts page at phone width, in both themes: nothing cut off, no scrolling region", async ({ page }) => {
  const email = `${uniqueName("axe-admin")}@snapdeck.local`;
  cli("user", "create", "--email", email, "--password", "a long admin password", "--admin");
  cli("host", "create", "--name", uniqueName("hv-phone"));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/hosts");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a long admin password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/hosts"); // back to the page asked for
  const local = page.getByTestId("host-row").filter({ hasText: "local" });
  await expect(local.getByText("Online")).toBeVisible();
  const hidden = await page.evaluate(() => {
    const wrapper = document.querySelector("table")!.parentElement!;
    return wrapper.scrollWidth - wrapper.clientWidth;
  });
  expect(hidden, "the hosts table scrolls sideways").toBeLessThanOrEqual(1);
  await expectBothThemesClean(page, "/hosts at 390 px");
});

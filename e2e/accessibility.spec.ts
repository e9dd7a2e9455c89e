// axe on every page and on open dialogs: no serious or critical violations.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { createCompletedSnapshot, createServer, signIn, uniqueName } from "./fixtures";

async function expectNoSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe violations on ${what}`,
  ).toEqual([]);
}

test("the sign-in page", async ({ page }) => {
  await page.goto("/login");
  await expectNoSeriousViolations(page, "/login");
  await page.getByLabel("Email").fill(`${uniqueName("axe")}@snapdeck.local`);
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("login-error")).toBeVisible();
  await expectNoSeriousViolations(page, "/login with an error");
});

test("the servers page, a server page, its dialogs and the tokens page", async ({ page }) => {
  const serverName = uniqueName("e2e-axe");
  const serverId = createServer(serverName, "active");
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "axe-snap");

  await expect(page.getByRole("table")).toBeVisible();
  await expectNoSeriousViolations(page, "/servers");

  await page.goto(`/servers/${serverId}`);
  await expect(page.getByRole("row", { name: /axe-snap/ })).toBeVisible();
  await expectNoSeriousViolations(page, "server page");

  await page.getByRole("button", { name: "Create snapshot" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expectNoSeriousViolations(page, "create dialog (active server, with warning)");
  await page.keyboard.press("Escape");

  await page.getByRole("button", { name: "Restore axe-snap" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expectNoSeriousViolations(page, "restore dialog");
  await page.keyboard.press("Escape");

  await page.getByRole("button", { name: "Delete axe-snap" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expectNoSeriousViolations(page, "delete dialog");
  await page.keyboard.press("Escape");

  await page.goto("/settings/tokens");
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0); // loaded, not a skeleton
  await expectNoSeriousViolations(page, "/settings/tokens");
});

test("phone width: no page scrolls sideways", async ({ page }) => {
  const serverId = createServer(uniqueName("e2e-phone"), "stopped");
  await page.setViewportSize({ width: 375, height: 740 });
  await signIn(page);
  await createCompletedSnapshot(page.request, serverId, "phone-snapshot-with-a-long-name");
  for (const path of ["/servers", `/servers/${serverId}`, "/settings/tokens"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
  }
});

// Labels on the server page: the edit dialog's key/value rows, checked as they are typed with
// the API's own rules, and the label filter (the API's label_selector, kept in ?labels=).
import { expect, test, type APIRequestContext } from "@playwright/test";
import { createCompletedSnapshot, createServer, expectBothThemesClean, signIn, uniqueName } from "./fixtures";

async function setLabels(request: APIRequestContext, snapshotId: number, labels: Record<string, string>) {
  const res = await request.patch(`/api/v1/snapshots/${snapshotId}/`, { data: { labels } });
  expect(res.status(), await res.text()).toBe(200);
}

test("label editor: each row is checked as it is typed, Save waits for a fix, saved labels show on the row", async ({ page }) => {
  test.setTimeout(120_000);
  const serverId = createServer(uniqueName("e2e-labels"), "stopped");
  await signIn(page);
  const snapshot = await createCompletedSnapshot(page.request, serverId, "labelled");
  await setLabels(page.request, snapshot.id, { env: "prod" });
  await page.goto(`/servers/${serverId}`);

  await page.getByRole("button", { name: "Edit labelled" }).click();
  const dialog = page.getByRole("dialog");
  const save = dialog.getByRole("button", { name: "Save" });
  await expect(dialog.getByLabel("Label 1 key", { exact: true })).toHaveValue("env");
  await expect(dialog.getByLabel("Label 1 value", { exact: true })).toHaveValue("prod");

  // Add label puts the cursor in the new row's key; a capital is refused, in words, at once.
  await dialog.getByRole("button", { name: "Add label" }).click();
  const key2 = dialog.getByLabel("Label 2 key", { exact: true });
  await expect(key2).toBeFocused();
  await page.keyboard.type("App");
  await expect(key2).toHaveAttribute("aria-invalid", "true");
  await expect(key2).toHaveAccessibleDescription('Key must be lowercase (not "A").');
  await expect(save).toBeDisabled();
  await expectBothThemesClean(page, "edit dialog with a label error");

  // Fixed, Enter goes on to the value instead of submitting.
  await key2.fill("app");
  await expect(key2).not.toHaveAttribute("aria-invalid");
  await expect(save).toBeEnabled();
  await key2.press("Enter");
  const value2 = dialog.getByLabel("Label 2 value", { exact: true });
  await expect(value2).toBeFocused();
  await value2.fill("v".repeat(64));
  await expect(value2).toHaveAccessibleDescription("Value is longer than 63 characters.");
  await expect(save).toBeDisabled();
  await value2.fill("web");
  await expect(save).toBeEnabled();

  // A key used twice; removing the row clears it.
  await dialog.getByRole("button", { name: "Add label" }).click();
  await dialog.getByLabel("Label 3 key", { exact: true }).fill("env");
  await expect(dialog.getByText("Key env is used twice.")).toBeVisible();
  await expect(save).toBeDisabled();
  await dialog.getByRole("button", { name: "Remove label 3" }).click();
  await expect(save).toBeEnabled();

  await save.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("row", { name: /labelled/ }).getByRole("listitem")).toHaveText(["app=web", "env=prod"]);
  const saved = await page.request.get(`/api/v1/snapshots/${snapshot.id}/`);
  expect(((await saved.json()) as { labels: Record<string, string> }).labels).toEqual({ app: "web", env: "prod" });
});

test("label filter: narrows the list through the API, survives a reload, shows a refused selector, clears", async ({ page }) => {
  test.setTimeout(150_000);
  const serverId = createServer(uniqueName("e2e-label-filter"), "stopped");
  await signIn(page);
  const labels: Record<string, Record<string, string>> = {
    "web-prod": { env: "prod", tier: "web" },
    "db-prod": { env: "prod", tier: "db" },
    "web-dev": { env: "dev", tier: "web" },
  };
  for (const [name, set] of Object.entries(labels)) {
    const snapshot = await createCompletedSnapshot(page.request, serverId, name);
    await setLabels(page.request, snapshot.id, set);
  }
  await page.goto(`/servers/${serverId}`);
  const rows = page.locator("tr[data-snapshot-name]");
  await expect(rows).toHaveCount(3);

  const input = page.getByRole("textbox", { name: "Filter by label" });
  await input.fill("env=prod,tier!=db");
  await input.press("Enter");
  await expect(rows).toHaveCount(1);
  await expect(rows).toHaveAttribute("data-snapshot-name", "web-prod");
  expect(new URL(page.url()).searchParams.get("labels")).toBe("env=prod,tier!=db");

  await page.reload();
  await expect(input).toHaveValue("env=prod,tier!=db");
  await expect(rows).toHaveCount(1);
  await expect(rows).toHaveAttribute("data-snapshot-name", "web-prod");

  // The API refuses the selector (400): its reason shows under the input, tied to it.
  await input.fill("Env=prod");
  await page.getByRole("button", { name: "Apply", exact: true }).click();
  const error = page.getByRole("alert").filter({ hasText: "The label filter is not valid" });
  await expect(error).toContainText('"Env=prod": not a valid label key');
  await expect(input).toHaveAttribute("aria-invalid", "true");
  await expect(input).toHaveAccessibleDescription(/not a valid label key/);
  await expect(rows).toHaveCount(0);

  await page.getByRole("button", { name: "Clear label filter" }).click();
  await expect(input).toHaveValue("");
  await expect(rows).toHaveCount(3);
  await expect(error).toHaveCount(0);
  expect(new URL(page.url()).searchParams.has("labels")).toBe(false);
});

// The fleet in the dashboard: restoring a snapshot onto another server (the dialog asks for
// the TARGET's name), and the admins' Hosts page.
import { expect, test } from "@playwright/test";
import { cli, createCompletedSnapshot, createServer, getServer, signIn, uniqueName } from "./fixtures";

test("restore onto another server: pick the target, type the target's name, the target is restored", async ({ page }) => {
  test.setTimeout(150_000); // a 32 MB snapshot and restore, on a machine that may run other suites
  const sourceName = uniqueName("e2e-src");
  const targetName = uniqueName("e2e-dst");
  // 32 MB: a restore of ~8 s, long enough to look at both servers' pages while it runs.
  const sourceId = createServer(sourceName, "stopped", 32);
  const targetId = createServer(targetName, "active", 32);
  const smallName = uniqueName("e2e-small");
  createServer(smallName, "stopped", 8);
  await signIn(page);
  await createCompletedSnapshot(page.request, sourceId, "portable");
  await page.goto(`/servers/${sourceId}`);

  await page.getByRole("button", { name: "Restore portable" }).click();
  const target = page.getByLabel("Target server", { exact: true });
  await expect(target).toHaveValue(String(sourceId));
  await expect(page.getByRole("option", { name: `${smallName} (disk too small)` })).toBeDisabled();
  await target.selectOption(String(targetId));
  const dialog = page.getByRole("dialog", { name: `Restore ${targetName} from portable?` });
  await expect(dialog).toBeVisible();
  const confirm = dialog.getByRole("button", { name: "Restore and overwrite" });
  const input = dialog.getByLabel(/Type the target server's name/);
  await input.fill(sourceName); // the snapshot's own server is not the target
  await expect(confirm).toBeDisabled();
  await input.fill(targetName);
  await expect(confirm).toBeEnabled();
  await confirm.click();

  await expect(page.getByText(`Restoring ${targetName} from portable.`)).toBeVisible();
  // The source's page says that its snapshot is being restored elsewhere, and onto which server.
  await expect(page.getByTestId("restoring-elsewhere")).toContainText(
    `${sourceName}'s snapshot portable is being restored onto ${targetName}`,
  );
  await expect(page.locator("tr[data-snapshot-name='portable']")).toContainText(`Being restored onto ${targetName}`);
  await expect(page.getByRole("button", { name: "Delete portable" })).toBeDisabled();
  // The target's banner names the snapshot and the server it comes from.
  await page.goto(`/servers/${targetId}`);
  await expect(page.getByTestId("operation-banner")).toContainText(`Restoring from ${sourceName}'s snapshot portable`);
  await expect.poll(async () => (await getServer(page.request, targetId)).status, { timeout: 60_000 }).toBe("active");
  const source = await getServer(page.request, sourceId);
  expect(source.status).toBe("stopped"); // untouched
  await page.goto(`/servers/${sourceId}`);
  await expect(page.getByRole("button", { name: "Delete portable" })).toBeEnabled();
  await expect(page.getByTestId("restoring-elsewhere")).toHaveCount(0);
});

test("admins see the Hosts page with each host's status; members have no link and get a 404", async ({ page, browser }) => {
  const host = uniqueName("hv");
  cli("host", "create", "--name", host);
  const email = `${uniqueName("admin")}@snapdeck.local`;
  cli("user", "create", "--email", email, "--password", "a long admin password", "--admin");

  await signIn(page); // the demo user is a member
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts" })).toHaveCount(0);
  expect((await page.goto("/hosts"))?.status()).toBe(404);

  const adminPage = await browser.newPage();
  await adminPage.goto("/login");
  await adminPage.getByLabel("Email").fill(email);
  await adminPage.getByLabel("Password").fill("a long admin password");
  await adminPage.getByRole("button", { name: "Sign in" }).click();
  await adminPage.waitForURL("**/servers");
  await adminPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts" }).click();
  await expect(adminPage.getByRole("heading", { name: "Hosts" })).toBeVisible();
  const local = adminPage.getByTestId("host-row").filter({ hasText: "local" });
  await expect(local.getByText("Online")).toBeVisible(); // npm start's worker is the agent of `local`
  const idle = adminPage.getByTestId("host-row").filter({ hasText: host });
  await expect(idle.getByText("Offline")).toBeVisible();
  await expect(idle.getByText("Never")).toBeVisible();
  await adminPage.close();
});

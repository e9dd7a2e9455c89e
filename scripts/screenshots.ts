// `npm run screenshots`: PNGs of the main pages into docs/, for the README, in the light
// and the dark theme (file names ending in -dark), at desktop and phone width.
// Reuses a running Snapdeck when BASE_URL is set; otherwise starts one exactly as a user
// would (`npm start`) on a throwaway DATA_DIR with demo data, and stops it afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "@playwright/test";

const DEMO = { email: "demo@snapdeck.local", password: "snapdeck-demo" };
const OUT = path.resolve("docs");
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

async function waitForHealth(base: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`Snapdeck did not become healthy at ${base} within ${timeoutMs / 1000} s`);
}

async function startApp(): Promise<{ base: string; child: ChildProcess }> {
  const port = Number(process.env.SCREENSHOT_PORT ?? 3300);
  const dataDir = mkdtempSync(path.join(tmpdir(), "snapdeck-shots-"));
  const child = spawn("npm", ["start"], {
    stdio: "inherit",
    detached: true,
    // Throttled, so the snapshot and the restore shown in progress are still running when shot.
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      SNAPDECK_DEMO_CONTENT_MB: "48",
      SNAPDECK_DISK_THROUGHPUT_MBPS: "32",
    },
  });
  const base = `http://localhost:${port}`;
  await waitForHealth(base, 300_000);
  return { base, child };
}

async function api<T>(page: Page, method: "GET" | "POST" | "PATCH", url: string, data?: unknown): Promise<T> {
  const res = await page.request.fetch(url, { method, ...(method !== "GET" && { data }) });
  if (!res.ok()) throw new Error(`${method} ${url}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

async function waitUntilIdle(page: Page, serverId: number) {
  for (let i = 0; i < 600; i++) {
    const server = await api<{ operation: unknown; status: string }>(page, "GET", `/api/v1/servers/${serverId}/`);
    if (!server.operation && server.status !== "restoring") return;
    await page.waitForTimeout(500);
  }
}

async function shoot(page: Page, name: string) {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  console.log(`docs/${name}.png`);
}

type Theme = "light" | "dark";

/** Every page worth showing, in one theme: desktop first, then phone width. Dark files end in -dark. */
async function shootTheme(browser: Browser, base: string, theme: Theme, ids: { stopped: Server; active: Server }) {
  const suffix = theme === "dark" ? "-dark" : "";
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 }, colorScheme: theme });
  const page = await context.newPage();
  try {
    await page.goto("/login");
    await shoot(page, `login${suffix}`);
    await page.getByLabel("Email").fill(DEMO.email);
    await page.getByLabel("Password").fill(DEMO.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/servers");

    await page.getByRole("table").waitFor();
    await shoot(page, `servers${suffix}`);

    await page.goto(`/servers/${ids.active.id}`);
    await page.getByRole("table").waitFor();
    await shoot(page, `server-detail-in-progress${suffix}`);
    await page
      .getByRole("button", { name: "Create snapshot" })
      .click()
      .catch(() => undefined);
    if (await page.getByRole("dialog").isVisible()) await shoot(page, `create-snapshot-dialog${suffix}`);

    await page.goto(`/servers/${ids.stopped.id}`);
    await page.getByRole("table").waitFor();
    await shoot(page, `server-detail${suffix}`);
    await page
      .getByRole("button", { name: /^Edit / })
      .first()
      .click();
    await page.getByRole("dialog").waitFor();
    await shoot(page, `edit-snapshot-dialog${suffix}`);
    await page.keyboard.press("Escape");
    await page.getByRole("tab", { name: "Activity" }).click();
    await page.getByRole("tabpanel").getByRole("table").waitFor();
    await shoot(page, `server-activity${suffix}`);
    await page.goto("/activity");
    await page.getByRole("table").waitFor();
    await shoot(page, `activity${suffix}`);
    await page.goto(`/servers/${ids.stopped.id}`);
    await page.getByRole("table").waitFor();
    await page
      .getByRole("button", { name: /^Restore / })
      .first()
      .click();
    await page.getByLabel(/Type the target server's name/).fill(ids.stopped.name.toUpperCase());
    await shoot(page, `restore-dialog${suffix}`);

    await page.goto("/settings/tokens");
    await page.getByLabel("Name").fill(`backup-cron${suffix}`);
    await page.getByLabel("Read & write").check();
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByRole("dialog").waitFor();
    await shoot(page, `api-tokens${suffix}`);

    await page.goto("/servers/999999");
    await shoot(page, `not-found${suffix}`);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/servers");
    await page.getByRole("table").waitFor();
    await shoot(page, `servers-phone${suffix}`);
    await page.goto(`/servers/${ids.active.id}`);
    await page.getByRole("table").waitFor();
    await shoot(page, `server-detail-phone${suffix}`);
  } finally {
    await context.close();
  }
}

type Server = { id: number; name: string; status: string };

/** Schedules and undo (SPEC §6): a schedule that has run, a restore with a safety snapshot, the form and the dialog. */
async function shootLifecycle(page: Page, server: Server) {
  await waitUntilIdle(page, server.id);
  const schedule = await api<{ id: number }>(page, "POST", "/api/v1/schedules/", {
    server_id: server.id,
    cron: "0 3 * * *",
    keep: 2,
  });
  await api(page, "POST", `/api/v1/schedules/${schedule.id}/run/`).catch(() => undefined);
  await waitUntilIdle(page, server.id);
  await api(page, "POST", "/api/v1/schedules/", { server_id: server.id, cron: "0 */6 * * *", keep: 1, enabled: false });
  const snaps = await api<{ results: Array<{ id: number; name: string }> }>(
    page,
    "GET",
    `/api/v1/snapshots/?server_id=${server.id}`,
  );
  const source = snaps.results.find((s) => s.name === "after-upgrade") ?? snaps.results[0];
  if (source) await api(page, "POST", `/api/v1/snapshots/${source.id}/restore/`, { safety_snapshot: true });
  await waitUntilIdle(page, server.id);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`/servers/${server.id}`);
  await page.getByTestId("schedule-row").first().waitFor();
  await page.getByTestId("undo-restore").waitFor();
  await shoot(page, "server-detail-schedules");
  await page.getByRole("button", { name: "Add schedule" }).click();
  await page.getByLabel("When (UTC)").selectOption({ label: "Custom cron…" });
  await shoot(page, "schedule-form");
  await page.goto(`/servers/${server.id}`);
  await page
    .getByRole("button", { name: /^Restore / })
    .first()
    .click();
  await page.getByLabel(/Type the target server's name/).fill(server.name);
  await shoot(page, "restore-dialog-safety");
}

async function main() {
  if (!existsSync(executablePath))
    throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH.`);
  mkdirSync(OUT, { recursive: true });
  const started = process.env.BASE_URL ? null : await startApp();
  const base = process.env.BASE_URL ?? started!.base;
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ baseURL: base });
    await page.goto("/login");
    await page.getByLabel("Email").fill(DEMO.email);
    await page.getByLabel("Password").fill(DEMO.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/servers");

    // Some history to look at: a finished snapshot on the stopped server, one running on the active one.
    const { results: servers } = await api<{ results: Server[] }>(page, "GET", "/api/v1/servers/");
    const stopped = servers.find((s) => s.status === "stopped") ?? servers[0];
    const active = servers.find((s) => s.status === "active") ?? servers[0];
    await waitUntilIdle(page, stopped.id);
    await api(page, "POST", "/api/v1/snapshots/", {
      server_id: stopped.id,
      name: "before-upgrade",
      description: "Before the PostgreSQL 17 upgrade",
    }).catch(() => undefined);
    await waitUntilIdle(page, stopped.id);
    await api(page, "POST", "/api/v1/snapshots/", { server_id: stopped.id, name: "after-upgrade" }).catch(() => undefined);
    await waitUntilIdle(page, stopped.id);
    // Labels and a protected snapshot (lock icon), and their edits in the activity.
    const made = await api<{ results: Array<{ id: number; name: string }> }>(
      page,
      "GET",
      `/api/v1/snapshots/?server_id=${stopped.id}`,
    );
    const first = made.results.find((s) => s.name === "before-upgrade");
    if (first)
      await api(page, "PATCH", `/api/v1/snapshots/${first.id}/`, { labels: { env: "prod", app: "postgres" }, protected: true });
    const second = made.results.find((s) => s.name === "after-upgrade");
    if (second) await api(page, "PATCH", `/api/v1/snapshots/${second.id}/`, { labels: { env: "prod" } });
    await waitUntilIdle(page, active.id);
    await api(page, "POST", "/api/v1/snapshots/", {
      server_id: active.id,
      name: "nightly",
      description: "Scheduled nightly snapshot",
    }).catch(() => undefined);

    for (const theme of ["light", "dark"] as const) await shootTheme(browser, base, theme, { stopped, active });

    // A restore in progress: the banner names the snapshot and its row is marked.
    const snaps = await api<{ results: Array<{ id: number; name: string }> }>(
      page,
      "GET",
      `/api/v1/snapshots/?server_id=${stopped.id}`,
    );
    const source = snaps.results.find((s) => s.name === "before-upgrade");
    if (source) {
      await api(page, "POST", `/api/v1/snapshots/${source.id}/restore/`);
      for (const theme of ["light", "dark"] as const) {
        const context = await browser.newContext({
          baseURL: base,
          viewport: { width: 1280, height: 800 },
          colorScheme: theme,
          storageState: await page.context().storageState(),
        });
        const view = await context.newPage();
        await view.goto(`/servers/${stopped.id}`);
        await view.getByTestId("operation-banner").waitFor();
        await view.getByText("Being restored", { exact: true }).waitFor();
        await shoot(view, `server-detail-restoring${theme === "dark" ? "-dark" : ""}`);
        await context.close();
      }
    }
    await shootLifecycle(page, stopped);
  } finally {
    await browser.close();
    if (started?.child.pid) process.kill(-started.child.pid, "SIGTERM");
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

// `npm run screenshots`: PNGs of the main pages into docs/, for the README.
// Reuses a running Snapdeck when BASE_URL is set; otherwise starts one exactly as a user
// would (`npm start`) on a throwaway DATA_DIR with demo data, and stops it afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";

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
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "warn", SNAPDECK_DEMO_CONTENT_MB: "48" },
  });
  const base = `http://localhost:${port}`;
  await waitForHealth(base, 300_000);
  return { base, child };
}

async function api<T>(page: Page, method: "GET" | "POST", url: string, data?: unknown): Promise<T> {
  const res = method === "GET" ? await page.request.get(url) : await page.request.post(url, { data });
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

async function main() {
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH.`);
  mkdirSync(OUT, { recursive: true });
  const started = process.env.BASE_URL ? null : await startApp();
  const base = process.env.BASE_URL ?? started!.base;
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ baseURL: base, viewport: { width: 1280, height: 800 } });
    await page.goto("/login");
    await shoot(page, "login");
    await page.getByLabel("Email").fill(DEMO.email);
    await page.getByLabel("Password").fill(DEMO.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/servers");

    // Some history to look at: a finished snapshot on the stopped server, one running on the active one.
    const { results: servers } = await api<{ results: Array<{ id: number; name: string; status: string }> }>(page, "GET", "/api/v1/servers/");
    const stopped = servers.find((s) => s.status === "stopped") ?? servers[0];
    const active = servers.find((s) => s.status === "active") ?? servers[0];
    await waitUntilIdle(page, stopped.id);
    await api(page, "POST", "/api/v1/snapshots/", { server_id: stopped.id, name: "before-upgrade", description: "Before the PostgreSQL 17 upgrade" }).catch(() => undefined);
    await waitUntilIdle(page, stopped.id);
    await waitUntilIdle(page, active.id);
    await api(page, "POST", "/api/v1/snapshots/", { server_id: active.id, name: "nightly", description: "Scheduled nightly snapshot" }).catch(() => undefined);

    await page.goto("/servers");
    await page.getByRole("table").waitFor();
    await shoot(page, "servers");

    await page.goto(`/servers/${active.id}`);
    await page.getByRole("table").waitFor();
    await shoot(page, "server-detail-in-progress");
    await page.getByRole("button", { name: "Create snapshot" }).click().catch(() => undefined);
    if (await page.getByRole("dialog").isVisible()) await shoot(page, "create-snapshot-dialog");

    await page.goto(`/servers/${stopped.id}`);
    await page.getByRole("table").waitFor();
    await shoot(page, "server-detail");
    await page.getByRole("button", { name: /^Restore / }).first().click();
    await page.getByLabel(/Type the server name/).fill(stopped.name.toUpperCase());
    await shoot(page, "restore-dialog");

    await page.goto("/settings/tokens");
    await page.getByLabel("Name").fill("backup-cron");
    await page.getByLabel("Read & write").check();
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByRole("dialog").waitFor();
    await shoot(page, "api-tokens");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/servers");
    await page.getByRole("table").waitFor();
    await shoot(page, "servers-phone");
    await page.goto(`/servers/${stopped.id}`);
    await page.getByRole("table").waitFor();
    await shoot(page, "server-detail-phone");
  } finally {
    await browser.close();
    if (started?.child.pid) process.kill(-started.child.pid, "SIGTERM");
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

// Part 4: how chatty and how live the dashboard is. Headless Chromium signs in through
// /login, opens a server page and counts every request the page makes in a window:
//   idle             nothing in progress, tab visible (target: ≤ 2 requests/min, or the one
//                    open live stream, GET /api/live, and nothing else)
//   idle,hidden      the same, tab hidden (target: 0)
//   pickup           a snapshot started through the API, page left open: seconds until
//                    it shows on the page with its progress, without a reload (target: ≤ 2 s)
//   operation        that snapshot being taken (the worker is throttled so it outlasts the window)
//   operation,hidden the same, with the tab hidden (polling must pause)
// The reference for "operation" is one poll per query every POLL_INTERVAL_MS.
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { IDLE_REFRESH_MS, POLL_INTERVAL_MS } from "@/lib/client/polling";
import { projectEnv, seedDatabase, startSnapdeck, startWorker } from "./servers";
import { log, ROOT, run, SERVER_CONDITIONS, sleep, TSX } from "./util";

export type DashboardOptions = { workDir: string; windowSeconds: number; diskMb: number; throughputMbps: number };
type Count = { total: number; api: number; perMinute: number; apiPerMinute: number; paths: Record<string, number> };
export type DashboardResult = {
  options: DashboardOptions;
  pollIntervalMs: number;
  idleRefreshMs: number;
  idle: Count;
  idleHidden: Count;
  pickupSeconds: number;
  operation: Count;
  hidden: Count;
};

async function cli(dataDir: string, args: string[]): Promise<string> {
  const { stdout } = await run(TSX, [SERVER_CONDITIONS, path.join(ROOT, "scripts/cli.ts"), ...args], {
    cwd: ROOT,
    env: projectEnv(dataDir),
  });
  return stdout.trim().split("\n").at(-1) ?? "";
}

async function count(page: Page, seconds: number): Promise<Count> {
  const paths: Record<string, number> = {};
  const onRequest = (req: { url: () => string }) => {
    const url = new URL(req.url());
    const key = url.pathname.replace(/\/\d+(?=\/|$)/g, "/{id}");
    paths[key] = (paths[key] ?? 0) + 1;
  };
  page.on("request", onRequest);
  await sleep(seconds * 1000);
  page.off("request", onRequest);
  const total = Object.values(paths).reduce((a, b) => a + b, 0);
  const api = Object.entries(paths)
    .filter(([p]) => p.startsWith("/api/"))
    .reduce((a, [, n]) => a + n, 0);
  return { total, api, perMinute: (total * 60) / seconds, apiPerMinute: (api * 60) / seconds, paths };
}

async function setHidden(page: Page, hidden: boolean): Promise<void> {
  // Headless Chromium never hides a tab by itself; this is what a tab switch looks like to the page.
  // A string, not a function: tsx's name-keeping helpers do not exist inside the page.
  await page.evaluate(`(() => {
    const h = ${hidden};
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  })()`);
}

export async function runDashboardPart(o: DashboardOptions): Promise<DashboardResult> {
  const seeded = await seedDatabase(path.join(o.workDir, "dashboard"), 0, 0);
  const serverId = Number(
    await cli(seeded.dataDir, [
      "server",
      "create",
      "--owner",
      seeded.email,
      "--name",
      "bench-web-01",
      "--disk-mb",
      String(o.diskMb),
    ]),
  );
  const writeToken = await cli(seeded.dataDir, [
    "token",
    "create",
    "--email",
    seeded.email,
    "--name",
    "bench-write",
    "--scope",
    "write",
  ]);
  const app = await startSnapdeck(seeded.dataDir);
  const worker = startWorker(seeded.dataDir, { SNAPDECK_DISK_THROUGHPUT_MBPS: String(o.throughputMbps) });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${app.url}/login`);
    await page.getByLabel("Email").fill(seeded.email);
    await page.getByLabel("Password").fill(seeded.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 30_000 });
    // Not "networkidle": the live stream stays open for good.
    await page.goto(`${app.url}/servers/${serverId}`);
    await page.locator("html[data-live=open]").waitFor({ state: "attached", timeout: 30_000 });
    await sleep(2_000);
    log(`dashboard: idle server page for ${o.windowSeconds}s`);
    const idle = await count(page, o.windowSeconds);
    await setHidden(page, true);
    log(`dashboard: idle server page, tab hidden, for ${o.windowSeconds}s`);
    const idleHidden = await count(page, o.windowSeconds);
    await setHidden(page, false);
    // Becoming visible reopens the stream and refetches at once; let that settle first.
    await page.locator("html[data-live=open]").waitFor({ state: "attached", timeout: 30_000 });
    await sleep(2_000);

    const started = performance.now();
    const res = await fetch(`${app.url}/api/v1/snapshots/`, {
      method: "POST",
      headers: { authorization: `Bearer ${writeToken}`, "content-type": "application/json" },
      body: JSON.stringify({ server_id: serverId, name: "bench-running", description: "dashboard benchmark" }),
    });
    if (res.status !== 201) throw new Error(`could not start a snapshot: ${res.status} ${await res.text()}`);
    // No reload: the open page must notice work started elsewhere by itself.
    await page
      .getByRole("row", { name: /bench-running/ })
      .getByTestId("snapshot-status")
      .filter({ hasText: /In progress · \d+%/ })
      .waitFor({ timeout: 2 * IDLE_REFRESH_MS });
    const pickupSeconds = (performance.now() - started) / 1000;
    log(`dashboard: the API-started snapshot showed with its progress after ${pickupSeconds.toFixed(1)}s`);
    log(`dashboard: server page during a running snapshot for ${o.windowSeconds}s`);
    const operation = await count(page, o.windowSeconds);
    await setHidden(page, true);
    await sleep(1_000);
    log(`dashboard: same, tab hidden, for ${o.windowSeconds}s`);
    const hidden = await count(page, o.windowSeconds);
    const still = await fetch(`${app.url}/api/v1/servers/${serverId}/`, { headers: { authorization: `Bearer ${writeToken}` } });
    const server = (await still.json()) as { operation: unknown };
    if (!server.operation)
      log("warning: the operation finished before the measurement did; raise the disk size or lower the throughput");
    return {
      options: o,
      pollIntervalMs: POLL_INTERVAL_MS,
      idleRefreshMs: IDLE_REFRESH_MS,
      idle,
      idleHidden,
      pickupSeconds,
      operation,
      hidden,
    };
  } finally {
    await browser.close();
    await worker.stop();
    await app.stop();
  }
}

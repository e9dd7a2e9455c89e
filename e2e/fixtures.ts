// Shared helpers for the browser specs: signing in, making throwaway servers through the
// operator CLI (so specs never fight over the demo servers), and driving the API directly
// for setup that is not what a spec is about.
import { execFileSync } from "node:child_process";
import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const DEMO = { email: "demo@snapdeck.local", password: "snapdeck-demo" } as const;

export type ApiServer = { id: number; name: string; status: string; operation: unknown; snapshot_count: number };
export type ApiSnapshot = { id: number; name: string; status: string };

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export async function signIn(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/servers");
}

/**
 * The operator CLI against the suite's DATA_DIR, as `npm run cli --` runs it, without npm's
 * wrapper process; its stdout.
 */
export function cli(...args: string[]): string {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error("E2E_DATA_DIR is not set; run the specs through playwright.config.ts");
  return execFileSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/cli.ts", ...args], {
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    encoding: "utf8",
  });
}

/** A fresh server owned by the demo user, made with `cli server create --wait` (returns once the agent made its disk). */
export function createServer(name: string, status: "active" | "stopped" | "suspended" = "stopped", diskMb = 16): number {
  const out = cli(
    "server",
    "create",
    "--owner",
    DEMO.email,
    "--name",
    name,
    "--status",
    status,
    "--disk-mb",
    String(diskMb),
    "--wait",
  );
  const id = Number(out.trim().split("\n").pop());
  if (!Number.isInteger(id) || id <= 0) throw new Error(`server create printed no id:\n${out}`);
  return id;
}

export async function getServer(request: APIRequestContext, id: number): Promise<ApiServer> {
  const res = await request.get(`/api/v1/servers/${id}/`);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as ApiServer;
}

/** Creates a snapshot through the API (with the page's session) and waits for it to complete. */
export async function createCompletedSnapshot(request: APIRequestContext, serverId: number, name: string): Promise<ApiSnapshot> {
  const res = await request.post("/api/v1/snapshots/", { data: { server_id: serverId, name } });
  expect(res.status(), await res.text()).toBe(201);
  const created = (await res.json()) as ApiSnapshot;
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/snapshots/${created.id}/`)).json()) as ApiSnapshot).status, {
      timeout: 60_000,
    })
    .toBe("completed");
  // The server's operation is released right after the snapshot row completes.
  await expect.poll(async () => (await getServer(request, serverId)).operation, { timeout: 30_000 }).toBeNull();
  return created;
}

/** Records every request the page makes to the REST API from now on, as "GET /api/v1/…" (path and query). */
export function recordApiRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith("/api/")) seen.push(`${req.method()} ${url.pathname}${url.search}`);
  });
  return seen;
}

/** What a tab switch looks like to the page (headless Chromium never hides a tab itself). */
export async function setTabHidden(page: Page, hidden: boolean) {
  await page.evaluate((h) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    // Real visibilitychange events bubble; react-query listens on window.
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }, hidden);
}

/** Starts a snapshot through the API, as a colleague or a script would, without waiting for it. */
export async function startSnapshotViaApi(request: APIRequestContext, serverId: number, name: string): Promise<ApiSnapshot> {
  const res = await request.post("/api/v1/snapshots/", { data: { server_id: serverId, name } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as ApiSnapshot;
}

/** Marks the document; if the page reloads, the mark is gone. */
export async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { __e2eMark: boolean }).__e2eMark = true));
}

export async function expectSameDocument(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __e2eMark?: boolean }).__e2eMark)).toBe(true);
}

/** axe on what the page shows now: no serious or critical violations. */
export async function expectNoSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe violations on ${what}`,
  ).toEqual([]);
}

// Each state is checked in both themes: the page switches prefers-color-scheme between
// the two scans (one walk through the states instead of one per theme).
export async function expectBothThemesClean(page: Page, what: string) {
  for (const colorScheme of ["dark", "light"] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches)).toBe(colorScheme === "dark");
    await expectNoSeriousViolations(page, `${what} (${colorScheme})`);
  }
}

// Browser tests run Debian's Chromium against the production build, started the way a
// user starts Snapdeck (`npm start`) on a throwaway DATA_DIR with demo data.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  throw new Error(
    `Chromium not found at ${chromium}. Install it with \`apt-get install -y chromium\` ` +
      "(or set CHROMIUM_PATH to a Chromium/Chrome binary). Playwright's own browser download does not work offline.",
  );
}

const port = Number(process.env.E2E_PORT ?? 3100);
// Reuse the directory across Playwright's config reloads (workers re-import this file).
process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "snapdeck-e2e-"));
export const e2eDataDir = process.env.E2E_DATA_DIR;
// SNAPDECK_TEST_DB=postgres: the same specs on a new PostgreSQL database (created once;
// the CLI calls of e2e/fixtures.ts inherit DATABASE_URL from here).
const db = process.env.SNAPDECK_TEST_DB === "postgres" ? "postgres" : "sqlite";
if (db === "postgres") {
  process.env.E2E_DATABASE_URL ??= execFileSync("node_modules/.bin/tsx", ["tests/helpers/postgres.ts", "create", "e2e"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  process.env.DATABASE_URL = process.env.E2E_DATABASE_URL;
}

// Specs that change what every other spec relies on run after the rest, one at a time:
// signing out ends every session of the demo user; a failure spec makes the disks
// directory read-only.
const ALONE = /(sign-out|operation-failure)\.spec\.ts$/;
// E2E_SPECS=auth,fleet,… runs those spec files only (npm test's PostgreSQL pass). A filter
// here, not file arguments: Playwright runs a dependency project's tests unfiltered.
const only = process.env.E2E_SPECS?.split(",").map((name) => `**/${name}.spec.ts`);

export default defineConfig({
  testDir: "e2e",
  // Per database, so the two databases' passes can run at the same time (npm test).
  outputDir: `test-results/playwright-${db}`,
  // Spec files run two at a time (each file's tests in order): every spec makes its own
  // servers, so files never share state beyond the demo user.
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  // One retry; npm test lists a test that needed it as flaky at the end of its output.
  retries: 1,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [["list"], ["json", { outputFile: `test-results/playwright-${db}.json` }]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    // As an operator who asked for less motion: the pulsing status dots stand still
    // (motion-safe:), which also spares the software compositor a frame every 16 ms.
    reducedMotion: "reduce",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "chromium", testMatch: only, testIgnore: ALONE, use: { ...devices["Desktop Chrome"], channel: undefined } },
    {
      name: "alone",
      testMatch: only ? only.filter((glob) => ALONE.test(glob)) : ALONE,
      dependencies: ["chromium"],
      workers: 1,
      use: { ...devices["Desktop Chrome"], channel: undefined },
    },
  ],
  webServer: {
    command: "npm start",
    url: `http://localhost:${port}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(port),
      DATA_DIR: e2eDataDir,
      LOG_LEVEL: "warn",
      // Less demo content keeps operations short enough for a test, long enough to watch.
      SNAPDECK_DEMO_CONTENT_MB: "24",
      // 16 MB test disks then take ~4 s per snapshot or restore: long enough for the specs
      // to see "in progress" and "restoring", short enough to keep the suite quick.
      SNAPDECK_DISK_THROUGHPUT_MBPS: "4",
      // Two spec files at once each run their operations on the one agent.
      SNAPDECK_WORKER_CONCURRENCY: "4",
    },
  },
});

// npm test: typecheck, lint, production build, vitest (unit + API over HTTP), Playwright
// (browser against the production build), on SQLite and, when SNAPDECK_TEST_POSTGRES_URL
// is set, on PostgreSQL too. Runs every step even after a failure, then ends with one
// line "N passed, M failed" summed from the test reports of both databases, for CI.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { POSTGRES_HOWTO } from "../tests/helpers/postgres";

type Counts = { passed: number; failed: number; skipped: number };
// The JSON reporters' shapes, as far as they are read here.
type Report = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
};

type Db = "sqlite" | "postgres";
type Step = { name: string; cmd: string[]; db?: Db; report?: string; count?: (report: Report) => Counts };

const vitestCount = (r: Report): Counts => ({ passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests });
const playwrightCount = (r: Report): Counts => ({ passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped });

// Which databases: SNAPDECK_TEST_DB=sqlite|postgres picks one; unset, SQLite always and
// PostgreSQL too when SNAPDECK_TEST_POSTGRES_URL names a server.
const asked = process.env.SNAPDECK_TEST_DB;
const databases: Db[] = asked === "sqlite" || asked === "postgres" ? [asked] : ["sqlite"];
if (!asked && process.env.SNAPDECK_TEST_POSTGRES_URL) databases.push("postgres");
if (databases.includes("postgres") && !process.env.SNAPDECK_TEST_POSTGRES_URL) {
  console.error(POSTGRES_HOWTO);
  process.exit(1);
}

const steps: Step[] = [
  { name: "typecheck", cmd: ["npm", "run", "--silent", "typecheck"] },
  { name: "lint", cmd: ["npm", "run", "--silent", "lint"] },
  { name: "build", cmd: ["npx", "next", "build"] },
];
for (const db of databases) {
  // On PostgreSQL: the suites that touch the database through the app (API, jobs and
  // crash recovery, PostgreSQL-only tests), not the storage-driver unit tests again.
  const report = `test-results/vitest-${db}.json`;
  const files = db === "postgres" ? ["tests/api", "tests/jobs", "tests/fleet", "tests/postgres"] : [];
  steps.push({
    name: `unit and API tests (vitest, ${db})`,
    cmd: ["npx", "vitest", "run", ...files, `--outputFile.json=${report}`],
    db,
    report,
    count: vitestCount,
  });
  steps.push({ name: `browser tests (Playwright, ${db})`, cmd: ["npx", "playwright", "test"], db, report: `test-results/playwright-${db}.json`, count: playwrightCount });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
const perDb: Record<string, Counts> = {};
for (const step of steps) {
  console.log(`\n=== ${step.name}: ${step.cmd.join(" ")}`);
  if (step.report) rmSync(step.report, { force: true });
  const env = { ...process.env, FORCE_COLOR: "0", ...(step.db && { SNAPDECK_TEST_DB: step.db }) };
  const result = spawnSync(step.cmd[0], step.cmd.slice(1), { stdio: "inherit", env });
  const ok = result.status === 0;
  if (step.count && step.report && existsSync(step.report)) {
    const counts = step.count(JSON.parse(readFileSync(step.report, "utf8")));
    if (!ok && counts.failed === 0) counts.failed += 1; // the runner failed outside any test
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
    if (step.db) {
      const db = (perDb[step.db] ??= { passed: 0, failed: 0, skipped: 0 });
      db.passed += counts.passed;
      db.failed += counts.failed;
      db.skipped += counts.skipped;
    }
  } else if (!ok) {
    failed += 1;
  }
  if (!ok) failures.push(step.name);
}

console.log("");
if (failures.length) console.log(`failed steps: ${failures.join(", ")}`);
for (const [db, c] of Object.entries(perDb)) console.log(`${db}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failures.length || passed === 0 ? 1 : 0);

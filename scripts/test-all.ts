// npm test: typecheck, lint, production build, vitest (unit + API over HTTP), Playwright
// (browser against the production build). Runs every step even after a failure, then
// ends with one line "N passed, M failed" summed from the test reports, for CI.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

type Counts = { passed: number; failed: number; skipped: number };
// The JSON reporters' shapes, as far as they are read here.
type Report = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
};
type Step = { name: string; cmd: string[]; report?: string; count?: (report: Report) => Counts };

const steps: Step[] = [
  { name: "typecheck", cmd: ["npm", "run", "--silent", "typecheck"] },
  { name: "lint", cmd: ["npm", "run", "--silent", "lint"] },
  { name: "build", cmd: ["npx", "next", "build"] },
  {
    name: "unit and API tests (vitest)",
    cmd: ["npx", "vitest", "run"],
    report: "test-results/vitest.json",
    count: (r) => ({ passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests }),
  },
  {
    name: "browser tests (Playwright)",
    cmd: ["npx", "playwright", "test"],
    report: "test-results/playwright.json",
    count: (r) => ({ passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped }),
  },
];

let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
for (const step of steps) {
  console.log(`\n=== ${step.name}: ${step.cmd.join(" ")}`);
  if (step.report) rmSync(step.report, { force: true });
  const result = spawnSync(step.cmd[0], step.cmd.slice(1), { stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0" } });
  const ok = result.status === 0;
  if (step.count && step.report && existsSync(step.report)) {
    const counts = step.count(JSON.parse(readFileSync(step.report, "utf8")));
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
    if (!ok && counts.failed === 0) failed += 1; // the runner failed outside any test
  } else if (!ok) {
    failed += 1;
  }
  if (!ok) failures.push(step.name);
}

console.log("");
if (failures.length) console.log(`failed steps: ${failures.join(", ")}`);
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failures.length || passed === 0 ? 1 : 0);

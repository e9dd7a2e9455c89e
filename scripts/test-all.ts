// npm test: formatting (prettier --check), lint, typecheck, production build, vitest (unit + API over HTTP), Playwright
// (browser against the production build), on SQLite and, when SNAPDECK_TEST_POSTGRES_URL
// is set, on PostgreSQL too. Runs every step even after a failure, then ends with one
// line "N passed, M failed" summed from the test reports of both databases, for CI.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { POSTGRES_HOWTO } from "../tests/helpers/postgres";

type Counts = { passed: number; failed: number; skipped: number };
// The JSON reporters' shapes, as far as they are read here.
type PlaywrightSuite = {
  title: string;
  specs?: { title: string; ok: boolean; tests: { status: string; results: { error?: { message?: string } }[] }[] }[];
  suites?: PlaywrightSuite[];
};
type Report = {
  testResults?: { name: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
  suites?: PlaywrightSuite[];
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
};

type Db = "sqlite" | "postgres";
type Step = {
  name: string;
  cmd: string[];
  db?: Db;
  report?: string;
  count?: (report: Report) => Counts;
  /**
   * Stages run one after the other. Within a stage each lane runs its steps one after the
   * other, and the lanes run at the same time (default: every step its own lane).
   */
  stage: number;
  lane?: number;
  env?: Record<string, string>;
};

const vitestCount = (r: Report): Counts => ({
  passed: r.numPassedTests,
  failed: r.numFailedTests,
  skipped: r.numPendingTests + r.numTodoTests,
});
// The failed tests of a report, each with the first line of its error, so the end of a
// CI log says which test failed without scrolling back through it; and the flaky ones,
// which failed once and passed on their retry (vitest --retry=1, Playwright retries: 1).
const firstLine = (message = "") =>
  message
    .replace(/\x1b\[[0-9;]*m/g, "")
    .trim()
    .split("\n")[0]
    .slice(0, 300);
function testOutcomes(r: Report): { failed: string[]; flaky: string[] } {
  const failed: string[] = [];
  const flaky: string[] = [];
  for (const file of r.testResults ?? [])
    for (const t of file.assertionResults) {
      const line = `${file.name.replace(process.cwd() + "/", "")} › ${t.fullName}: ${firstLine(t.failureMessages[0])}`;
      if (t.status === "failed") failed.push(line);
      else if (t.status === "passed" && t.failureMessages.length) flaky.push(line);
    }
  const walk = (suite: PlaywrightSuite, path: string[]) => {
    for (const spec of suite.specs ?? []) {
      const error = spec.tests.flatMap((t) => t.results).find((res) => res.error)?.error;
      const line = `${[...path, spec.title].join(" › ")}: ${firstLine(error?.message)}`;
      if (!spec.ok) failed.push(line);
      else if (spec.tests.some((t) => t.status === "flaky")) flaky.push(line);
    }
    for (const child of suite.suites ?? []) walk(child, [...path, child.title]);
  };
  for (const suite of r.suites ?? []) walk(suite, [suite.title]);
  return { failed, flaky };
}
const playwrightCount = (r: Report): Counts => ({
  passed: r.stats.expected + r.stats.flaky,
  failed: r.stats.unexpected,
  skipped: r.stats.skipped,
});

// npm run test:quick (--quick): the vitest files that need no root, PostgreSQL, Chromium or
// qemu-img, on SQLite, after a production build when this tree has none (the API tests
// serve it). Otherwise: which databases. SNAPDECK_TEST_DB=sqlite|postgres picks one;
// unset, SQLite always and PostgreSQL too when SNAPDECK_TEST_POSTGRES_URL names a server.
const quick = process.argv.includes("--quick");
const asked = process.env.SNAPDECK_TEST_DB;
const databases: Db[] = asked === "sqlite" || asked === "postgres" ? [asked] : ["sqlite"];
if (!quick && !asked && process.env.SNAPDECK_TEST_POSTGRES_URL) databases.push("postgres");
if (databases.includes("postgres") && !process.env.SNAPDECK_TEST_POSTGRES_URL) {
  console.error(POSTGRES_HOWTO);
  process.exit(1);
}

// SNAPDECK_TEST_REUSE_BUILD=1: the caller has just made the production build from this
// tree (.ci/run does, for the benchmark smoke), so it is not made a second time.
const reuseBuild = process.env.SNAPDECK_TEST_REUSE_BUILD === "1" && existsSync(".next/BUILD_ID");
// The checks run side by side (each is one process on one core), then the build.
const steps: Step[] = [
  ...(quick
    ? []
    : [
        { name: "format", cmd: ["npx", "prettier", "--check", "--log-level=warn", "."], stage: 0 },
        { name: "lint", cmd: ["npm", "run", "--silent", "lint"], stage: 0 },
        { name: "typecheck", cmd: ["npm", "run", "--silent", "typecheck"], stage: 0 },
      ]),
  ...(reuseBuild ? [] : [{ name: "build", cmd: ["npx", "next", "build"], stage: 1 }]),
];
// On PostgreSQL the vitest suites that touch the database through the app (API, jobs and
// crash recovery, the fleet, PostgreSQL-only tests), not the storage-driver unit tests, and
// not the files whose subject is the same code whatever the database (wrong methods,
// malformed input, failure messages).
const SQLITE_ONLY = ["tests/api/methods.test.ts", "tests/api/malformed.test.ts", "tests/jobs/failures.test.ts"];
// On PostgreSQL the browser flows that go through the agents and the sessions end to end:
// a restore, a schedule with its safety snapshot and Undo, sign-out ending a session. What
// the other specs reach in the database (throttle, tokens, labels, activity, hosts) is
// covered on PostgreSQL by the API suites; the pages themselves are the same on both.
const POSTGRES_BROWSER_SPECS = ["schedules", "sign-out", "snapshot-restore", "live"];
// The suites: with both databases, two lanes side by side with no barrier between them:
// vitest on SQLite then on PostgreSQL (busy on both cores), and Playwright on PostgreSQL
// (short) then on SQLite (mostly waiting on the browser and on operations), so whichever
// lane finishes a step goes on at once instead of waiting for the other. With one
// database, one suite after the other.
const order = databases.length === 2 ? { vitest: databases, playwright: [...databases].reverse() } : null;
for (const db of databases) {
  const report = `test-results/vitest-${db}.json`;
  const files = db === "postgres" ? ["tests/api", "tests/jobs", "tests/fleet", "tests/postgres"] : [];
  const excluded = db === "postgres" ? SQLITE_ONLY.flatMap((file) => ["--exclude", file]) : [];
  steps.push({
    name: `vitest (${db}${quick ? ", quick" : ""})`,
    cmd: ["npx", "vitest", "run", "--retry=1", ...files, ...excluded, `--outputFile.json=${report}`],
    db,
    report,
    count: vitestCount,
    stage: order ? 2 : 2 + 2 * databases.indexOf(db),
    lane: 0,
  });
  if (quick) continue;
  steps.push({
    name: `Playwright (${db})`,
    cmd: ["npx", "playwright", "test"],
    db,
    report: `test-results/playwright-${db}.json`,
    count: playwrightCount,
    stage: order ? 2 : 3 + 2 * databases.indexOf(db),
    lane: 1,
    env: {
      E2E_PORT: String(3100 + databases.indexOf(db)),
      ...(db === "postgres" && { E2E_SPECS: POSTGRES_BROWSER_SPECS.join(",") }),
    },
  });
}
// Within a lane, steps run in the order of `order` (Playwright: PostgreSQL first).
if (order)
  steps.sort(
    (a, b) =>
      a.stage - b.stage ||
      (a.lane ?? 0) - (b.lane ?? 0) ||
      (a.lane === 1 ? order.playwright : order.vitest).indexOf(a.db!) -
        (a.lane === 1 ? order.playwright : order.vitest).indexOf(b.db!),
  );

let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
const failedTestLines: string[] = [];
const flakyTestLines: string[] = [];
const perDb: Record<string, Counts> = {};
const durations: string[] = [];
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0).padStart(5)} s`;
const started = performance.now();
/** Runs a step; its output goes to the terminal, or with `logFile` there, to be printed after. */
function runStep(step: Step, logFile?: string): Promise<boolean> {
  if (step.report) rmSync(step.report, { force: true });
  const env = {
    ...process.env,
    FORCE_COLOR: "0",
    ...(step.db && { SNAPDECK_TEST_DB: step.db }),
    ...(quick && { SNAPDECK_TEST_QUICK: "1" }),
    ...step.env,
  };
  const out = logFile ? openSync(logFile, "w") : "inherit";
  const child = spawn(step.cmd[0]!, step.cmd.slice(1), { stdio: ["ignore", out, out], env });
  return new Promise((resolve) =>
    child.on("close", (code) => {
      if (typeof out === "number") closeSync(out);
      resolve(code === 0);
    }),
  );
}

function record(step: Step, ok: boolean, stepStarted: number) {
  if (step.count && step.report && existsSync(step.report)) {
    const report = JSON.parse(readFileSync(step.report, "utf8")) as Report;
    const counts = step.count(report);
    const outcomes = testOutcomes(report);
    failedTestLines.push(...outcomes.failed.map((line) => `  [${step.db}] ${line}`));
    flakyTestLines.push(...outcomes.flaky.map((line) => `  [${step.db}] ${line}`));
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
  durations.push(`${seconds(stepStarted)}  ${step.name}${ok ? "" : " (failed)"}`);
  console.log(`=== ${step.name}: ${ok ? "ok" : "FAILED"} in ${seconds(stepStarted).trim()}`);
}

// Every step runs, even after a failure. In a stage of several lanes, the first lane's
// output is shown as it comes and each other step's once it has ended, as a whole.
async function main() {
  mkdirSync("test-results", { recursive: true });
  for (const stage of [...new Set(steps.map((s) => s.stage))].sort((a, b) => a - b)) {
    const group = steps.filter((s) => s.stage === stage);
    const lanes = new Map<number, Step[]>();
    group.forEach((step, i) => lanes.set(step.lane ?? i, [...(lanes.get(step.lane ?? i) ?? []), step]));
    const [first] = [...lanes.keys()];
    await Promise.all(
      [...lanes].map(async ([lane, laneSteps]) => {
        for (const step of laneSteps) {
          const logFile = lane === first ? undefined : `test-results/${step.name.replace(/\W+/g, "-")}.log`;
          console.log(
            `\n=== ${step.name}: ${step.cmd.join(" ")}${logFile ? " (alongside; its output follows when it ends)" : ""}`,
          );
          const stepStarted = performance.now();
          const ok = await runStep(step, logFile);
          if (logFile) console.log(`\n=== ${step.name}: output\n${readFileSync(logFile, "utf8")}`);
          record(step, ok, stepStarted);
        }
      }),
    );
  }

  // Each step's time, so the next slowdown names itself.
  console.log(`\nstep durations:\n${durations.map((d) => `  ${d}`).join("\n")}\n${seconds(started)}  npm test in all`);
  console.log("");
  if (failures.length) console.log(`failed steps: ${failures.join(", ")}`);
  if (flakyTestLines.length) console.log(`flaky tests (failed, then passed on retry):\n${flakyTestLines.join("\n")}`);
  if (failedTestLines.length) console.log(`failed tests:\n${failedTestLines.join("\n")}`);
  for (const [db, c] of Object.entries(perDb)) console.log(`${db}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  if (skipped) console.log(`${skipped} skipped`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failures.length || passed === 0 ? 1 : 0);
}

void main();

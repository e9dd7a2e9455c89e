import { randomBytes } from "node:crypto";
import path from "node:path";
import { defineConfig } from "vitest/config";

// SNAPDECK_TEST_DB=postgres: every file gets a PostgreSQL database (tests/setup.ts) named
// after this run, so tests/global-setup.ts can drop them all at the end.
const postgres = process.env.SNAPDECK_TEST_DB === "postgres";
// npm run test:quick: only what runs on any laptop (no root, PostgreSQL or qemu-img).
const quick = process.env.SNAPDECK_TEST_QUICK === "1";
// The load test (12 s of load by design) is left to npm test as well.
const NEEDS_MORE = [
  "tests/postgres/**",
  "tests/faults/**",
  "tests/disks/qemu-*.test.ts",
  "tests/api/write-load.test.ts",
  "tests/vm/**",
  "tests/s3/**",
];
process.env.SNAPDECK_TEST_RUN ??= randomBytes(3).toString("hex");

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      // lib/server, lib/jobs, lib/disks and lib/api start with `import "server-only"`, which
      // throws outside the react-server condition; tests run server code, so it is the empty module
      // here (what the react-server condition picks, and what next/jest does).
      "server-only": path.resolve(__dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    // PostgreSQL-only tests (e.g. two instances, restarting the server) run in the
    // PostgreSQL pass only.
    // Real guests (tests/vm) run once, in the SQLite pass: what they test is below the database.
    exclude: quick ? NEEDS_MORE : postgres ? ["tests/vm/**"] : ["tests/postgres/**"],
    setupFiles: ["tests/setup.ts"],
    globalSetup: ["tests/global-setup.ts"],
    pool: "forks",
    // Two files at a time: most of a file's time is spent waiting on the servers, agents
    // and CLI processes it starts, and two keep both cores of a CI machine busy.
    // test:quick runs three: alone, its files wait more than they compute.
    maxWorkers: Number(process.env.SNAPDECK_TEST_WORKERS ?? (quick ? 3 : 2)),
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});

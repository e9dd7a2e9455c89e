// `npm run bench [-- --quick] [-- --only api,dataplane,dashboard,guests] [-- --profile] [-- --keep]`
// Runs against the existing production build (it builds nothing) and writes
// docs/benchmarks.md and docs/benchmarks.json. See docs/benchmarks.md for the method.
// With SNAPDECK_BENCH_POSTGRES_URL (or SNAPDECK_TEST_POSTGRES_URL) set to an admin URL of a
// PostgreSQL server, the API part also runs on PostgreSQL, in throwaway databases.
//   --quick    small sizes and few rounds (a few minutes on 2 cores)
//   --smoke    tiny sizes, one short round, SQLite only, no dashboard part (it waits for the
//              real 30 s idle refresh) and no guests part (it boots VMs): that the API and data-plane benchmarks still run and
//              the three servers still answer the same JSON (.ci/run; well under a minute;
//              tests/postgres/bench-baseline.test.ts checks that JSON on PostgreSQL)
//   --only     run some parts only
//   --profile  after the API rounds, load each Snapdeck endpoint alone on a `node --cpu-prof`
//              server, and profile the data plane's last round; report where the time goes
//   --keep     keep the temporary DATA_DIRs
//   --out DIR  where to write the report; default docs/ for a full run of every part and
//              bench/results/ (git-ignored) otherwise, so a smoke never overwrites docs/
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { runApiPart } from "./api-part";
import { runDataplanePart } from "./dataplane-part";
import { runDashboardPart } from "./dashboard-part";
import { runGuestsPart } from "./guests-part";
import { benchPostgresUrl, POSTGRES_BENCH_HOWTO } from "./postgres";
import { writeReport, type Machine, type Report } from "./report";
import { snapshotBuild } from "./servers";
import { cleanups, live, log, ROOT } from "./util";

const PARTS = ["api", "dataplane", "dashboard", "guests"] as const;
type Part = (typeof PARTS)[number];

function machine(): Machine {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.versions.node,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    commit: git(["rev-parse", "HEAD"]) || "unknown",
    dirty: git(["status", "--porcelain", "--untracked-files=no"]) !== "",
  };
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      smoke: { type: "boolean", default: false },
      only: { type: "string" },
      profile: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  const smoke = args.smoke!;
  const quick = args.quick! || smoke;
  // Sizes of a full run, a quick one and a smoke.
  const size = <T>(full: T, quickSize: T, smokeSize: T) => (smoke ? smokeSize : quick ? quickSize : full);
  const parts = new Set<Part>(args.only ? (args.only.split(",") as Part[]) : smoke ? ["api", "dataplane"] : PARTS);
  for (const p of parts) if (!PARTS.includes(p)) throw new Error(`unknown part "${p}" (parts: ${PARTS.join(", ")})`);

  if (!existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
    console.error("No production build found (.next/BUILD_ID): run `npm run build` first.");
    process.exit(1);
  }
  const workDir = mkdtempSync(path.join(os.tmpdir(), "snapdeck-bench-"));
  snapshotBuild(workDir);
  const profileDir = args.profile ? path.join(workDir, "profiles") : undefined;
  const started = performance.now();
  const report: Report = { mode: quick ? "quick" : "full", machine: machine(), seconds: 0, errors: {} };
  log(`${report.mode} run, parts: ${[...parts].join(", ")}, work dir ${workDir}`);

  const attempt = async (part: Part, fn: () => Promise<void>) => {
    if (!parts.has(part)) return;
    const t = performance.now();
    try {
      await fn();
      log(`${part} done in ${((performance.now() - t) / 1000).toFixed(0)}s`);
    } catch (err) {
      report.errors[part] = (err as Error).stack ?? String(err);
      log(`${part} FAILED: ${report.errors[part]}`);
    }
  };
  await attempt("api", async () => {
    // Each request kind runs three ways (Snapdeck, the same-framework floor, the bare server).
    const timing = { rounds: size(3, 2, 1), seconds: size(8, 3, 1), warmupSeconds: size(3, 2, 0) };
    const pgUrl = smoke ? undefined : benchPostgresUrl();
    // A quick run keeps PostgreSQL to the small data set (list and detail): well under a minute.
    const postgres = pgUrl ? { adminUrl: pgUrl, large: !quick, timing } : undefined;
    if (!pgUrl && !smoke) log(`API on PostgreSQL not run: ${POSTGRES_BENCH_HOWTO}`);
    report.api = await runApiPart({
      workDir,
      servers: size(1_000, 1_000, 50),
      smallSnapshots: size(5_000, 5_000, 500),
      largeSnapshots: size(100_000, 20_000, 1_000),
      ...timing,
      connections: size(32, 32, 8),
      profileDir,
      postgres,
    });
  });
  await attempt("dataplane", async () => {
    report.dataplane = await runDataplanePart({
      workDir,
      diskMb: size(2_048, 256, 32),
      contentMb: size(400, 48, 8),
      rounds: size(3, 1, 1),
      changeFraction: 0.01,
      profileDir,
    });
  });
  await attempt("dashboard", async () => {
    report.dashboard = await runDashboardPart({
      workDir,
      windowSeconds: size(60, 10, 3),
      diskMb: size(2_048, 384, 64),
      throughputMbps: size(8, 10, 32),
    });
  });
  await attempt("guests", async () => {
    // Real libvirt/QEMU guests (TCG); skipped, with the reason, where libvirt cannot run them.
    report.guests = await runGuestsPart({
      diskMb: size(1_024, 512, 256),
      contentMb: size(256, 96, 16),
      rounds: size(3, 1, 1),
      runSeconds: size(10, 10, 10),
      agentRunSeconds: size(5, 4, 3),
    });
    if ("skipped" in report.guests) log(`guests skipped: ${report.guests.skipped}`);
  });
  report.seconds = (performance.now() - started) / 1000;
  const complete = !quick && parts.size === PARTS.length;
  const outDir = args.out ? path.resolve(args.out) : path.join(ROOT, complete ? "docs" : "bench/results");
  const written = await writeReport(report, outDir);
  log(`wrote ${written}/benchmarks.md and benchmarks.json in ${report.seconds.toFixed(0)}s`);
  for (const [key, text] of Object.entries({ ...report.api?.profiles, ...report.dataplane?.profiles }))
    process.stderr.write(`\n== ${key}\n${text}\n`);
  if (args.keep) log(`kept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  if (Object.keys(report.errors).length) process.exit(1);
}

async function stopAll(code: number) {
  await Promise.all([...[...live].map((r) => r.stop()), ...[...cleanups].map((undo) => undo())]);
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(130));
process.on("SIGTERM", () => void stopAll(143));

main().catch(async (err) => {
  console.error(err);
  await stopAll(1);
});

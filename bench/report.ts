// Writes docs/benchmarks.md (tables) and docs/benchmarks.json (every sample).
import { promises as fs } from "node:fs";
import path from "node:path";
import type { ApiResult, ApiRow } from "./api-part";
import type { DataplaneResult } from "./dataplane-part";
import type { DashboardResult } from "./dashboard-part";
import type { GuestsOutcome, GuestsResult } from "./guests-part";
import { ratio, ROOT, stat, type Stat } from "./util";

export type Machine = {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  commit: string;
  dirty: boolean;
};
export type Report = {
  mode: "full" | "quick";
  machine: Machine;
  seconds: number;
  api?: ApiResult;
  dataplane?: DataplaneResult;
  dashboard?: DashboardResult;
  guests?: GuestsOutcome;
  errors: Record<string, string>;
};

const n = (x: number, digits = 0) =>
  Number.isFinite(x) ? x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "–";
const cell = (s: Stat, digits = 0) =>
  !Number.isFinite(s.median)
    ? "–"
    : s.runs.length > 1
      ? `${n(s.median, digits)} (${n(s.min, digits)}–${n(s.max, digits)})`
      : n(s.median, digits);
const x = (s: Stat) => `**${n(s.median, 2)}×**` + (s.runs.length > 1 ? ` (${n(s.min, 2)}–${n(s.max, 2)})` : "");

function apiRowLine(r: ApiRow, database: string): string {
  const label = r.name.startsWith("list")
    ? `GET /api/v1/snapshots/?page_size=50 (${r.name.split("-")[1]})`
    : `GET /api/v1/snapshots/{id}/ (${r.name.split("-")[1]})`;
  return (
    `| ${label} | ${database} | ${cell(r.snapdeck.rps)} | ${cell(r.floor.rps)} | ${cell(r.baseline.rps)} | ${x(r.floorRatio.rps)} | ${x(r.ratio.rps)} | ` +
    `${cell(r.snapdeck.p50)} | ${cell(r.snapdeck.p99)} | ${cell(r.floor.p99)} | ${cell(r.baseline.p99)} | ${r.sameJson ? "yes" : "**no**"} |`
  );
}

/** One line per request measured on both databases: each database's ratios and req/s, next to each other. */
function sideBySide(sqlite: ApiRow[], postgres: ApiRow[]): string[] {
  const lines = [
    "| request | Snapdeck ÷ floor req/s, SQLite / PostgreSQL | Snapdeck ÷ bare req/s, SQLite / PostgreSQL | Snapdeck req/s SQLite / PostgreSQL | floor req/s SQLite / PostgreSQL | Snapdeck p99 ms SQLite / PostgreSQL |",
    "|---|---|---|---|---|---|",
  ];
  for (const p of postgres) {
    const q = sqlite.find((r) => r.name === p.name);
    if (!q) continue;
    lines.push(
      `| ${p.name} | ${x(q.floorRatio.rps)} / ${x(p.floorRatio.rps)} | ${x(q.ratio.rps)} / ${x(p.ratio.rps)} | ${n(q.snapdeck.rps.median)} / ${n(p.snapdeck.rps.median)} | ` +
        `${n(q.floor.rps.median)} / ${n(p.floor.rps.median)} | ${n(q.snapdeck.p99.median)} / ${n(p.snapdeck.p99.median)} |`,
    );
  }
  return lines;
}

function apiSection(api: ApiResult): string[] {
  const o = api.options;
  const pg = "rows" in api.postgres ? api.postgres : null;
  const skipped = "skipped" in api.postgres ? api.postgres.skipped : null;
  const lines = [
    `## 1. API: Snapdeck vs the same-framework floor and a bare node:http server, on the same database, SQLite and PostgreSQL`,
    "",
    `${n(o.servers)} servers, ${n(o.smallSnapshots)} snapshots (the benchmark user, a member, owns 90% of the servers), ` +
      `${o.connections} connections, autocannon, ${o.rounds} rounds of ${o.seconds}s per target after a ${o.warmupSeconds}s warm-up, ` +
      `targets alternated within each round. Two references answer the same JSON from the same raw queries ` +
      `(lib/api/bench-baseline.ts: better-sqlite3 on SQLite, pg on PostgreSQL): the **floor** is a route inside Snapdeck's own ` +
      `Next.js server (\`app/api/floor\`, on only for the benchmark), what any route of this framework costs with those queries; ` +
      `**bare** is a node:http server with no framework. Cells: median (min–max) over rounds; ratios are Snapdeck ÷ reference ` +
      `(req/s: higher is better for Snapdeck). Each database is measured in rounds of its own, one after the other.`,
    "",
  ];
  if (pg) lines.push(...sideBySide(api.rows, pg.rows), "");
  else lines.push(`**PostgreSQL: ${skipped}.**`, "");
  lines.push(
    "| request | database | Snapdeck req/s | floor req/s | bare req/s | ÷ floor | ÷ bare | Snapdeck p50 ms | Snapdeck p99 ms | floor p99 ms | bare p99 ms | same JSON |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...api.rows.map((r) => apiRowLine(r, "SQLite")),
    ...(pg?.rows ?? []).map((r) => apiRowLine(r, "PostgreSQL")),
  );
  if (pg && !pg.large)
    lines.push(
      "",
      `PostgreSQL ran on the ${n(o.smallSnapshots)}-snapshot data set only (a quick run), so it has no scale rows below.`,
    );
  const bad = [...api.rows, ...(pg?.rows ?? [])].filter((r) =>
    [r.snapdeck, r.floor, r.baseline].some((t) => t.errors + t.non2xx > 0),
  );
  for (const r of bad)
    lines.push(
      "",
      `⚠ ${r.name}: Snapdeck ${r.snapdeck.errors} errors / ${r.snapdeck.non2xx} non-2xx, floor ${r.floor.errors} / ${r.floor.non2xx}, bare ${r.baseline.errors} / ${r.baseline.non2xx} ` +
        "(errors are timeouts or connections cut when a window ends with requests still in flight).",
    );
  lines.push(
    "",
    `## 2. Scale: the same list with ${n(o.largeSnapshots)} snapshots, relative to ${n(o.smallSnapshots)}`,
    "",
    "Same servers and users, a second database measured in the same rounds. A list that costs per page stays near 1×.",
    "",
    "| server | p50 large ÷ small | p99 large ÷ small | req/s large ÷ small |",
    "|---|---|---|---|",
    ...api.scale.map((s) => `| ${s.name} (SQLite) | ${x(s.p50)} | ${x(s.p99)} | ${x(s.rps)} |`),
    ...(pg?.scale ?? []).map((s) => `| ${s.name} (PostgreSQL) | ${x(s.p50)} | ${x(s.p99)} | ${x(s.rps)} |`),
  );
  if (api.profiles) {
    lines.push("", "### Where Snapdeck's time goes (`--profile`: each endpoint alone under `node --cpu-prof`, self time)", "");
    for (const [key, text] of Object.entries(api.profiles)) lines.push(`**${key}**`, "", "```", text, "```", "");
  }
  return lines;
}

function dataplaneSection(d: DataplaneResult): string[] {
  const o = d.options;
  const lines = [
    `## 3. Data plane: the local driver vs standard tools on the same disk`,
    "",
    `A ${n(o.diskMb)} MiB sparse raw disk with ${n(d.allocatedMb)} MiB allocated (the project's demo content: log text, random bytes, ` +
      `repeated patterns, written zeros, plus a slice of the node binary), ${o.rounds} round(s). The second snapshot follows a change ` +
      `of ${n(d.changedMb, 1)} MiB (${n(o.changeFraction * 100)}% of the data, 64 KiB pieces at random places); Snapdeck stores only ` +
      `new chunks, the tools compress the whole disk again. Snapdeck reads only the ranges \`qemu-img map\` reports as data (SEEK_DATA, as ` +
      `\`cp --sparse\` does); zstd and gzip read every byte. MiB/s is over the disk's logical size. Peak RSS is the whole child ` +
      `process (Snapdeck: node + tsx + the driver; "floor" is its RSS before the work starts). Every tool's output is fsynced before its clock stops, as Snapdeck's is. Speed ratio = tool seconds ÷ ` +
      `Snapdeck seconds (above 1×: Snapdeck is faster). Restore verified byte for byte: ${d.restoreVerified ? "yes" : "**NO**"}.`,
    "",
    "| step | tool | seconds | MiB/s | stored MiB | peak RSS MB | Snapdeck speed ÷ tool |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of d.rows) {
    const mine = d.samples[`${r.step}:snapdeck`]!.map((m) => m.seconds);
    const theirs = d.samples[`${r.step}:${r.tool}`]!.map((m) => m.seconds);
    const speed = r.tool.startsWith("snapdeck") ? "–" : x(ratio(theirs, mine));
    const rss = cell(r.rssMb) + (r.floorRssMb ? ` (floor ${n(r.floorRssMb.median)})` : "");
    lines.push(
      `| ${r.step} | ${r.tool} | ${cell(r.seconds, 2)} | ${cell(r.mbPerSec)} | ${cell(r.storedMb, 1)} | ${rss} | ${speed} |`,
    );
  }
  if (d.qemuSecondReadMb !== undefined)
    lines.push(
      "",
      `\`snapdeck qemu\`: the qemu driver on the same content as a qcow2 image, the same change written through \`qemu-io\`; ` +
        `its second snapshot read ${n(d.qemuSecondReadMb, 1)} MiB of the disk (the clusters its dirty bitmap marks) and stores an overlay of the first. ` +
        `Its peak RSS is the node process alone (the qemu-img, qemu-nbd and qemu-io it runs are not counted).`,
    );
  else lines.push("", "The qemu driver rows did not run (no qemu-utils).");
  const s3 = (step: string) => d.samples[`${step}:snapdeck s3`] ?? [];
  if (s3("restore").length) {
    const requests = (step: string) => cell(stat(s3(step).map((m) => m.requests ?? NaN)));
    const seconds = (key: string) => (d.samples[key] ?? []).map((m) => m.seconds);
    lines.push(
      "",
      `\`snapdeck s3\`: the same driver with its snapshot store on S3 (\`SNAPDECK_STORE_URL=s3://…\`): a one-host Ceph ` +
        "cluster's RADOS Gateway on loopback (scripts/s3/ceph.sh: one OSD on memstore, sharing the cores with the benchmark), " +
        "a disk copy, database and bucket prefix of its own per round. S3 requests per snapshot: " +
        `first ${requests("first")}, second ${requests("second")}, restore ${requests("restore")}. ` +
        `Restore from S3 at ${x(ratio(seconds("restore:snapdeck"), seconds("restore:snapdeck s3")))} the filesystem store's speed.`,
    );
  } else lines.push("", `The S3 store rows did not run (${d.s3Skipped ?? "no radosgw"}).`);
  if (d.profiles) {
    lines.push(
      "",
      "### Where the data plane's main thread goes (`--profile`, last round; Brotli itself runs on libuv threads)",
      "",
    );
    for (const [key, text] of Object.entries(d.profiles)) lines.push(`**${key}**`, "", "```", text, "```", "");
  }
  return lines;
}

function dashboardSection(d: DashboardResult): string[] {
  const ref = 60_000 / d.pollIntervalMs;
  const row = (name: string, c: DashboardResult["idle"]) =>
    `| ${name} | ${n(c.perMinute, 1)} | ${n(c.apiPerMinute, 1)} | ${
      Object.entries(c.paths)
        .map(([p, k]) => `${p} ×${k}`)
        .join(", ") || "–"
    } |`;
  return [
    `## 4. Dashboard: requests per minute of a server page`,
    "",
    `Headless Chromium, signed in through /login, ${d.options.windowSeconds}s per window, scaled to a minute. The running ` +
      `operation is a snapshot of a ${n(d.options.diskMb)} MiB disk with the worker throttled to ${d.options.throughputMbps} MB/s. ` +
      `Reference: a page polling one query every ${d.pollIntervalMs} ms makes ${n(ref)} requests/min; an idle visible page ` +
      `holds its one live stream (\`GET /api/live\`, counted once when it opens) and should make at most 2 requests besides ` +
      `(the polling fallback: one refresh every ${d.idleRefreshMs / 1000} s), a hidden one none. A snapshot started through the API ` +
      `showed on the open page with its progress, without a reload, after **${n(d.pickupSeconds, 1)} s** (target: within 2 s).`,
    "",
    "| state | requests/min | API requests/min | requests in the window |",
    "|---|---|---|---|",
    row("idle, tab visible", d.idle),
    row("idle, tab hidden", d.idleHidden),
    row("one running operation", d.operation),
    row("one running operation, tab hidden", d.hidden),
  ];
}

const GUESTS_TITLE = "## 5. Guests: snapshots of a running libvirt/QEMU guest vs the backup job alone and `qemu-img convert`";

function guestsSection(outcome: GuestsOutcome): string[] {
  if ("skipped" in outcome) return [GUESTS_TITLE, "", `**Not run: ${outcome.skipped}.**`];
  const g: GuestsResult = outcome;
  const o = g.options;
  const mib = (bytes: number, digits = 2) => n(bytes / 1024 / 1024, digits);
  const lines = [
    GUESTS_TITLE,
    "",
    `A ${n(o.diskMb)} MiB qcow2 guest disk holding ${n(g.dataMb)} MiB of data (section 3's mixed content), under the test guest of ` +
      "tests/helpers/guest.ts (TCG, no KVM: a busybox /init that rewrites two counter sectors and one 64 KiB block of a 2 MiB rolling " +
      `region per iteration, each synced, about every ${n(g.undisturbedGapsMs.plain.median)} ms here). ${o.rounds} round(s), sides alternated. Snapdeck is the product's own path: ` +
      "`captureGuest` (lib/disks/guest-data.ts) on the local chunk store in a child process, timed from its call to its return: a " +
      "push-mode backup job with a checkpoint, the copy made raw, then chunked, compressed and fsynced; the second snapshot copies only " +
      `the clusters the checkpoint's dirty bitmap marks, after the guest ran ${o.runSeconds} s. **Backup job alone**: \`virsh backup-begin\` ` +
      "to a qcow2 with a checkpoint, until `domjobinfo` shows no job (polled every 50 ms; captureGuest polls every 200 ms), the copy " +
      "fsynced. **qemu-img convert**: the same disk with the guest shut down, to a raw file, fsynced; Snapdeck's capture of the stopped " +
      "guest (the offline path: the same convert, then the chunk store) beside it. Restore: Snapdeck's write of the snapshot onto the " +
      "stopped guest's qcow2 disk as lib/jobs/restore-snapshot.ts does it (chunks to a raw file, `qemu-img convert` to qcow2, fsync, " +
      "rename, checkpoints dropped), against `qemu-img convert -O qcow2` of a raw image of the same disk, fsynced. Output: MiB the " +
      "snapshot added to the store, or the size of the tool's output file. Time ratio = Snapdeck seconds ÷ tool seconds on the same " +
      `step (below 1×: Snapdeck is faster). The guest with the QEMU guest agent (rows "guest agent"): one full snapshot, then one ` +
      `incremental a round, each on the one before, ${o.agentRunSeconds} s apart. The two guests booted in ${n(g.bootSeconds)} s ` +
      `(both at once). Load average (1 min) of the machine as the part started and ended: ${n(g.loadAverage.start, 1)} and ` +
      `${n(g.loadAverage.end, 1)} (other work on the machine shows here). Restored disk checked (counters consistent and from the snapshot's moment): ` +
      `${g.restoreVerified ? "yes" : "**NO**"}.`,
    "",
    "| step | what | seconds | output MiB | Snapdeck time ÷ this |",
    "|---|---|---|---|---|",
  ];
  const seconds = (key: string) => g.samples[key]?.map((m) => m.seconds) ?? [];
  for (const r of g.rows) {
    const mine = seconds(`${r.step}:snapdeck`);
    const theirs = seconds(`${r.step}:${r.tool}`);
    const rel = r.tool.startsWith("snapdeck") || !mine.length ? "–" : x(ratio(mine, theirs));
    const label =
      r.step === "first"
        ? "first (full)"
        : r.step === "second"
          ? `second (incremental, after ${r.tool.includes("agent") ? o.agentRunSeconds : o.runSeconds} s)`
          : "restore";
    lines.push(`| ${label} | ${r.tool} | ${cell(r.seconds, 2)} | ${cell(r.outputMb, 1)} | ${rel} |`);
  }
  const stopped = seconds("first:snapdeck, guest stopped");
  const convert = seconds("first:qemu-img convert -O raw, guest stopped");
  if (stopped.length && convert.length)
    lines.push(
      "",
      `Snapdeck's capture of the stopped guest takes ${x(ratio(stopped, convert))} the time of \`qemu-img convert -O raw\` alone ` +
        "(the same convert plus the chunk store: SHA-256, zstd, a file per new chunk, fsync).",
    );
  lines.push(
    "",
    "**What the incremental read against what the guest changed.** Between the two snapshots the guest ran N iterations; each " +
      "rewrites the 512-byte counters A and B (each in its own 64 KiB cluster) and block N mod 32 of its rolling region, so it changed " +
      "min(N, 32) + 2 clusters of 64 KiB (qcow2's cluster and the dirty bitmap's granularity). Snapdeck read: the clusters its " +
      "incremental backup copy holds (captureGuest's readBytes); the backup job alone: the clusters `qemu-img map` shows present in " +
      "its own incremental copy (a checkpoint of its own, so a slightly different interval).",
    "",
    "| round | guest iterations | guest changed MiB | Snapdeck read MiB | backup job alone copied MiB | Snapdeck stored KiB |",
    "|---|---|---|---|---|---|",
    ...g.incremental.map(
      (r, i) =>
        `| ${i + 1} | ${n(r.iterations)} | ${mib(r.changedBytes)} | ${mib(r.readBytes)} | ${mib(r.jobCopiedBytes)} | ${n(r.storedBytes / 1024, 1)} |`,
    ),
    "",
    "Stored is what the incremental added to the store after compression: the guest's rewritten blocks are repeated text.",
    "",
    "**The freeze and the guest's write stall.** Frozen ms: how long the guest's filesystems were frozen (captureGuest's frozenMs: " +
      "from `domfsfreeze` returning to `domfsthaw` returning, around the job's start), for the guest with the QEMU guest agent only; " +
      "the plain guest's snapshots are crash-consistent, not frozen. Write stall: the host reads counter A straight from the image " +
      "file every 2 ms and timestamps each new value; the longest gap between two successive writes that overlaps the operation, " +
      "against the guest's gaps while it ran undisturbed between its snapshots (median, and the longest over those " +
      `${o.runSeconds} s / ${o.agentRunSeconds} s windows, which are longer than the operations). The test guest's writer is ` +
      "parked by qemu-ga's fsfreeze hook before the freeze and resumes at the thaw (its /data is a RAM-disk ext2; a real application " +
      `would block on its frozen filesystem instead). Writes the 2 ms sampler missed: ${n(g.samplerMisses)}.`,
    "",
    "| guest | operation | frozen ms | longest write gap ms | it began, ms after the operation began | undisturbed gap ms: median (longest) |",
    "|---|---|---|---|---|---|",
    ...g.stalls.map((s) => {
      const quiet = g.undisturbedGapsMs[s.guest];
      return (
        `| ${s.guest === "agent" ? "with guest agent" : "plain"} | ${s.what} | ${s.frozenMs ? cell(s.frozenMs) : "–"} | ` +
        `${cell(s.longestGapMs)} | ${cell(s.longestGapAtMs)} | ${n(quiet.median)} (${n(quiet.max)}) |`
      );
    }),
  );
  return lines;
}

export function renderMarkdown(r: Report): string {
  const m = r.machine;
  const lines = [
    "# Benchmarks",
    "",
    `Written by \`npm run bench${r.mode === "quick" ? " -- --quick" : ""}\` (${r.mode} run, ${n(r.seconds)}s) on ${m.date}, ` +
      `commit \`${m.commit.slice(0, 12)}\`${m.dirty ? " (the working tree also had uncommitted changes)" : ""}. ` +
      `Machine: ${m.cpus} × ${m.cpuModel}, ${n(m.memoryGiB, 1)} GiB memory, Node.js ${m.node}, ${m.os}. ` +
      "Every figure is measured in the same run as its baseline; shared machines are noisy, so compare ratios, not absolutes. " +
      "Raw samples: [benchmarks.json](benchmarks.json).",
    "",
  ];
  if (r.api) lines.push(...apiSection(r.api), "");
  if (r.dataplane) lines.push(...dataplaneSection(r.dataplane), "");
  if (r.dashboard) lines.push(...dashboardSection(r.dashboard), "");
  if (r.guests) lines.push(...guestsSection(r.guests), "");
  for (const [part, message] of Object.entries(r.errors)) lines.push(`**${part} failed:** \`${message.split("\n")[0]}\``, "");
  lines.push(...BASELINE_NOTES);
  return lines.join("\n") + "\n";
}

const BASELINE_NOTES = [
  "## What the API references do and do not do",
  "",
  "`lib/api/bench-baseline.ts`, served bare by `bench/baseline-server.ts` (node:http) and as the floor by `app/api/floor/[[...path]]/route.ts` " +
    "(a Next.js route in the same build, through the same proxy, answering 404 unless `SNAPDECK_BENCH_FLOOR=1`): better-sqlite3 prepared statements (SQLite) or a pg pool of 10 connections, " +
    "as Prisma's pg adapter has (PostgreSQL), on the same database as Snapdeck (`lib/server/bench-baseline-stores.ts`). Like Snapdeck it " +
    "looks the bearer token up by its sha256 hash (revoked tokens refused), filters by tenant, validates page/page_size/" +
    "server_id/status with the same limits, runs a COUNT(*) and a page query newest first, builds next/previous links and the " +
    "snapshot JSON with Snapdeck's own code (lib/api/pagination.ts, lib/api/serialize.ts, the label_selector rules of lib/schemas/snapshots.ts), " +
    'checked equal before timing: the "same JSON" column. It does not: read sessions/cookies, validate ' +
    "with zod, update the token's last-used time (Snapdeck writes it at most once a minute), log requests, go through Next.js " +
    "routing (the bare one). Its queries filter on Snapshot.ownerId like Snapdeck's, so both sides use the same indexes.",
  "",
];

/** Writes the report into `dir` (docs/ for a full run; bench/results/ otherwise). */
export async function writeReport(r: Report, dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, "benchmarks.md"), renderMarkdown(r));
  await fs.writeFile(path.join(dir, "benchmarks.json"), JSON.stringify(r, null, 2) + "\n");
  return path.relative(ROOT, dir) || ".";
}

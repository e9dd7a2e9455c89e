// The benchmark report shows the API part on both databases side by side, and says so
// when the PostgreSQL part did not run (never silently).
import { describe, expect, it } from "vitest";
import type { ApiResult, ApiRow } from "@/bench/api-part";
import { renderMarkdown, type Report } from "@/bench/report";
import { stat } from "@/bench/util";

const side = (rps: number) => ({ rps: stat([rps]), p50: stat([10]), p99: stat([20]), errors: 0, non2xx: 0 });
const row = (name: string, snapdeck: number, floor: number, baseline: number): ApiRow => ({
  name,
  snapdeck: side(snapdeck),
  floor: side(floor),
  baseline: side(baseline),
  sameJson: true,
  ratio: { rps: stat([snapdeck / baseline]), p50: stat([1]), p99: stat([1]) },
  floorRatio: { rps: stat([snapdeck / floor]), p50: stat([1]), p99: stat([1]) },
});
const timing = { rounds: 1, seconds: 1, warmupSeconds: 1 };
const options = { workDir: "/tmp", servers: 10, smallSnapshots: 5_000, largeSnapshots: 20_000, connections: 32, ...timing };
const report = (postgres: ApiResult["postgres"]): Report => ({
  mode: "quick",
  seconds: 1,
  errors: {},
  machine: {
    cpus: 2,
    cpuModel: "cpu",
    memoryGiB: 1,
    node: "20",
    os: "Linux",
    date: "2026-11-27T00:00:00Z",
    commit: "0".repeat(40),
    dirty: false,
  },
  api: { options, rows: [row("list-5k", 200, 400, 1_600), row("detail-5k", 300, 600, 6_000)], scale: [], samples: {}, postgres },
});

describe("benchmark report, API section", () => {
  it("puts SQLite and PostgreSQL side by side, each against the same-framework floor and the bare server", () => {
    const md = renderMarkdown(
      report({
        ...timing,
        large: false,
        rows: [row("list-5k", 100, 125, 400), row("detail-5k", 150, 300, 1_500)],
        scale: [],
        samples: {},
      }),
    );
    expect(md).toContain("| list-5k | **0.50×** / **0.80×** | **0.13×** / **0.25×** | 200 / 100 | 400 / 125 | 20 / 20 |");
    expect(md).toContain("| detail-5k | **0.50×** / **0.50×** | **0.05×** / **0.10×** | 300 / 150 | 600 / 300 | 20 / 20 |");
    expect(md).toMatch(
      /\| GET \/api\/v1\/snapshots\/\{id\}\/ \(5k\) \| PostgreSQL \| 150 \| 300 \| 1,500 \| \*\*0\.50×\*\* \| \*\*0\.10×\*\* \|/,
    );
  });

  it("says the PostgreSQL part was not run, and how to run it", () => {
    const md = renderMarkdown(report({ skipped: "not run: set SNAPDECK_BENCH_POSTGRES_URL" }));
    expect(md).toContain("**PostgreSQL: not run: set SNAPDECK_BENCH_POSTGRES_URL.**");
    expect(md).not.toContain("| PostgreSQL |");
  });
});

describe("benchmark report, data-plane section", () => {
  const step = (s: string, tool: string, seconds: number) => ({
    step: s,
    tool,
    seconds: stat([seconds]),
    mbPerSec: stat([1]),
    storedMb: stat([1]),
    rssMb: stat([1]),
  });
  const dataplane = (qemuSecondReadMb?: number): Report["dataplane"] => ({
    options: { workDir: "/tmp", diskMb: 2_048, contentMb: 400, rounds: 1, changeFraction: 0.01 },
    allocatedMb: 393,
    changedMb: 3.5,
    restoreVerified: true,
    rows: [step("second", "snapdeck", 1), step("second", "snapdeck qemu", 0.5), step("second", "zstd -T2 -3", 3)],
    samples: {
      "second:snapdeck": [{ seconds: 1, maxRssMb: 1 }],
      "second:snapdeck qemu": [{ seconds: 0.5, maxRssMb: 1 }],
      "second:zstd -T2 -3": [{ seconds: 3, maxRssMb: 1 }],
    },
    ...(qemuSecondReadMb !== undefined && { qemuSecondReadMb }),
  });

  it("shows the qemu driver's rows beside the local driver's, with the bytes its incremental read", () => {
    const md = renderMarkdown({ ...report({ skipped: "x" }), dataplane: dataplane(3.4) });
    expect(md).toContain("| second | snapdeck qemu | 0.50 |");
    expect(md).toMatch(/\| second \| snapdeck qemu \|[^\n]*\| – \|/); // not compared with the local driver as if it were a tool
    expect(md).toContain("| second | zstd -T2 -3 | 3.00 |");
    expect(md).toContain("its second snapshot read 3.4 MiB of the disk");
  });

  it("shows the S3 store's rows with their requests per snapshot and the restore speed against the filesystem store", () => {
    const d = dataplane()!;
    const rows = [...d.rows, step("second", "snapdeck s3", 2), step("restore", "snapdeck", 2), step("restore", "snapdeck s3", 5)];
    const samples = {
      ...d.samples,
      "first:snapdeck s3": [{ seconds: 9, maxRssMb: 1, requests: 4_976 }],
      "second:snapdeck s3": [{ seconds: 2, maxRssMb: 1, requests: 2_550 }],
      "restore:snapdeck": [{ seconds: 2, maxRssMb: 1 }],
      "restore:snapdeck s3": [{ seconds: 5, maxRssMb: 1, requests: 2_793 }],
    };
    const md = renderMarkdown({ ...report({ skipped: "x" }), dataplane: { ...d, rows, samples } });
    expect(md).toMatch(/\| restore \| snapdeck s3 \| 5\.00 \|[^\n]*\| – \|/);
    expect(md).toContain("S3 requests per snapshot: first 4,976, second 2,550, restore 2,793.");
    expect(md).toContain("Restore from S3 at **0.40×** the filesystem store's speed.");
    expect(md).not.toContain("The S3 store rows did not run");
  });

  it("says when the S3 rows did not run, and how to get them", () => {
    const md = renderMarkdown({
      ...report({ skipped: "x" }),
      dataplane: { ...dataplane()!, s3Skipped: "no radosgw: apt-get install --no-install-recommends ceph-mon ceph-osd radosgw" },
    });
    expect(md).toContain(
      "The S3 store rows did not run (no radosgw: apt-get install --no-install-recommends ceph-mon ceph-osd radosgw).",
    );
  });

  it("says when the qemu rows did not run", () => {
    expect(renderMarkdown({ ...report({ skipped: "x" }), dataplane: dataplane() })).toContain(
      "The qemu driver rows did not run (no qemu-utils).",
    );
  });
});

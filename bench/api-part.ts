// Parts 1 (API vs baseline, on SQLite and, given a server, PostgreSQL) and 2 (scale: the list
// at 100,000 vs 5,000 snapshots).
import path from "node:path";
import { mkdirSync } from "node:fs";
import { benchTargets, compareAnswers, fire, type Sample, type Target } from "./api-bench";
import { summarizeProfileDir } from "./profile";
import { createBenchDatabase, dropBenchDatabase, POSTGRES_BENCH_HOWTO } from "./postgres";
import { seedDatabase, startBaseline, startSnapdeck, type Seeded, type Started } from "./servers";
import { log, ratio, stat, type Stat } from "./util";

export type ApiOptions = {
  workDir: string;
  servers: number;
  smallSnapshots: number;
  largeSnapshots: number;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  profileDir?: string;
  /** Also measure on PostgreSQL: an admin URL to create throwaway databases on, the timing there, and whether to seed the large data set too. */
  postgres?: { adminUrl: string; large: boolean; timing: Timing };
};
type Timing = { rounds: number; seconds: number; warmupSeconds: number };

type Side = { rps: Stat; p50: Stat; p99: Stat; errors: number; non2xx: number };
type Ratios = { rps: Stat; p50: Stat; p99: Stat };
/** One request kind: Snapdeck, the same-framework floor and the bare node:http baseline; ratios are Snapdeck ÷ each. */
export type ApiRow = {
  name: string;
  snapdeck: Side;
  floor: Side;
  baseline: Side;
  ratio: Ratios;
  floorRatio: Ratios;
  sameJson: boolean;
};
export type ScaleRow = { name: string; p50: Stat; p99: Stat; rps: Stat };
type Measured = { rows: ApiRow[]; scale: ScaleRow[]; samples: Record<string, Sample[]>; targets: Target[] };
/** The PostgreSQL run (`scale` is empty without the large data set), or why it did not run. */
export type PostgresApiResult = Timing & { large: boolean; rows: ApiRow[]; scale: ScaleRow[]; samples: Record<string, Sample[]> };
export type ApiResult = {
  options: ApiOptions;
  /** SQLite. */
  rows: ApiRow[];
  scale: ScaleRow[];
  samples: Record<string, Sample[]>;
  postgres: PostgresApiResult | { skipped: string };
  /** With --profile: a CPU profile summary of Snapdeck under each request kind alone. */
  profiles?: Record<string, string>;
};

const LIST = "/api/v1/snapshots/?page_size=50";
const DETAIL = "/api/v1/snapshots/{id}/";
/** Every seeded snapshot has env, half have tier, 1% keep (bench/seed-db.ts): about one in six matches. */
const SELECTOR = "env=prod,tier,!keep";
const SELECTED_LIST = `${LIST}&label_selector=${encodeURIComponent(SELECTOR)}`;

function side(samples: Sample[]): Side {
  return {
    rps: stat(samples.map((s) => s.rps)),
    p50: stat(samples.map((s) => s.p50)),
    p99: stat(samples.map((s) => s.p99)),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    non2xx: samples.reduce((n, s) => n + s.non2xx, 0),
  };
}

export async function runApiPart(o: ApiOptions): Promise<ApiResult> {
  const [small, large] = await Promise.all([
    seedDatabase(path.join(o.workDir, "api-small"), o.servers, o.smallSnapshots),
    seedDatabase(path.join(o.workDir, "api-large"), o.servers, o.largeSnapshots),
  ]);
  const sqlite = await measure(o, small, large);
  const profiles = o.profileDir
    ? await profileSnapdeck(
        o,
        sqlite.targets.filter((t) => !t.key.endsWith(":baseline")),
        small.dataDir,
        large.dataDir,
      )
    : undefined;
  const postgres = o.postgres ? await runOnPostgres(o, o.postgres) : { skipped: `not run: ${POSTGRES_BENCH_HOWTO}` };
  return { options: o, rows: sqlite.rows, scale: sqlite.scale, samples: sqlite.samples, postgres, profiles };
}

/** The same measurement on PostgreSQL, each data set in a database of its own, dropped after. */
async function runOnPostgres(o: ApiOptions, p: NonNullable<ApiOptions["postgres"]>): Promise<PostgresApiResult> {
  const urls: string[] = [];
  try {
    const make = async (label: string, snapshots: number) => {
      urls.push(await createBenchDatabase(p.adminUrl, label));
      return seedDatabase(path.join(o.workDir, `api-pg-${label}`), o.servers, snapshots, urls.at(-1)!);
    };
    const small = await make("small", o.smallSnapshots);
    const large = p.large ? await make("large", o.largeSnapshots) : null;
    const { rows, scale, samples } = await measure({ ...o, ...p.timing }, small, large);
    return { ...p.timing, large: p.large, rows, scale, samples };
  } finally {
    for (const url of urls) await dropBenchDatabase(p.adminUrl, url);
  }
}

/** Snapdeck and the baseline on the same databases, side by side; `large` adds the scale rows. */
async function measure(o: ApiOptions, small: Seeded, large: Seeded | null): Promise<Measured> {
  const running: Started[] = [];
  const start = async (s: Seeded) => {
    const sd = await startSnapdeck(s.dataDir, { env: { DATABASE_URL: s.dbUrl } });
    running.push(sd);
    const bl = await startBaseline(s.dbUrl);
    running.push(bl);
    log(`snapdeck ${sd.url}, baseline ${bl.url} on ${s.dbUrl.split(":")[0]} (${s.dataDir})`);
    return { sd, bl };
  };
  try {
    const k = (n: number) => `${Math.round(n / 1000)}k`;
    // Each request three ways: Snapdeck's route, the floor route in the same server, the bare baseline.
    const three = (name: string, s: { sd: Started; bl: Started }, seeded: Seeded, path: string, ids?: number[]): Target[] => [
      { key: `${name}:snapdeck`, url: s.sd.url, path, token: seeded.token, ids },
      { key: `${name}:floor`, url: s.sd.url, path: path.replace(/^\/api\//, "/api/floor/"), token: seeded.token, ids },
      { key: `${name}:baseline`, url: s.bl.url, path, token: seeded.token, ids },
    ];
    const S = await start(small);
    const targets: Target[] = three(`list-${k(o.smallSnapshots)}`, S, small, LIST);
    if (large) {
      const L = await start(large);
      targets.push(
        ...three(`list-${k(o.largeSnapshots)}`, L, large, LIST),
        // The same list with a label_selector: EXISTS on SnapshotLabel's key per row of the page's index walk.
        ...three(`list-${k(o.largeSnapshots)} label_selector=${SELECTOR}`, L, large, SELECTED_LIST),
      );
    }
    targets.push(...three(`detail-${k(o.smallSnapshots)}`, S, small, DETAIL, small.snapshotIds));
    const same: Record<string, boolean> = {};
    for (let i = 0; i < targets.length; i += 3)
      same[targets[i]!.key] =
        (await compareAnswers(targets[i]!, targets[i + 1]!)) && (await compareAnswers(targets[i]!, targets[i + 2]!));

    const samples = await benchTargets(targets, o);
    const ratios = (a: Sample[], b: Sample[]): Ratios => ({
      rps: ratio(
        a.map((x) => x.rps),
        b.map((x) => x.rps),
      ),
      p50: ratio(
        a.map((x) => x.p50),
        b.map((x) => x.p50),
      ),
      p99: ratio(
        a.map((x) => x.p99),
        b.map((x) => x.p99),
      ),
    });
    const rows: ApiRow[] = [];
    for (let i = 0; i < targets.length; i += 3) {
      const [a, f, b] = [0, 1, 2].map((j) => samples[targets[i + j]!.key]!) as [Sample[], Sample[], Sample[]];
      rows.push({
        name: targets[i]!.key.split(":")[0]!,
        snapdeck: side(a),
        floor: side(f),
        baseline: side(b),
        ratio: ratios(a, b),
        floorRatio: ratios(a, f),
        sameJson: same[targets[i]!.key]!,
      });
    }
    const scale: ScaleRow[] = !large
      ? []
      : (["snapdeck", "floor", "baseline"] as const).map((who) => {
          const big = samples[`list-${k(o.largeSnapshots)}:${who}`]!;
          const little = samples[`list-${k(o.smallSnapshots)}:${who}`]!;
          return {
            name: who,
            p50: ratio(
              big.map((x) => x.p50),
              little.map((x) => x.p50),
            ),
            p99: ratio(
              big.map((x) => x.p99),
              little.map((x) => x.p99),
            ),
            rps: ratio(
              big.map((x) => x.rps),
              little.map((x) => x.rps),
            ),
          };
        });
    return { rows, scale, samples, targets };
  } finally {
    for (const r of running.reverse()) await r.stop();
  }
}

/** Each Snapdeck target alone on a fresh `node --cpu-prof` server: where does its time go? */
async function profileSnapdeck(
  o: ApiOptions,
  targets: Target[],
  smallDir: string,
  largeDir: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of targets) {
    const dir = path.join(o.profileDir!, t.key.replace(/[^a-z0-9-]/gi, "_"));
    mkdirSync(dir, { recursive: true });
    const server = await startSnapdeck(t.key.includes(`-${Math.round(o.largeSnapshots / 1000)}k`) ? largeDir : smallDir, {
      profileDir: dir,
    });
    try {
      log(`profiling ${t.key} for ${o.warmupSeconds + o.seconds * 2}s`);
      await fire({ ...t, url: server.url }, o.warmupSeconds + o.seconds * 2, o.connections);
    } finally {
      await server.stop();
    }
    out[t.key] = summarizeProfileDir(dir);
  }
  return out;
}

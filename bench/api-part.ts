// Parts 1 (API vs baseline) and 2 (scale: the list at 100,000 vs 5,000 snapshots).
import path from "node:path";
import { mkdirSync } from "node:fs";
import { benchTargets, compareAnswers, fire, type Sample, type Target } from "./api-bench";
import { summarizeProfileDir } from "./profile";
import { seedDatabase, startBaseline, startSnapdeck, type Started } from "./servers";
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
};

type Side = { rps: Stat; p50: Stat; p99: Stat; errors: number; non2xx: number };
export type ApiRow = { name: string; snapdeck: Side; baseline: Side; ratio: { rps: Stat; p50: Stat; p99: Stat }; sameJson: boolean };
export type ScaleRow = { name: string; p50: Stat; p99: Stat; rps: Stat };
export type ApiResult = {
  options: ApiOptions;
  rows: ApiRow[];
  scale: ScaleRow[];
  samples: Record<string, Sample[]>;
  /** With --profile: a CPU profile summary of Snapdeck under each request kind alone. */
  profiles?: Record<string, string>;
};

const LIST = "/api/v1/snapshots/?page_size=50";
const DETAIL = "/api/v1/snapshots/{id}/";

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
  const running: Started[] = [];
  try {
    const sdSmall = await startSnapdeck(small.dataDir);
    running.push(sdSmall);
    const blSmall = await startBaseline(small.dbUrl);
    running.push(blSmall);
    const sdLarge = await startSnapdeck(large.dataDir);
    running.push(sdLarge);
    const blLarge = await startBaseline(large.dbUrl);
    running.push(blLarge);
    log(`snapdeck ${sdSmall.url} / ${sdLarge.url}, baseline ${blSmall.url} / ${blLarge.url}`);

    const s = small.token;
    const l = large.token;
    const k = (n: number) => `${Math.round(n / 1000)}k`;
    const targets: Target[] = [
      { key: `list-${k(o.smallSnapshots)}:snapdeck`, url: sdSmall.url, path: LIST, token: s },
      { key: `list-${k(o.smallSnapshots)}:baseline`, url: blSmall.url, path: LIST, token: s },
      { key: `list-${k(o.largeSnapshots)}:snapdeck`, url: sdLarge.url, path: LIST, token: l },
      { key: `list-${k(o.largeSnapshots)}:baseline`, url: blLarge.url, path: LIST, token: l },
      { key: `detail-${k(o.smallSnapshots)}:snapdeck`, url: sdSmall.url, path: DETAIL, token: s, ids: small.snapshotIds },
      { key: `detail-${k(o.smallSnapshots)}:baseline`, url: blSmall.url, path: DETAIL, token: s, ids: small.snapshotIds },
    ];
    const same: Record<string, boolean> = {};
    for (let i = 0; i < targets.length; i += 2) same[targets[i]!.key] = await compareAnswers(targets[i]!, targets[i + 1]!);

    const samples = await benchTargets(targets, o);
    const rows: ApiRow[] = [];
    for (let i = 0; i < targets.length; i += 2) {
      const a = samples[targets[i]!.key]!;
      const b = samples[targets[i + 1]!.key]!;
      const name = targets[i]!.key.split(":")[0]!;
      rows.push({
        name,
        snapdeck: side(a),
        baseline: side(b),
        ratio: {
          rps: ratio(a.map((x) => x.rps), b.map((x) => x.rps)),
          p50: ratio(a.map((x) => x.p50), b.map((x) => x.p50)),
          p99: ratio(a.map((x) => x.p99), b.map((x) => x.p99)),
        },
        sameJson: same[targets[i]!.key]!,
      });
    }
    const scale: ScaleRow[] = (["snapdeck", "baseline"] as const).map((who) => {
      const big = samples[`list-${k(o.largeSnapshots)}:${who}`]!;
      const little = samples[`list-${k(o.smallSnapshots)}:${who}`]!;
      return {
        name: who,
        p50: ratio(big.map((x) => x.p50), little.map((x) => x.p50)),
        p99: ratio(big.map((x) => x.p99), little.map((x) => x.p99)),
        rps: ratio(big.map((x) => x.rps), little.map((x) => x.rps)),
      };
    });
    for (const r of running.splice(0).reverse()) await r.stop();
    const profiles = o.profileDir ? await profileSnapdeck(o, targets.filter((t) => t.key.endsWith(":snapdeck")), small.dataDir, large.dataDir) : undefined;
    return { options: o, rows, scale, samples, profiles };
  } finally {
    for (const r of running.reverse()) await r.stop();
  }
}

/** Each Snapdeck target alone on a fresh `node --cpu-prof` server: where does its time go? */
async function profileSnapdeck(o: ApiOptions, targets: Target[], smallDir: string, largeDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of targets) {
    const dir = path.join(o.profileDir!, t.key.replace(/[^a-z0-9-]/gi, "_"));
    mkdirSync(dir, { recursive: true });
    const server = await startSnapdeck(t.key.includes(`-${Math.round(o.largeSnapshots / 1000)}k`) ? largeDir : smallDir, { profileDir: dir });
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

// Part 1 and 2: the snapshot list and read endpoints under 32 concurrent connections,
// Snapdeck and the node:http baseline, on a 5,000- and a 100,000-snapshot database.
// Targets run one after another in alternating order, round after round, so a noisy
// neighbour hits both sides of a ratio alike.
import autocannon, { type Result } from "autocannon";
import { log } from "./util";

export type Target = { key: string; url: string; path: string; token: string; ids?: number[] };
export type Sample = { rps: number; p50: number; p99: number; errors: number; non2xx: number };

export function fire(target: Target, seconds: number, connections: number): Promise<Sample> {
  let i = 0;
  const ids = target.ids ?? [];
  const requests = ids.length
    ? [
        {
          setupRequest: (req: { path?: string }) => ({
            ...req,
            path: target.path.replace("{id}", String(ids[i++ % ids.length])),
          }),
        },
      ]
    : undefined;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: target.url + (ids.length ? "" : target.path),
        connections,
        duration: seconds,
        timeout: 30,
        headers: { authorization: `Bearer ${target.token}` },
        requests,
      },
      (err: Error | null, r: Result) => {
        if (err) return reject(err);
        resolve({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
        });
      },
    );
  });
}

/** Checks that both sides answer 200 with the same JSON (origins aside) before timing them. */
export async function compareAnswers(a: Target, b: Target): Promise<boolean> {
  const get = async (t: Target) => {
    const path = t.path.replace("{id}", String(t.ids?.[0] ?? ""));
    const res = await fetch(t.url + path, { headers: { authorization: `Bearer ${t.token}` } });
    if (res.status !== 200) throw new Error(`${t.key}: GET ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return (await res.text()).replace(/https?:\/\/[^/"]+/g, "ORIGIN");
  };
  const [x, y] = await Promise.all([get(a), get(b)]);
  if (x !== y) log(`answers differ:\n  ${a.key}: ${x.slice(0, 400)}\n  ${b.key}: ${y.slice(0, 400)}`);
  return x === y;
}

export async function benchTargets(
  targets: Target[],
  options: { rounds: number; seconds: number; warmupSeconds: number; connections: number },
): Promise<Record<string, Sample[]>> {
  const samples: Record<string, Sample[]> = Object.fromEntries(targets.map((t) => [t.key, []]));
  for (const t of targets) {
    if (options.warmupSeconds <= 0) continue; // a smoke
    log(`warm-up ${t.key} (${options.warmupSeconds}s)`);
    await fire(t, options.warmupSeconds, options.connections);
  }
  for (let round = 0; round < options.rounds; round++) {
    // Odd rounds run the list backwards, so no target always goes first.
    const order = round % 2 ? [...targets].reverse() : targets;
    for (const t of order) {
      const s = await fire(t, options.seconds, options.connections);
      log(
        `round ${round + 1}/${options.rounds} ${t.key}: ${s.rps.toFixed(0)} req/s, p50 ${s.p50} ms, p99 ${s.p99} ms` +
          (s.errors || s.non2xx ? ` (${s.errors} errors, ${s.non2xx} non-2xx)` : ""),
      );
      samples[t.key]!.push(s);
    }
  }
  return samples;
}

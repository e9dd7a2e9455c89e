// Summarises V8 .cpuprofile files (from `node --cpu-prof`): self time per function and
// per package, so "where does the time go" is answered by a profile, not a guess.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { log } from "./util";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

/** Which package or layer a script URL belongs to. */
export function layerOf(url: string): string {
  if (!url) return "(native / V8)";
  if (url.startsWith("node:")) return "node core";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.includes("/.next/server/chunks/")) return "app bundle (.next chunks)";
  if (url.includes("/.next/")) return "next build output";
  return url.replace(/^file:\/\//, "");
}

export function summarizeProfile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, number>();
  const layers = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)") continue;
    const key = `${f.functionName || "(anonymous)"}  ${layerOf(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    layers.set(layerOf(f.url), (layers.get(layerOf(f.url)) ?? 0) + us);
  }
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)").reduce((a, [, us]) => a + us, 0);
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${path.basename(file)}: ${(total / 1e6).toFixed(1)}s sampled, ${pct(idle)} idle`,
    "  self time by layer:",
    ...sorted(layers).map(([k, us]) => `    ${pct(us)}  ${k}`),
    "  self time by function:",
    ...sorted(fns).map(([k, us]) => `    ${pct(us)}  ${k}`),
  ].join("\n");
}

export function summarizeProfiles(dir: string): void {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  } catch {
    /* no profiles written */
  }
  if (files.length === 0) return log(`no .cpuprofile in ${dir} (the server must exit cleanly to write one)`);
  for (const f of files) process.stderr.write(summarizeProfile(path.join(dir, f)) + "\n");
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) process.stdout.write(summarizeProfile(file) + "\n");
}

// Summarises V8 .cpuprofile files (from `node --cpu-prof`): self time per function and
// per package, so "where does the time go" is answered by a profile, not a guess.
// Bundled code (.next/server/chunks) is mapped back to its original file with the build's
// source maps, so time in a chunk is charged to the package or project file it came from.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { log } from "./util";

type Frame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type Node = { id: number; callFrame: Frame; children?: number[] };
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
  if (url.includes("/.next/")) return "next build output (unmapped)";
  if (url.startsWith("wasm://")) return "WebAssembly (Prisma query compiler)";
  const project = url.replace(/^file:\/\//, "").replace(/:\d+$/, "");
  return project.startsWith("lib/") || project.startsWith("app/") ? `project: ${project}` : project;
}

const maps = new Map<string, SourceMap | null>();

/** The original source of a bundled position, e.g. "node_modules/zod/…" or "lib/server/…". */
export function originalUrl(f: Frame): string {
  if (!f.url.startsWith("file://") || !f.url.includes("/.next/")) return f.url;
  const file = fileURLToPath(f.url);
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : null);
  }
  const entry = maps.get(file)?.findEntry(f.lineNumber, f.columnNumber) as
    { originalSource?: string; originalLine?: number } | undefined;
  if (!entry?.originalSource) return f.url;
  return `${decodeURIComponent(entry.originalSource).replace(/^(\.\.\/)+/, "")}:${(entry.originalLine ?? 0) + 1}`;
}

export function summarizeProfile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, number>();
  const layers = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)") {
      idle += us;
      continue;
    }
    const url = originalUrl(f);
    const where = url.includes("/.next/") || !url.startsWith("file://") ? url : `${url}:${f.lineNumber + 1}`;
    const key = `${f.functionName || "(anonymous)"}  ${where.replace(/^file:\/\/.*?\/node_modules\//, "node_modules/")}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    layers.set(layerOf(url), (layers.get(layerOf(url)) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${path.basename(file)}: ${(total / 1e6).toFixed(1)}s sampled, ${(busy / 1e6).toFixed(1)}s busy; shares of busy time`,
    "  self time by layer:",
    ...sorted(layers).map(([k, us]) => `    ${pct(us)}  ${k}`),
    "  self time by function:",
    ...sorted(fns).map(([k, us]) => `    ${pct(us)}  ${k}`),
  ].join("\n");
}

/** Summary of the .cpuprofile files in `dir` (one per process that exited cleanly). */
export function summarizeProfileDir(dir: string, top = 15): string {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  } catch {
    /* no profiles written */
  }
  if (files.length === 0) {
    log(`no .cpuprofile in ${dir} (the server must exit cleanly to write one)`);
    return "(no profile written)";
  }
  return files.map((f) => summarizeProfile(path.join(dir, f), top)).join("\n");
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) process.stdout.write(summarizeProfile(file) + "\n");
}

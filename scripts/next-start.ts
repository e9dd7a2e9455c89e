// `next start` as Snapdeck runs it (npm start, the API tests, the benchmarks): Node with
// the request time limits of scripts/http-timeouts.cjs preloaded, then Next.js's own bin.
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/** Arguments for process.execPath; `nodeFlags` go first (e.g. --cpu-prof). */
export function nextStartArgs(port: number, host?: string, nodeFlags: string[] = []): string[] {
  return [
    ...nodeFlags,
    "--require",
    path.join(ROOT, "scripts/http-timeouts.cjs"),
    path.join(ROOT, "node_modules/next/dist/bin/next"),
    "start",
    "-p",
    String(port),
    ...(host ? ["-H", host] : []),
  ];
}

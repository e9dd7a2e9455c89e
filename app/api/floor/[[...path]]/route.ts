// The benchmark's same-framework floor (docs/benchmarks.md): GET /api/floor/v1/snapshots/…
// answers exactly what /api/v1/snapshots/… answers, from the baseline's two raw queries
// (lib/api/bench-baseline.ts), inside this Next.js build, so Snapdeck's routes can be
// measured against what any route of this framework costs with those queries.
// Off (404) unless the benchmark starts the server with SNAPDECK_BENCH_FLOOR=1.
import { answer, openStore } from "@/lib/api/bench-baseline";
import { getDatabaseUrl } from "@/lib/config";
import { errorResponse } from "@/lib/api/errors";

let store: ReturnType<typeof openStore> | undefined;

export async function GET(req: Request): Promise<Response> {
  if (process.env.SNAPDECK_BENCH_FLOOR !== "1") return errorResponse(404, { detail: "Not found.", code: "not_found" });
  store ??= openStore(getDatabaseUrl());
  const url = new URL(req.url);
  url.pathname = url.pathname.replace(/^\/api\/floor\//, "/api/");
  const { status, body, headers } = await answer(store, "GET", url, req.headers.get("authorization"));
  return Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

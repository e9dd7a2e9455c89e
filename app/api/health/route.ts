// GET /api/health (no auth): 200 when the database answers and a worker has sent a
// heartbeat recently; 503 with the reason otherwise. For load balancers and monitors.
import { NextResponse } from "next/server";
import { checkHealth } from "@/lib/server/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth();
  return NextResponse.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}

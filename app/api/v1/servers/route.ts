import { handle } from "@/lib/api/handle";
import { listServers } from "@/lib/server/servers";

// Same list envelope as snapshots; an operator has few servers, so one page holds them all.
export const GET = handle({ auth: "read" }, async ({ actor }) => {
  const results = await listServers(actor);
  return { count: results.length, next: null, previous: null, results };
});

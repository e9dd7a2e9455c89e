import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { listServers } from "@/lib/server/servers";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  // Same list envelope as snapshots; an operator has few servers, so one page holds them all.
  GET: handle({ auth: "read" }, async ({ actor }) => {
    const results = await listServers(actor);
    return { count: results.length, next: null, previous: null, results };
  }),
});

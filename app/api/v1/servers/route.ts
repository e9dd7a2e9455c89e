import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeServer, singlePage } from "@/lib/api/serialize";
import { listServers } from "@/lib/server/servers";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  // Same list envelope as snapshots; an operator has few servers, so one page holds them all.
  GET: handle({ auth: "read" }, async ({ actor }) => singlePage((await listServers(actor)).map(serializeServer))),
});

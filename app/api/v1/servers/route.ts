import { handle } from "@/lib/api/handle";
import { serializeServer, singlePage } from "@/lib/api/serialize";
import { listServers } from "@/lib/server/servers";

// Same list envelope as snapshots; an operator has few servers, so one page holds them all.
export const GET = handle({ auth: "read" }, async ({ actor }) => singlePage((await listServers(actor)).map(serializeServer)));

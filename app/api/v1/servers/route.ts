import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeServer, singlePage } from "@/lib/api/serialize";
import { serverPageSchema } from "@/lib/schemas/api-responses";
import { listServers } from "@/lib/server/servers";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  // Same list envelope as snapshots; an operator has few servers, so one page holds them all.
  GET: handle(
    {
      operationId: "listServers",
      summary: "List servers with snapshot counts",
      auth: "read",
      response: { schema: serverPageSchema, description: "All visible servers" },
      errors: [401],
    },
    async ({ actor }) => singlePage((await listServers(actor)).map(serializeServer)),
  ),
});

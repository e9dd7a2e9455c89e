import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeServer } from "@/lib/api/serialize";
import { serverSchema } from "@/lib/schemas/api-responses";
import { idSchema } from "@/lib/schemas/snapshots";
import { getServer } from "@/lib/server/servers";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle(
    {
      operationId: "getServer",
      summary: "Read a server",
      auth: "read",
      params: z.strictObject({ serverId: idSchema }),
      response: { schema: serverSchema, description: "The server" },
      errors: [400, 401, 404],
    },
    async ({ actor, params }) => serializeServer(await getServer(actor, params.serverId)),
  ),
});

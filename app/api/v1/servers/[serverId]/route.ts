import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeServer } from "@/lib/api/serialize";
import { idSchema } from "@/lib/schemas/snapshots";
import { getServer } from "@/lib/server/servers";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle({ auth: "read", params: z.strictObject({ serverId: idSchema }) }, async ({ actor, params }) =>
    serializeServer(await getServer(actor, params.serverId)),
  ),
});

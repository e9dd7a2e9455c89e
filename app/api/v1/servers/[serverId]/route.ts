import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { idSchema } from "@/lib/schemas/snapshots";
import { getServer } from "@/lib/server/servers";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle({ auth: "read", params: z.strictObject({ serverId: idSchema }) }, ({ actor, params }) =>
    getServer(actor, params.serverId),
  ),
});

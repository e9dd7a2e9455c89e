import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { idSchema } from "@/lib/schemas/snapshots";
import { revokeToken } from "@/lib/server/tokens";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  DELETE: handle({ auth: "write", params: z.strictObject({ tokenId: idSchema }) }, async ({ actor, params }) => {
    await revokeToken(actor, params.tokenId);
  }),
});

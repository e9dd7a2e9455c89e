import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { idSchema } from "@/lib/schemas/snapshots";
import { revokeToken } from "@/lib/server/tokens";

export const DELETE = handle({ auth: "write", params: z.strictObject({ tokenId: idSchema }) }, async ({ actor, params }) => {
  await revokeToken(actor, params.tokenId);
});

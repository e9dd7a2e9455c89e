import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { idSchema } from "@/lib/schemas/snapshots";
import { revokeToken } from "@/lib/server/tokens";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  DELETE: handle(
    {
      operationId: "revokeToken",
      summary: "Revoke an API token",
      auth: "write",
      params: z.strictObject({ tokenId: idSchema }),
      response: { status: 204, description: "Revoked" },
      errors: [400, 401, 403, 404],
    },
    async ({ actor, params }) => {
      await revokeToken(actor, params.tokenId);
    },
  ),
});

import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeRestore } from "@/lib/api/serialize";
import { restoreResultSchema } from "@/lib/schemas/api-responses";
import { idSchema, restoreSnapshotSchema } from "@/lib/schemas/snapshots";
import { restoreSnapshot } from "@/lib/server/snapshots";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: handle(
    {
      operationId: "restoreSnapshot",
      summary: "Overwrite a server's disk with this snapshot (stops that server first): its own server, or server_id's",
      auth: "write",
      params: z.strictObject({ snapshotId: idSchema }),
      body: restoreSnapshotSchema,
      bodyOptional: true,
      response: { schema: restoreResultSchema, description: "Restore accepted" },
      errors: [400, 401, 403, 404, 409],
      idempotent: true,
    },
    async ({ actor, params, body }) => serializeRestore(await restoreSnapshot(actor, params.snapshotId, body)),
  ),
});

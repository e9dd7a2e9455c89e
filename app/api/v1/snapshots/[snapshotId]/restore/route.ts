import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeRestore } from "@/lib/api/serialize";
import { idSchema, restoreSnapshotSchema } from "@/lib/schemas/snapshots";
import { restoreSnapshot } from "@/lib/server/snapshots";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: handle(
    { auth: "write", params: z.strictObject({ snapshotId: idSchema }), body: restoreSnapshotSchema, optionalBody: true, idempotent: true },
    async ({ actor, params, body }) => serializeRestore(await restoreSnapshot(actor, params.snapshotId, body)),
  ),
});

import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeSnapshot } from "@/lib/api/serialize";
import { idSchema, updateSnapshotSchema } from "@/lib/schemas/snapshots";
import { deleteSnapshot } from "@/lib/server/snapshots";
import { getSnapshot } from "@/lib/server/snapshot-reads";
import { updateSnapshot } from "@/lib/server/snapshot-update";

const params = z.strictObject({ snapshotId: idSchema });

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle({ auth: "read", params }, async ({ actor, params }) => serializeSnapshot(await getSnapshot(actor, params.snapshotId))),
  PATCH: handle({ auth: "write", params, body: updateSnapshotSchema }, async ({ actor, params, body }) =>
    serializeSnapshot(await updateSnapshot(actor, params.snapshotId, body)),
  ),
  DELETE: handle({ auth: "write", params }, async ({ actor, params }) => {
    await deleteSnapshot(actor, params.snapshotId);
  }),
});

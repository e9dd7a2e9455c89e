import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeSnapshot } from "@/lib/api/serialize";
import { snapshotSchema } from "@/lib/schemas/api-responses";
import { idSchema, updateSnapshotSchema } from "@/lib/schemas/snapshots";
import { deleteSnapshot } from "@/lib/server/snapshots";
import { getSnapshot } from "@/lib/server/snapshot-reads";
import { updateSnapshot } from "@/lib/server/snapshot-update";

const params = z.strictObject({ snapshotId: idSchema });

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle(
    {
      operationId: "getSnapshot",
      summary: "Read a snapshot and its progress",
      auth: "read",
      params,
      response: { schema: snapshotSchema, description: "The snapshot" },
      errors: [400, 401, 404],
    },
    async ({ actor, params }) => serializeSnapshot(await getSnapshot(actor, params.snapshotId)),
  ),
  PATCH: handle(
    {
      operationId: "updateSnapshot",
      summary: "Rename, describe, label or protect a snapshot",
      description:
        "Any of name, description, labels (replaces the whole set), protected. 400 `name_taken` when another snapshot of the server (not failed) has the name.",
      auth: "write",
      params,
      body: updateSnapshotSchema,
      response: { schema: snapshotSchema, description: "The snapshot after the change" },
      errors: [400, 401, 403, 404, 413, 415],
    },
    async ({ actor, params, body }) => serializeSnapshot(await updateSnapshot(actor, params.snapshotId, body)),
  ),
  DELETE: handle(
    {
      operationId: "deleteSnapshot",
      summary: "Delete a snapshot; its stored data is removed in the background (retried until the store allows it)",
      description: "400 `snapshot_protected` for a protected snapshot, `snapshot_in_use` while an operation uses it.",
      auth: "write",
      params,
      response: { status: 204, description: "Deleted: gone from the API at once" },
      errors: [400, 401, 403, 404],
    },
    async ({ actor, params }) => {
      await deleteSnapshot(actor, params.snapshotId);
    },
  ),
});

import { handle } from "@/lib/api/handle";
import { pageLinks } from "@/lib/api/pagination";
import { route } from "@/lib/api/route";
import { serializeCreatedSnapshot, serializeSnapshot } from "@/lib/api/serialize";
import { createSnapshotSchema, listSnapshotsQuerySchema } from "@/lib/schemas/snapshots";
import { createSnapshot } from "@/lib/server/snapshots";
import { listSnapshots } from "@/lib/server/snapshot-reads";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle({ auth: "read", query: listSnapshotsQuerySchema }, async ({ req, actor, query }) => {
    const { count, results } = await listSnapshots(actor, query);
    return { count, ...pageLinks(req, query.page, query.page_size, count), results: results.map(serializeSnapshot) };
  }),
  POST: handle({ auth: "write", body: createSnapshotSchema, status: 201, idempotent: true }, async ({ actor, body }) =>
    serializeCreatedSnapshot(await createSnapshot(actor, body)),
  ),
});

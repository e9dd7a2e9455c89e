import { handle } from "@/lib/api/handle";
import { pageLinks } from "@/lib/api/pagination";
import { route } from "@/lib/api/route";
import { serializeCreatedSnapshot, serializeSnapshot } from "@/lib/api/serialize";
import { createdSnapshotSchema, snapshotPageSchema } from "@/lib/schemas/api-responses";
import { createSnapshotSchema, listSnapshotsQuerySchema } from "@/lib/schemas/snapshots";
import { createSnapshot } from "@/lib/server/snapshots";
import { listSnapshots } from "@/lib/server/snapshot-reads";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle(
    {
      operationId: "listSnapshots",
      summary: "List snapshots, newest first",
      description:
        "`label_selector` (Hetzner's syntax): comma-separated terms `k=v` (or `k==v`), `k!=v` (also matches snapshots without `k`), `k` (present), `!k` (absent); every term must match.",
      auth: "read",
      query: listSnapshotsQuerySchema,
      response: { schema: snapshotPageSchema, description: "A page of snapshots" },
      errors: [400, 401],
    },
    async ({ req, actor, query }) => {
      const { count, results } = await listSnapshots(actor, query);
      return { count, ...pageLinks(req, query.page, query.page_size, count), results: results.map(serializeSnapshot) };
    },
  ),
  POST: handle(
    {
      operationId: "createSnapshot",
      summary: "Start taking a snapshot of a server",
      auth: "write",
      body: createSnapshotSchema,
      response: { status: 201, schema: createdSnapshotSchema, description: "Snapshot accepted; it completes in a few minutes" },
      errors: [400, 401, 403, 404, 409, 413, 415],
      idempotent: true,
    },
    async ({ actor, body }) => serializeCreatedSnapshot(await createSnapshot(actor, body)),
  ),
});

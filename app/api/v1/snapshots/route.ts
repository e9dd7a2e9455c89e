import { handle } from "@/lib/api/handle";
import { pageLinks } from "@/lib/api/pagination";
import { serializeCreatedSnapshot, serializeSnapshot } from "@/lib/api/serialize";
import { createSnapshotSchema, listSnapshotsQuerySchema } from "@/lib/schemas/snapshots";
import { createSnapshot, listSnapshots } from "@/lib/server/snapshots";

export const GET = handle({ auth: "read", query: listSnapshotsQuerySchema }, async ({ req, actor, query }) => {
  const { count, results } = await listSnapshots(actor, query);
  return { count, ...pageLinks(req.nextUrl, query.page, query.page_size, count), results: results.map(serializeSnapshot) };
});

export const POST = handle({ auth: "write", body: createSnapshotSchema, status: 201, idempotent: true }, async ({ actor, body }) =>
  serializeCreatedSnapshot(await createSnapshot(actor, body)),
);

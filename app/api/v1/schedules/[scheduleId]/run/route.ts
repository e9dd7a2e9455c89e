import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeCreatedSnapshot } from "@/lib/api/serialize";
import { createdSnapshotSchema } from "@/lib/schemas/api-responses";
import { idSchema } from "@/lib/schemas/snapshots";
import { runScheduleNow } from "@/lib/server/schedules";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: handle(
    {
      operationId: "runSchedule",
      summary: "Take the schedule's snapshot now (pruning as a scheduled run does); its next run is unchanged",
      auth: "write",
      params: z.strictObject({ scheduleId: idSchema }),
      response: { status: 201, schema: createdSnapshotSchema, description: "The scheduled snapshot now being taken" },
      errors: [400, 401, 403, 404, 409],
      idempotent: true,
    },
    async ({ actor, params }) => serializeCreatedSnapshot(await runScheduleNow(actor, params.scheduleId)),
  ),
});

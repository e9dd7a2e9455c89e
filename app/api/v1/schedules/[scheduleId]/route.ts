import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeSchedule } from "@/lib/api/serialize";
import { scheduleSchema } from "@/lib/schemas/api-responses";
import { idSchema } from "@/lib/schemas/snapshots";
import { updateScheduleSchema } from "@/lib/schemas/schedules";
import { deleteSchedule, getSchedule, updateSchedule } from "@/lib/server/schedules";

const params = z.strictObject({ scheduleId: idSchema });

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle(
    {
      operationId: "getSchedule",
      summary: "Read a schedule, its next run and last run",
      auth: "read",
      params,
      response: { schema: scheduleSchema, description: "The schedule" },
      errors: [400, 401, 404],
    },
    async ({ actor, params }) => serializeSchedule(await getSchedule(actor, params.scheduleId)),
  ),
  PATCH: handle(
    {
      operationId: "updateSchedule",
      summary: "Change a schedule's cron, keep or enabled (a new cron or re-enabling counts from now)",
      auth: "write",
      params,
      body: updateScheduleSchema,
      response: { schema: scheduleSchema, description: "The schedule" },
      errors: [400, 401, 403, 404, 413, 415],
    },
    async ({ actor, params, body }) => serializeSchedule(await updateSchedule(actor, params.scheduleId, body)),
  ),
  DELETE: handle(
    {
      operationId: "deleteSchedule",
      summary: "Delete a schedule (its snapshots stay)",
      auth: "write",
      params,
      response: { status: 204, description: "Deleted" },
      errors: [400, 401, 403, 404],
    },
    async ({ actor, params }) => {
      await deleteSchedule(actor, params.scheduleId);
    },
  ),
});

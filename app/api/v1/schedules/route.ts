import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeSchedule, singlePage } from "@/lib/api/serialize";
import { schedulePageSchema, scheduleSchema } from "@/lib/schemas/api-responses";
import { createScheduleSchema, listSchedulesQuerySchema } from "@/lib/schemas/schedules";
import { createSchedule, listSchedules } from "@/lib/server/schedules";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle(
    {
      operationId: "listSchedules",
      summary: "List schedules (optionally of one server)",
      auth: "read",
      query: listSchedulesQuerySchema,
      response: { schema: schedulePageSchema, description: "All visible schedules" },
      errors: [400, 401],
    },
    async ({ actor, query }) => singlePage((await listSchedules(actor, query)).map(serializeSchedule)),
  ),
  POST: handle(
    {
      operationId: "createSchedule",
      summary: "Create a schedule: a UTC cron expression and how many scheduled snapshots to keep",
      auth: "write",
      body: createScheduleSchema,
      response: { status: 201, schema: scheduleSchema, description: "The schedule, with its next run" },
      errors: [400, 401, 403, 404, 409, 413, 415],
      idempotent: true,
    },
    async ({ actor, body }) => serializeSchedule(await createSchedule(actor, body)),
  ),
});

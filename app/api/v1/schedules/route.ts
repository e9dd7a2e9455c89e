import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeSchedule, singlePage } from "@/lib/api/serialize";
import { createScheduleSchema, listSchedulesQuerySchema } from "@/lib/schemas/schedules";
import { createSchedule, listSchedules } from "@/lib/server/schedules";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle({ auth: "read", query: listSchedulesQuerySchema }, async ({ actor, query }) =>
    singlePage((await listSchedules(actor, query)).map(serializeSchedule)),
  ),
  POST: handle({ auth: "write", body: createScheduleSchema, status: 201, idempotent: true }, async ({ actor, body }) =>
    serializeSchedule(await createSchedule(actor, body)),
  ),
});

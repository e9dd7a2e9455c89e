import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeSchedule } from "@/lib/api/serialize";
import { idSchema } from "@/lib/schemas/snapshots";
import { updateScheduleSchema } from "@/lib/schemas/schedules";
import { deleteSchedule, getSchedule, updateSchedule } from "@/lib/server/schedules";

const params = z.strictObject({ scheduleId: idSchema });

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle({ auth: "read", params }, async ({ actor, params }) => serializeSchedule(await getSchedule(actor, params.scheduleId))),
  PATCH: handle({ auth: "write", params, body: updateScheduleSchema }, async ({ actor, params, body }) =>
    serializeSchedule(await updateSchedule(actor, params.scheduleId, body)),
  ),
  DELETE: handle({ auth: "write", params }, async ({ actor, params }) => {
    await deleteSchedule(actor, params.scheduleId);
  }),
});

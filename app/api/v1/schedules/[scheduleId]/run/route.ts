import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeCreatedSnapshot } from "@/lib/api/serialize";
import { idSchema } from "@/lib/schemas/snapshots";
import { runScheduleNow } from "@/lib/server/schedules";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: handle({ auth: "write", params: z.strictObject({ scheduleId: idSchema }), status: 201, idempotent: true }, async ({ actor, params }) =>
    serializeCreatedSnapshot(await runScheduleNow(actor, params.scheduleId)),
  ),
});

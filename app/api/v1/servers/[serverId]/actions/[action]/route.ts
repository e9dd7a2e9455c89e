import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeServer } from "@/lib/api/serialize";
import { serverSchema } from "@/lib/schemas/api-responses";
import { idSchema } from "@/lib/schemas/snapshots";
import { POWER_ACTIONS } from "@/lib/schemas/servers";
import { AppError } from "@/lib/server/errors";
import { runPowerAction } from "@/lib/server/servers";

// An unknown action is a path that does not exist (404), not an invalid parameter: the
// schema checks any string and documents the actions.
const params = z.strictObject({ serverId: idSchema, action: z.string().meta({ enum: [...POWER_ACTIONS] }) });

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: handle(
    {
      operationId: "runPowerAction",
      summary: "Stop or start a server (refused while it is restoring or an operation runs)",
      auth: "write",
      params,
      response: { schema: serverSchema, description: "The server after the action" },
      errors: [400, 401, 403, 404, 409],
      idempotent: true,
    },
    async ({ actor, params }) => {
      const action = POWER_ACTIONS.find((a) => a === params.action);
      if (!action) throw new AppError("not_found", `Unknown action "${params.action}"; use one of ${POWER_ACTIONS.join(", ")}.`);
      return serializeServer(await runPowerAction(actor, params.serverId, action));
    },
  ),
});

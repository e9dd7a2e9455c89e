import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeHost } from "@/lib/api/serialize";
import { hostSchema } from "@/lib/schemas/api-responses";
import { hostNameSchema } from "@/lib/schemas/hosts";
import { getHost } from "@/lib/server/hosts";

// A host is known by its name everywhere (servers' `host`, the CLI, the agents), so it is its path key.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle(
    {
      operationId: "getHost",
      summary: "Read a hypervisor host with its agents' presence (admins only)",
      auth: "admin",
      params: z.strictObject({ hostName: hostNameSchema.meta({ examples: ["local"] }) }),
      response: { schema: hostSchema, description: "The host" },
      errors: [400, 401, 403, 404],
    },
    async ({ actor, params }) => serializeHost(await getHost(actor, params.hostName)),
  ),
});

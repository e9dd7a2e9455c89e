import { z } from "zod";
import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeHost } from "@/lib/api/serialize";
import { hostSchema } from "@/lib/schemas/api-responses";
import { listHosts } from "@/lib/server/hosts";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  // A plain array (SPEC §5): a fleet has tens of hosts, not pages of them.
  GET: handle(
    {
      operationId: "listHosts",
      summary: "List hypervisor hosts with their agents' presence (admins only)",
      auth: "admin",
      response: { schema: z.array(hostSchema), description: "Every host" },
      errors: [401, 403],
    },
    async ({ actor }) => (await listHosts(actor)).map(serializeHost),
  ),
});

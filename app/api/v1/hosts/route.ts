import { handle } from "@/lib/api/handle";
import { route } from "@/lib/api/route";
import { serializeHost } from "@/lib/api/serialize";
import { listHosts } from "@/lib/server/hosts";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  // A plain array (SPEC §5): a fleet has tens of hosts, not pages of them.
  GET: handle({ auth: "read" }, async ({ actor }) => (await listHosts(actor)).map(serializeHost)),
});

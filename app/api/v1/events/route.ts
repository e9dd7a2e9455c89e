import { handle } from "@/lib/api/handle";
import { pageLinks } from "@/lib/api/pagination";
import { route } from "@/lib/api/route";
import { serializeEvent } from "@/lib/api/serialize";
import { eventPageSchema } from "@/lib/schemas/api-responses";
import { listEventsQuerySchema } from "@/lib/schemas/events";
import { listEvents } from "@/lib/server/events";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: handle(
    {
      operationId: "listEvents",
      summary: "Activity: audit events you may see (your resources; admins all), newest first",
      auth: "read",
      query: listEventsQuerySchema,
      response: { schema: eventPageSchema, description: "A page of events" },
      errors: [400, 401],
    },
    async ({ req, actor, query }) => {
      const { count, results } = await listEvents(actor, query);
      return { count, ...pageLinks(req, query.page, query.page_size, count), results: results.map(serializeEvent) };
    },
  ),
});

// The activity list's query (GET /api/v1/events/).
import { z } from "zod";
import { idSchema } from "@/lib/schemas/snapshots";

export const listEventsQuerySchema = z.strictObject({
  server_id: idSchema.optional().describe("Only events about this server and its snapshots"),
  page: idSchema.default(1),
  page_size: idSchema.pipe(z.number().max(100, { error: "must be at most 100" })).default(20),
});
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;

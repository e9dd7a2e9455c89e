// The activity list's query (GET /api/v1/events/) and the actions an audit event names.
import { z } from "zod";
import { idSchema } from "@/lib/schemas/snapshots";

export const AUDIT_ACTIONS = [
  "snapshot.create",
  "snapshot.update",
  "snapshot.restore",
  "snapshot.delete",
  "snapshot.prune",
  "snapshot.expire",
  "schedule.create",
  "schedule.update",
  "schedule.delete",
  "schedule.run",
  "server.stop",
  "server.start",
  "token.create",
  "token.revoke",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_RESULTS = ["success", "failure"] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

export const listEventsQuerySchema = z.strictObject({
  server_id: idSchema.optional().describe("Only events about this server and its snapshots"),
  action: z
    .enum(AUDIT_ACTIONS, { error: `must be one of ${AUDIT_ACTIONS.join(", ")}` })
    .optional()
    .describe("Only events of this action"),
  result: z
    .enum(AUDIT_RESULTS, { error: `must be one of ${AUDIT_RESULTS.join(", ")}` })
    .optional()
    .describe("Only successes, or only refusals"),
  page: idSchema.default(1),
  page_size: idSchema.pipe(z.number().max(100, { error: "must be at most 100" })).default(20),
});
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;

// Schedules (SPEC §6): shared by the API handlers, the dashboard's form and the OpenAPI document.
import { z } from "zod";
import { requestComponents } from "@/lib/schemas/openapi-components";
import { cronError } from "@/lib/schemas/cron";

/** Scheduled snapshots kept per server: 1 up to the default snapshot limit (SPEC §6). */
export const KEEP_MAX = 5;

export const cronSchema = z
  .string({ error: "must be a string" })
  .max(100, { error: "must be at most 100 characters" })
  .superRefine((value, ctx) => {
    const error = cronError(value);
    if (error) ctx.addIssue({ code: "custom", message: error });
  })
  .transform((value) => value.trim().split(/\s+/).join(" "))
  .describe('"minute hour day-of-month month day-of-week", in UTC');

const keepSchema = z
  .number({ error: "must be an integer" })
  .int({ error: "must be an integer" })
  .min(1, { error: `must be between 1 and ${KEEP_MAX}` })
  .max(KEEP_MAX, { error: `must be between 1 and ${KEEP_MAX}` })
  .describe("How many scheduled snapshots of the server to keep; older ones are pruned");

export const createScheduleSchema = z
  .strictObject({
    server_id: z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).min(1).max(2_147_483_647),
    cron: cronSchema,
    keep: keepSchema,
    enabled: z.boolean({ error: "must be true or false" }).default(true),
  })
  .register(requestComponents, { id: "CreateSchedule" });
export type CreateScheduleInput = z.infer<typeof createScheduleSchema>;

export const updateScheduleSchema = z
  .strictObject({
    cron: cronSchema.optional(),
    keep: keepSchema.optional(),
    enabled: z.boolean({ error: "must be true or false" }).optional(),
  })
  .register(requestComponents, { id: "UpdateSchedule" });
export type UpdateScheduleInput = z.infer<typeof updateScheduleSchema>;

export const listSchedulesQuerySchema = z.strictObject({
  server_id: z
    .string()
    .regex(/^[0-9]+$/, { error: "must be a positive integer" })
    .transform(Number)
    .pipe(z.number().int().min(1).max(2_147_483_647))
    .optional(),
});
export type ListSchedulesQuery = z.infer<typeof listSchedulesQuerySchema>;

/** Presets offered by the dashboard (cron in UTC). */
export const SCHEDULE_PRESETS = [
  { label: "Daily at 03:00", cron: "0 3 * * *" },
  { label: "Every 6 hours", cron: "0 */6 * * *" },
  { label: "Weekly (Sunday 03:00)", cron: "0 3 * * 0" },
] as const;

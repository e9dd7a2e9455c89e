// Shared by the API handlers, the dashboard's forms and the OpenAPI document.
import { z } from "zod";

export const SNAPSHOT_STATUSES = ["in_progress", "completed", "failed"] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

/**
 * Ids in paths and query strings: decimal digits only (no "1e3", "0x10", " 7"), a
 * positive 32-bit integer; anything else is a client error, not a 500.
 */
export const idSchema = z
  .string({ error: "must be a positive integer" })
  .regex(/^[0-9]+$/, { error: "must be a positive integer" })
  .transform(Number)
  .pipe(z.number().int().min(1, { error: "must be a positive integer" }).max(2_147_483_647, { error: "is too large" }));

export const snapshotNameSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(64, { error: "must be at most 64 characters" })
  .regex(/^[A-Za-z0-9_-]+$/, { error: "may contain only letters, digits, '-' and '_'" });

export const snapshotDescriptionSchema = z
  .string({ error: "must be a string" })
  .max(500, { error: "must be at most 500 characters" });

export const createSnapshotSchema = z.strictObject({
  server_id: z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).min(1).max(2_147_483_647),
  name: snapshotNameSchema,
  description: snapshotDescriptionSchema.optional(),
});
export type CreateSnapshotInput = z.infer<typeof createSnapshotSchema>;

export const listSnapshotsQuerySchema = z.strictObject({
  server_id: idSchema.optional(),
  status: z.enum(SNAPSHOT_STATUSES, { error: `must be one of ${SNAPSHOT_STATUSES.join(", ")}` }).optional(),
  page: idSchema.default(1),
  page_size: idSchema.pipe(z.number().max(100, { error: "must be at most 100" })).default(20),
});
export type ListSnapshotsQuery = z.infer<typeof listSnapshotsQuerySchema>;

/** Optional body of POST /snapshots/{id}/restore/: restore onto another server of the same owner. */
export const restoreSnapshotSchema = z.strictObject({
  server_id: z
    .number({ error: "must be an integer" })
    .int({ error: "must be an integer" })
    .min(1)
    .max(2_147_483_647)
    .optional()
    .describe("The server whose disk is overwritten (same owner, any host); default: the snapshot's own server."),
  safety_snapshot: z
    .boolean({ error: "must be true or false" })
    .default(false)
    .describe("First capture the disk being overwritten as a safety snapshot (kept SNAPDECK_SAFETY_TTL_HOURS, default 24 h)."),
});
// The input shape: callers in code may leave safety_snapshot out (off, as in the API).
export type RestoreSnapshotInput = z.input<typeof restoreSnapshotSchema>;

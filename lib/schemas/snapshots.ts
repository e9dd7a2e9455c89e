// Shared by the API handlers, the dashboard's forms and the OpenAPI document.
import { z } from "zod";
import { requestComponents } from "@/lib/schemas/openapi-components";

export const SNAPSHOT_STATUSES = ["in_progress", "completed", "failed"] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];
export const SNAPSHOT_KINDS = ["manual", "scheduled", "safety"] as const;
export const SNAPSHOT_CONSISTENCIES = ["offline", "crash-consistent", "application"] as const;

/** The largest id (a positive 32-bit integer, what every database here stores). */
export const MAX_ID = 2_147_483_647;

/**
 * Ids in paths and query strings: decimal digits only (no "1e3", "0x10", " 7"), a
 * positive 32-bit integer; anything else is a client error, not a 500.
 */
export const idSchema = z
  .string({ error: "must be a positive integer" })
  .regex(/^[0-9]+$/, { error: "must be a positive integer" })
  .transform(Number)
  .pipe(z.number().int().min(1, { error: "must be a positive integer" }).max(MAX_ID, { error: "is too large" }));

export const snapshotNameSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(64, { error: "must be at most 64 characters" })
  .regex(/^[A-Za-z0-9_-]+$/, { error: "may contain only letters, digits, '-' and '_'" });

export const snapshotDescriptionSchema = z
  .string({ error: "must be a string" })
  .max(500, { error: "must be at most 500 characters" });

// Labels (SPEC §6): keys as Kubernetes/Hetzner spell them; values without the characters
// a label_selector uses (',', '=', '!', spaces), so every label can be selected.
export const LABEL_KEY = /^[a-z0-9][a-z0-9._/-]{0,62}$/;
export const LABEL_VALUE = /^[A-Za-z0-9._:/@+-]{0,63}$/;
export const MAX_LABELS = 32;

export const labelsSchema = z
  .record(
    z
      .string()
      .regex(LABEL_KEY, { error: "label keys are 1-63 of a-z, 0-9, '.', '_', '/', '-', starting with a letter or digit" }),
    z
      .string({ error: "label values must be strings" })
      .max(63, { error: "label values must be at most 63 characters" })
      .regex(LABEL_VALUE, { error: "label values may contain only letters, digits and . _ : / @ + -" }),
  )
  .refine((labels) => Object.keys(labels).length <= MAX_LABELS, { error: `at most ${MAX_LABELS} labels` })
  .describe("Labels: at most 32 key/value pairs.");
export type Labels = z.infer<typeof labelsSchema>;

export const updateSnapshotSchema = z
  .strictObject({
    name: snapshotNameSchema.optional(),
    description: snapshotDescriptionSchema.optional(),
    labels: labelsSchema.optional().describe("Replaces the snapshot's labels as a whole ({} removes them all)."),
    protected: z.boolean({ error: "must be true or false" }).optional().describe("A protected snapshot refuses DELETE."),
  })
  .refine((body) => Object.keys(body).length > 0, { error: "give at least one of name, description, labels, protected" })
  .register(requestComponents, { id: "UpdateSnapshot" });
export type UpdateSnapshotInput = z.infer<typeof updateSnapshotSchema>;

/** As many terms as a snapshot may have labels (MAX_LABELS). */
export const MAX_SELECTOR_TERMS = MAX_LABELS;

export type SelectorTerm = { op: "eq" | "ne"; key: string; value: string } | { op: "exists" | "absent"; key: string };

/**
 * Hetzner's label_selector: comma-separated `k=v` (or `k==v`), `k!=v`, `k`, `!k`; all must match.
 * Plain code (no zod), so the benchmark's framework-free baseline applies the same rules.
 */
export function parseLabelSelector(raw: string): { terms: SelectorTerm[]; errors: string[] } {
  const terms: SelectorTerm[] = [];
  const errors: string[] = [];
  const parts = raw.split(",");
  // Each term is one indexed EXISTS per row walked: a bound on terms is a bound on the query.
  if (parts.length > MAX_SELECTOR_TERMS)
    return { terms, errors: [`at most ${MAX_SELECTOR_TERMS} terms (this selector has ${parts.length})`] };
  for (const part of parts) {
    const term = part.trim();
    const match = /^(!?)([^=!]+)$/.exec(term) ?? /^([^=!]+)(==|=|!=)([^=!]*)$/.exec(term);
    const bad = (why: string) => errors.push(`"${term}": ${why}`);
    if (!match) {
      bad("a term is k=v, k!=v, k or !k");
      continue;
    }
    const [key, op, value] =
      match.length === 3
        ? [match[2], match[1] === "!" ? "absent" : "exists", ""]
        : [match[1], match[2] === "!=" ? "ne" : "eq", match[3]];
    if (!LABEL_KEY.test(key)) bad("not a valid label key");
    else if (!LABEL_VALUE.test(value)) bad("not a valid label value");
    else terms.push(op === "eq" || op === "ne" ? { op, key, value } : { op: op as "exists" | "absent", key });
  }
  return { terms, errors };
}

export const labelSelectorSchema = z
  .string()
  .describe("e.g. env=prod,tier,!temp,team!=ops: every term must match; at most 32 terms")
  .transform((raw, ctx): SelectorTerm[] => {
    const { terms, errors } = parseLabelSelector(raw);
    for (const message of errors) ctx.addIssue({ code: "custom", message });
    return terms;
  });

export const createSnapshotSchema = z
  .strictObject({
    server_id: z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).min(1).max(2_147_483_647),
    name: snapshotNameSchema,
    description: snapshotDescriptionSchema.optional(),
  })
  .register(requestComponents, { id: "CreateSnapshot" });
export type CreateSnapshotInput = z.infer<typeof createSnapshotSchema>;

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export const listSnapshotsQuerySchema = z.strictObject({
  server_id: idSchema.optional(),
  label_selector: labelSelectorSchema.optional(),
  status: z.enum(SNAPSHOT_STATUSES, { error: `must be one of ${SNAPSHOT_STATUSES.join(", ")}` }).optional(),
  page: idSchema.default(1),
  page_size: idSchema
    .pipe(z.number().max(MAX_PAGE_SIZE, { error: `must be at most ${MAX_PAGE_SIZE}` }))
    .default(DEFAULT_PAGE_SIZE),
});
export type ListSnapshotsQuery = z.infer<typeof listSnapshotsQuerySchema>;

/** Optional body of POST /snapshots/{id}/restore/: restore onto another server of the same owner. */
export const restoreSnapshotSchema = z
  .strictObject({
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
  })
  .register(requestComponents, { id: "RestoreSnapshot" });
// The input shape: callers in code may leave safety_snapshot out (off, as in the API).
export type RestoreSnapshotInput = z.input<typeof restoreSnapshotSchema>;

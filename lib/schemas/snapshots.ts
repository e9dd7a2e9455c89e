// Shared by the API handlers, the dashboard's forms and the OpenAPI document.
import { z } from "zod";
import { requestComponents } from "@/lib/schemas/openapi-components";
import { RESERVED_KEYS } from "@/lib/schemas/reserved-keys";

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

const MAX_LABEL_LENGTH = 63;

/** A character as an operator can spot it in a message: `a space`, `"E"`. */
function nameChar(char: string): string {
  return char === " " ? "a space" : JSON.stringify(char);
}

/**
 * Why LABEL_KEY refuses a key, one rule at a time: the API's message and the label
 * editor's ("Key …") are the same words.
 */
function labelKeyProblem(key: string): string {
  if (key === "") return "key must not be empty";
  if (key.length > MAX_LABEL_LENGTH) return `key is longer than ${MAX_LABEL_LENGTH} characters`;
  const upper = /[A-Z]/.exec(key);
  if (upper) return `key must be lowercase (not ${nameChar(upper[0])})`;
  const bad = [...key].find((char) => !/[a-z0-9._/-]/.test(char));
  if (bad !== undefined) return `key may use only a–z, 0–9, '.', '_', '/' and '-' (not ${nameChar(bad)})`;
  return "key must start with a letter or digit";
}

function labelValueProblem(value: string): string {
  const bad = [...value].find((char) => !/[A-Za-z0-9._:/@+-]/.test(char)) ?? "";
  return `value may use only letters, digits and . _ : / @ + - (not ${nameChar(bad)})`;
}

/** One label key: exactly LABEL_KEY, and none of the RESERVED_KEYS. */
export const labelKeySchema = z
  .string({ error: "label keys must be strings" })
  .regex(LABEL_KEY, { error: (issue) => labelKeyProblem(String(issue.input)), abort: true })
  .refine((key) => !RESERVED_KEYS.has(key), { error: (issue) => `key ${String(issue.input)} is reserved` });

/** One label value: exactly LABEL_VALUE (the length first, so a long value gets one message). */
export const labelValueSchema = z
  .string({ error: "label values must be strings" })
  .max(MAX_LABEL_LENGTH, { error: `value is longer than ${MAX_LABEL_LENGTH} characters`, abort: true })
  .regex(LABEL_VALUE, { error: (issue) => labelValueProblem(String(issue.input)) });

export const labelsSchema = z
  // zod words a refused key as "Invalid key in record"; the key schema's own words say which rule.
  .record(labelKeySchema, labelValueSchema, {
    error: (issue) => (issue.code === "invalid_key" ? issue.issues[0]?.message : undefined),
  })
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

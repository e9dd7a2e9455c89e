// Shapes of the API's responses: the one source. lib/api serialises domain objects into
// these types, the OpenAPI document is generated from them, the API tests parse real
// responses with them, and the dashboard reads the API through their z.infer types.
import { z } from "zod";
import { SNAPSHOT_CONSISTENCIES, SNAPSHOT_KINDS, SNAPSHOT_STATUSES } from "@/lib/schemas/snapshots";
import { SERVER_STATUSES } from "@/lib/schemas/servers";
import { TOKEN_SCOPES } from "@/lib/schemas/tokens";
import { GUEST_AGENT_STATES, HOST_STATUSES, HYPERVISOR_STATES, HYPERVISORS } from "@/lib/schemas/hosts";
import { FAILURE_CODES } from "@/lib/schemas/failure-codes";
import { OPERATION_KINDS } from "@/lib/schemas/operation-kinds";
import { responseComponents } from "@/lib/schemas/openapi-components";

const timestamp = z.iso.datetime();

export const errorSchema = z
  .object({
    detail: z.string(),
    code: z.string(),
    errors: z.record(z.string(), z.array(z.string())).optional(),
  })
  .register(responseComponents, { id: "Error" });

export const snapshotSchema = z
  .object({
    id: z.number().int(),
    server: z.object({ id: z.number().int(), name: z.string() }),
    name: z.string(),
    description: z.string(),
    status: z.enum(SNAPSHOT_STATUSES),
    size_mb: z.number().nullable(),
    progress: z.number().int().min(0).max(100),
    error: z.string().nullable().describe("Why the snapshot failed, as a sentence for people; null unless failed."),
    error_code: z.enum(FAILURE_CODES).nullable().describe("Stable code of the failure, for programs; null unless failed."),
    created_at: timestamp,
    completed_at: timestamp.nullable(),
    labels: z.record(z.string(), z.string()).describe("Key/value labels; select with label_selector."),
    protected: z.boolean().describe("A protected snapshot refuses DELETE and is never pruned."),
    kind: z.enum(SNAPSHOT_KINDS).describe("manual, scheduled (taken by a schedule) or safety (taken before a restore)."),
    consistency: z
      .enum(SNAPSHOT_CONSISTENCIES)
      .nullable()
      .describe(
        "offline: the server was stopped for the whole capture; application: a libvirt guest's agent froze its filesystems as the copy began; crash-consistent otherwise; null until completed.",
      ),
    stored_mb: z
      .number()
      .nullable()
      .describe("What this snapshot added to the store after deduplication, MB; null until completed."),
    expires_at: timestamp.nullable().describe("Safety snapshots: when it is collected; null otherwise."),
  })
  .register(responseComponents, { id: "Snapshot" });

export const createdSnapshotSchema = snapshotSchema
  .extend({ message: z.string(), warning: z.string().optional() })
  .register(responseComponents, { id: "CreatedSnapshot" });

export const hostSchema = z
  .object({
    name: z.string(),
    hypervisor: z.enum(HYPERVISORS).describe("simulated: Snapdeck's own disk images; libvirt: the host's real guests."),
    status: z.enum(HOST_STATUSES).describe("online while any agent of the host sent a heartbeat in the last 15 s"),
    last_seen_at: timestamp.nullable().describe("The newest heartbeat of any of its agents; null: never seen."),
    servers: z.number().int(),
    running_operations: z.number().int(),
  })
  .register(responseComponents, { id: "Host" });

export const restoreResultSchema = z
  .object({
    status: z.literal("success"),
    message: z.string(),
    snapshot: z.object({ id: z.number().int(), name: z.string(), created_at: timestamp }),
    server: z.object({ id: z.number().int(), name: z.string(), status: z.literal("restoring") }),
    safety_snapshot: z
      .object({ id: z.number().int() })
      .optional()
      .describe('With {"safety_snapshot": true}: the snapshot of the current disk taken before it is overwritten.'),
  })
  .register(responseComponents, { id: "RestoreResult" });

export const serverSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    hostname: z.string(),
    status: z.enum(SERVER_STATUSES),
    location: z.string(),
    disk_mb: z.number().int(),
    host: z.string().optional().describe("The hypervisor host holding the server's disk; admins only."),
    hypervisor: z
      .enum(HYPERVISORS)
      .describe(
        "libvirt: a real guest on its host's libvirtd; simulated: Snapdeck's own disk image (status is what was recorded).",
      ),
    hypervisor_state: z
      .enum(HYPERVISOR_STATES)
      .nullable()
      .describe("libvirt: the domain's state as the host's agent last read it (within seconds); null on simulated hosts."),
    guest_agent: z
      .enum(GUEST_AGENT_STATES)
      .nullable()
      .describe(
        "libvirt: whether the QEMU guest agent answers (snapshots are then application-consistent); null on simulated hosts.",
      ),
    owner_id: z.number().int(),
    snapshot_count: z.number().int(),
    snapshot_limit: z.number().int(),
    latest_snapshot_at: timestamp.nullable(),
    operation: z
      .object({
        id: z.string(),
        kind: z.enum(OPERATION_KINDS),
        status: z.string(),
        progress: z.number().int(),
        snapshot_id: z.number().int().nullable().describe("The snapshot being taken or restored."),
        snapshot: z
          .object({ id: z.number().int(), name: z.string(), server: z.object({ id: z.number().int(), name: z.string() }) })
          .nullable()
          .describe("The snapshot being taken or restored, with the server it belongs to (a restore may come from another)."),
        started_at: timestamp.nullable().describe("When an agent began it; null while queued."),
        waiting_for_host: z
          .object({
            name: z.string(),
            offline_since: timestamp.nullable().describe("The host's last heartbeat; null: never seen."),
          })
          .nullable()
          .describe(
            "Set while the operation is queued because no agent of the server's host is online; it runs when one returns.",
          ),
      })
      .nullable(),
    last_operation: z
      .object({
        id: z.string(),
        kind: z.enum(OPERATION_KINDS),
        status: z.enum(["queued", "running", "completed", "failed"]),
        error: z
          .string()
          .nullable()
          .describe(
            "Why it failed, as a sentence for people; on a completed operation, a warning (shutdown_timeout); else null.",
          ),
        error_code: z
          .enum(FAILURE_CODES)
          .nullable()
          .describe("Stable code of the failure (or of a completed operation's warning: shutdown_timeout), for programs."),
        started_at: timestamp.nullable(),
        finished_at: timestamp.nullable(),
        snapshot: z.object({ id: z.number().int(), name: z.string() }).nullable().describe("null once the snapshot was deleted"),
      })
      .nullable()
      .describe("The server's newest operation, kept until the next one starts (so a failure stays visible); null when none."),
    undo_snapshot: z
      .object({ id: z.number().int(), name: z.string() })
      .nullable()
      .describe(
        "The safety snapshot that undoes the server's most recent restore: set while that restore completed, no later restore has started (an undo included; a failed one left the disk as it was) and its safety snapshot exists, completed; null otherwise.",
      ),
    restoring_elsewhere: z
      .array(
        z.object({
          snapshot: z.object({ id: z.number().int(), name: z.string() }),
          server: z.object({ id: z.number().int(), name: z.string() }),
          progress: z.number().int(),
        }),
      )
      .describe("This server's snapshots being restored onto other servers now (queued or running), with each target."),
    created_at: timestamp,
  })
  .register(responseComponents, { id: "Server" });

export const tokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    scope: z.enum(TOKEN_SCOPES),
    prefix: z.string(),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
    expires_at: timestamp.nullable().describe("When the token stops working; null: never."),
  })
  .register(responseComponents, { id: "ApiToken" });

export const createdTokenSchema = tokenSchema
  .extend({
    token: z.string().describe("The secret. Shown only in this response; store it now."),
  })
  .register(responseComponents, { id: "CreatedApiToken" });

export const eventSchema = z
  .object({
    id: z.number().int(),
    at: timestamp,
    action: z
      .string()
      .describe("snapshot.create, snapshot.update, snapshot.restore, snapshot.delete, server.stop, token.create, ..."),
    result: z.enum(["success", "failure"]),
    actor: z
      .object({
        type: z.enum(["user", "schedule", "system"]).describe("schedule: a schedule's run or pruning; system: Snapdeck itself."),
        email: z.string().nullable().describe("The user who acted; null for schedule and system."),
        token: z.string().nullable().describe("The name of the API token used; null for the dashboard, schedule and system."),
      })
      .describe("Who acted."),
    target: z.object({
      type: z.string(),
      id: z.union([z.number().int(), z.string()]),
      name: z
        .string()
        .nullable()
        .describe("Its name when the event was recorded, else (a refusal knows only the id) its current name; null if unknown."),
    }),
    server_id: z.number().int().nullable(),
    server_name: z.string().nullable().describe("The server's current name (a deleted one's only if the event was about it)."),
    detail: z.string().nullable().describe("What changed, or why it was refused."),
    ip: z.string().nullable().describe("Where the request came from."),
  })
  .register(responseComponents, { id: "Event" });

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ count: z.number().int(), next: z.url().nullable(), previous: z.url().nullable(), results: z.array(item) });
}

export const snapshotPageSchema = pageOf(snapshotSchema).register(responseComponents, { id: "SnapshotPage" });
export const serverPageSchema = pageOf(serverSchema).register(responseComponents, { id: "ServerPage" });
export const tokenPageSchema = pageOf(tokenSchema).register(responseComponents, { id: "ApiTokenPage" });
export const eventPageSchema = pageOf(eventSchema).register(responseComponents, { id: "EventPage" });

export type Page<T> = { count: number; next: string | null; previous: string | null; results: T[] };
export type Snapshot = z.infer<typeof snapshotSchema>;
export type CreatedSnapshot = z.infer<typeof createdSnapshotSchema>;
export type RestoreResult = z.infer<typeof restoreResultSchema>;
export type Server = z.infer<typeof serverSchema>;
export type ServerOperation = NonNullable<Server["operation"]>;
export type LastOperation = NonNullable<Server["last_operation"]>;
export type Host = z.infer<typeof hostSchema>;
export type ApiToken = z.infer<typeof tokenSchema>;
export type CreatedApiToken = z.infer<typeof createdTokenSchema>;

export const scheduleSchema = z
  .object({
    id: z.number().int(),
    server: z.object({ id: z.number().int(), name: z.string() }),
    cron: z.string().describe('"minute hour day-of-month month day-of-week", in UTC'),
    keep: z.number().int(),
    enabled: z.boolean(),
    next_run_at: timestamp.nullable().describe("The next slot (UTC); null while disabled."),
    last_run: z
      .object({
        at: timestamp,
        status: z.enum(["running", "completed", "failed"]),
        snapshot_id: z.number().int().nullable(),
        error: z.string().nullable().describe("Why the run failed (e.g. the limit, with nothing prunable); null otherwise."),
      })
      .nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .register(responseComponents, { id: "Schedule" });
export const schedulePageSchema = pageOf(scheduleSchema).register(responseComponents, { id: "SchedulePage" });
export type Schedule = z.infer<typeof scheduleSchema>;
export type AuditEventView = z.infer<typeof eventSchema>;

// The OpenAPI 3.1 document, generated from the zod schemas that validate requests
// (lib/schemas) and describe responses (lib/schemas/api-responses.ts), so it cannot drift.
import { z } from "zod";
import { createSnapshotSchema, idSchema, listSnapshotsQuerySchema, restoreSnapshotSchema, updateSnapshotSchema } from "@/lib/schemas/snapshots";
import { createScheduleSchema, listSchedulesQuerySchema, updateScheduleSchema } from "@/lib/schemas/schedules";
import { listEventsQuerySchema } from "@/lib/schemas/events";
import { createTokenSchema } from "@/lib/schemas/tokens";
import { POWER_ACTIONS } from "@/lib/schemas/servers";
import * as res from "@/lib/schemas/api-responses";

type JsonSchema = Record<string, unknown>;

/** Standalone-document keys that do not belong inside an OpenAPI component. */
function withoutKeys(schema: object, ...keys: string[]): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !keys.includes(key)));
}

function componentSchemas(entries: Record<string, z.ZodType>, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(entries)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutKeys(schema, "$schema", "$id")]));
}

function paramSchema(schema: z.ZodType): JsonSchema {
  return withoutKeys(z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }), "$schema");
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string) => ({ description, content: { "application/json": { schema: ref(id) } } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));
const pathId = (name: string) => ({ name, in: "path", required: true, schema: paramSchema(idSchema) });
const idempotencyKey = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description: "Retrying with the same key and body returns the first response and starts nothing new (24 h).",
  schema: { type: "string", minLength: 1, maxLength: 255 },
};
const body = (id: string) => ({ required: true, content: { "application/json": { schema: ref(id) } } });

function listQuery(query: z.ZodObject): JsonSchema[] {
  return Object.entries(query.shape).map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    schema: paramSchema(schema),
  }));
}

export function buildOpenApiDocument(serverUrl: string) {
  const paths = {
    "/snapshots/": {
      get: {
        operationId: "listSnapshots",
        summary: "List snapshots, newest first",
        description:
          "`label_selector` (Hetzner's syntax): comma-separated terms `k=v` (or `k==v`), `k!=v` (also matches snapshots without `k`), `k` (present), `!k` (absent); every term must match.",
        parameters: listQuery(listSnapshotsQuerySchema),
        responses: { 200: json("SnapshotPage", "A page of snapshots"), ...errors(400, 401) },
      },
      post: {
        operationId: "createSnapshot",
        summary: "Start taking a snapshot of a server",
        parameters: [idempotencyKey],
        requestBody: body("CreateSnapshot"),
        responses: {
          201: json("CreatedSnapshot", "Snapshot accepted; it completes in a few minutes"),
          ...errors(400, 401, 403, 404, 409, 413, 415),
        },
      },
    },
    "/snapshots/{snapshotId}/": {
      parameters: [pathId("snapshotId")],
      get: {
        operationId: "getSnapshot",
        summary: "Read a snapshot and its progress",
        responses: { 200: json("Snapshot", "The snapshot"), ...errors(400, 401, 404) },
      },
      patch: {
        operationId: "updateSnapshot",
        summary: "Rename, describe, label or protect a snapshot",
        description:
          "Any of name, description, labels (replaces the whole set), protected. 400 `name_taken` when another snapshot of the server (not failed) has the name.",
        requestBody: body("UpdateSnapshot"),
        responses: { 200: json("Snapshot", "The snapshot after the change"), ...errors(400, 401, 403, 404, 413, 415) },
      },
      delete: {
        operationId: "deleteSnapshot",
        summary: "Delete a snapshot; its stored data is removed in the background (retried until the store allows it)",
        description: "400 `snapshot_protected` for a protected snapshot, `snapshot_in_use` while an operation uses it.",
        responses: { 204: { description: "Deleted: gone from the API at once" }, ...errors(400, 401, 403, 404) },
      },
    },
    "/snapshots/{snapshotId}/restore/": {
      parameters: [pathId("snapshotId")],
      post: {
        operationId: "restoreSnapshot",
        summary: "Overwrite a server's disk with this snapshot (stops that server first): its own server, or server_id's",
        parameters: [idempotencyKey],
        requestBody: { ...body("RestoreSnapshot"), required: false },
        responses: { 200: json("RestoreResult", "Restore accepted"), ...errors(400, 401, 403, 404, 409) },
      },
    },
    "/hosts/": {
      get: {
        operationId: "listHosts",
        summary: "List hypervisor hosts with their agents' presence (admins only)",
        responses: {
          200: {
            description: "Every host",
            content: { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Host" } } } },
          },
          ...errors(401, 403),
        },
      },
    },
    "/schedules/": {
      get: {
        operationId: "listSchedules",
        summary: "List schedules (optionally of one server)",
        parameters: [{ name: "server_id", in: "query", required: false, schema: paramSchema(listSchedulesQuerySchema.shape.server_id) }],
        responses: { 200: json("SchedulePage", "All visible schedules"), ...errors(400, 401) },
      },
      post: {
        operationId: "createSchedule",
        summary: "Create a schedule: a UTC cron expression and how many scheduled snapshots to keep",
        parameters: [idempotencyKey],
        requestBody: body("CreateSchedule"),
        responses: { 201: json("Schedule", "The schedule, with its next run"), ...errors(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    "/schedules/{scheduleId}/": {
      parameters: [pathId("scheduleId")],
      get: {
        operationId: "getSchedule",
        summary: "Read a schedule, its next run and last run",
        responses: { 200: json("Schedule", "The schedule"), ...errors(400, 401, 404) },
      },
      patch: {
        operationId: "updateSchedule",
        summary: "Change a schedule's cron, keep or enabled (a new cron or re-enabling counts from now)",
        requestBody: body("UpdateSchedule"),
        responses: { 200: json("Schedule", "The schedule"), ...errors(400, 401, 403, 404, 413, 415) },
      },
      delete: {
        operationId: "deleteSchedule",
        summary: "Delete a schedule (its snapshots stay)",
        responses: { 204: { description: "Deleted" }, ...errors(400, 401, 403, 404) },
      },
    },
    "/schedules/{scheduleId}/run/": {
      parameters: [pathId("scheduleId")],
      post: {
        operationId: "runSchedule",
        summary: "Take the schedule's snapshot now (pruning as a scheduled run does); its next run is unchanged",
        parameters: [idempotencyKey],
        responses: { 201: json("CreatedSnapshot", "The scheduled snapshot now being taken"), ...errors(400, 401, 403, 404, 409) },
      },
    },
    "/servers/": {
      get: {
        operationId: "listServers",
        summary: "List servers with snapshot counts",
        responses: { 200: json("ServerPage", "All visible servers"), ...errors(401) },
      },
    },
    "/servers/{serverId}/": {
      parameters: [pathId("serverId")],
      get: {
        operationId: "getServer",
        summary: "Read a server",
        responses: { 200: json("Server", "The server"), ...errors(400, 401, 404) },
      },
    },
    "/servers/{serverId}/actions/{action}/": {
      parameters: [
        pathId("serverId"),
        { name: "action", in: "path", required: true, schema: { type: "string", enum: [...POWER_ACTIONS] } },
      ],
      post: {
        operationId: "runPowerAction",
        summary: "Stop or start a server (refused while it is restoring or an operation runs)",
        parameters: [idempotencyKey],
        responses: { 200: json("Server", "The server after the action"), ...errors(400, 401, 403, 404, 409) },
      },
    },
    "/events/": {
      get: {
        operationId: "listEvents",
        summary: "Activity: audit events you may see (your resources; admins all), newest first",
        parameters: listQuery(listEventsQuerySchema),
        responses: { 200: json("EventPage", "A page of events"), ...errors(400, 401) },
      },
    },
    "/tokens/": {
      get: {
        operationId: "listTokens",
        summary: "List your active API tokens",
        responses: { 200: json("ApiTokenPage", "Your tokens"), ...errors(401) },
      },
      post: {
        operationId: "createToken",
        summary: "Create an API token (the secret is shown once)",
        requestBody: body("CreateToken"),
        responses: { 201: json("CreatedApiToken", "The token, with its secret"), ...errors(400, 401, 403, 413, 415) },
      },
    },
    "/tokens/{tokenId}/": {
      parameters: [pathId("tokenId")],
      delete: {
        operationId: "revokeToken",
        summary: "Revoke an API token",
        responses: { 204: { description: "Revoked" }, ...errors(400, 401, 403, 404) },
      },
    },
  };
  const errorDescriptions: Record<number, string> = {
    400: "Invalid input, or a rule refused the request (see `code`)",
    401: "Missing or invalid credentials",
    403: "A read token on a mutating route, or a cross-site request",
    404: "No such resource (or not yours)",
    409: "A request with the same Idempotency-Key is still running",
    413: "Request body over 64 KiB",
    415: "Request body is not JSON",
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Snapdeck API",
      version: "1.0.0",
      description:
        "Server snapshots: list (with label selectors), create, edit, protect, restore and delete; schedules with retention; servers and their power actions; hosts; API tokens; activity.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "An API token from the dashboard's API tokens page" },
        sessionCookie: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "The dashboard's session" },
      },
      responses: Object.fromEntries(Object.entries(errorDescriptions).map(([s, d]) => [`E${s}`, json("Error", d)])),
      schemas: {
        ...componentSchemas(
          {
            CreateSnapshot: createSnapshotSchema,
            UpdateSnapshot: updateSnapshotSchema,
            RestoreSnapshot: restoreSnapshotSchema,
            CreateToken: createTokenSchema,
            CreateSchedule: createScheduleSchema,
            UpdateSchedule: updateScheduleSchema,
          },
          "input",
        ),
        ...componentSchemas(
          {
            Error: res.errorSchema,
            Snapshot: res.snapshotSchema,
            CreatedSnapshot: res.createdSnapshotSchema,
            SnapshotPage: res.snapshotPageSchema,
            RestoreResult: res.restoreResultSchema,
            Host: res.hostSchema,
            Server: res.serverSchema,
            ServerPage: res.serverPageSchema,
            ApiToken: res.tokenSchema,
            CreatedApiToken: res.createdTokenSchema,
            ApiTokenPage: res.tokenPageSchema,
            Schedule: res.scheduleSchema,
            SchedulePage: res.schedulePageSchema,
            Event: res.eventSchema,
            EventPage: res.eventPageSchema,
          },
          "output",
        ),
      },
    },
  };
}

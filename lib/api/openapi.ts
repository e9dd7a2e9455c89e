// The OpenAPI 3.1 document, derived from the routes' own declarations (lib/api/routes.ts:
// every app/api/v1/**/route.ts) and the zod schemas they validate with (lib/schemas) and
// answer with (lib/schemas/api-responses.ts), so it cannot drift. Named schemas
// (lib/schemas/openapi-components.ts) become components; any other is written inline.
import { z } from "zod";
import type { ErrorStatus } from "@/lib/api/handle";
import { apiRoutes, type ApiOperation } from "@/lib/api/routes";
import { requestComponents, responseComponents } from "@/lib/schemas/openapi-components";
// Loads the response schemas (and so their component names) even if no route used one yet.
import "@/lib/schemas/api-responses";

type JsonSchema = Record<string, unknown>;
type Registry = typeof requestComponents;

/** Standalone-document keys that do not belong inside an OpenAPI component. */
function withoutKeys(schema: object, ...keys: string[]): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !keys.includes(key)));
}

const uri = (id: string) => `#/components/schemas/${id}`;
const ref = (id: string) => ({ $ref: uri(id) });
const INLINE = "__inline";

function componentSchemas(registry: Registry, io: "input" | "output"): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io, uri });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutKeys(schema, "$schema", "$id")]));
}

/** A named schema as a reference; any other inline, converted along with the named ones so its named parts are references. */
function schemaOf(schema: z.ZodType, registry: Registry, io: "input" | "output"): JsonSchema {
  const id = registry.get(schema)?.id;
  if (id) return ref(id);
  const scratch: Registry = z.registry<{ id: string }>();
  for (const [name, named] of registry._idmap) scratch.add(named, { id: name });
  scratch.add(schema, { id: INLINE });
  const { schemas } = z.toJSONSchema(scratch, { target: "draft-2020-12", io, uri });
  return withoutKeys(schemas[INLINE]!, "$schema", "$id");
}

function paramSchema(schema: z.ZodType): JsonSchema {
  return withoutKeys(z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }), "$schema");
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query"): JsonSchema[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => ({
    name,
    in: where,
    required: where === "path" || !field.safeParse(undefined).success,
    schema: paramSchema(field),
  }));
}

const idempotencyKey = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description: "Retrying with the same key and body returns the first response and starts nothing new (24 h).",
  schema: { type: "string", minLength: 1, maxLength: 255 },
};

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: "Invalid input, or a rule refused the request (see `code`)",
  401: "Missing or invalid credentials",
  403: "A read token on a mutating route, or a cross-site request",
  404: "No such resource (or not yours)",
  409: "A request with the same Idempotency-Key is still running",
  413: "Request body over 64 KiB",
  415: "Request body is not JSON",
};

const json = (schema: JsonSchema) => ({ "application/json": { schema } });

function operationObject(op: ApiOperation) {
  const params = [...parameters(op.query, "query"), ...(op.idempotent ? [idempotencyKey] : [])];
  const { status = 200, description, schema } = op.response;
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description && { description: op.description }),
    ...(params.length > 0 && { parameters: params }),
    ...(op.body && {
      requestBody: { required: !op.bodyOptional, content: json(schemaOf(op.body, requestComponents, "input")) },
    }),
    responses: {
      [status]:
        schema && status !== 204
          ? { description, content: json(schemaOf(schema, responseComponents, "output")) }
          : { description },
      ...Object.fromEntries(op.errors.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }])),
    },
  };
}

function pathItem(operations: ApiOperation[]) {
  // Path parameters are the route's (its directory's [segments]), shared by its methods.
  const byName = new Map(operations.flatMap((op) => parameters(op.params, "path")).map((p) => [p.name, p]));
  return {
    ...(byName.size > 0 && { parameters: [...byName.values()] }),
    ...Object.fromEntries(operations.map((op) => [op.method.toLowerCase(), operationObject(op)])),
  };
}

export function buildOpenApiDocument(serverUrl: string) {
  const paths = Object.fromEntries(
    apiRoutes()
      .map((route) => ({ ...route, operations: route.operations.filter((op) => op.documented !== false) }))
      .filter((route) => route.operations.length > 0)
      .map((route) => [route.path, pathItem(route.operations)]),
  );
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
      responses: Object.fromEntries(
        Object.entries(ERROR_DESCRIPTIONS).map(([s, d]) => [`E${s}`, { description: d, content: json(ref("Error")) }]),
      ),
      schemas: { ...componentSchemas(requestComponents, "input"), ...componentSchemas(responseComponents, "output") },
    },
  };
}

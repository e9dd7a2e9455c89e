// The one route-handler helper: every API route reads as auth → parse → act → respond, and
// declares each method once; handle() enforces the declaration, lib/api/openapi.ts documents
// it and the API tests (tests/api/route-table.ts) are driven by it:
//
//   export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
//     POST: handle(
//       { operationId: "createSnapshot", summary: "Start taking a snapshot of a server", auth: "write",
//         body: createSnapshotSchema, response: { status: 201, schema: createdSnapshotSchema, description: "..." },
//         errors: [400, 401, 403, 404, 409, 413, 415], idempotent: true },
//       async ({ actor, body }) => serializeCreatedSnapshot(await createSnapshot(actor, body)),
//     ),
//   });
//
// It resolves the caller (401), refuses cross-site cookie mutations (403) and read tokens
// on write routes (403), validates path/query/body with zod (400/413/415), honours
// Idempotency-Key, maps AppError codes to HTTP, and logs one JSON line per request.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { NextRequest } from "next/server";
import { ensureDb } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { assertCanWrite, type Actor } from "@/lib/server/actor";
import { logger } from "@/lib/server/logger";
import { claimIdempotencyKey, releaseIdempotencyKey, storeIdempotentResponse } from "@/lib/server/idempotency";
import { assertSameOrigin, resolveActor } from "@/lib/api/auth";
import { emptyResponse, jsonResponse, toErrorResponse } from "@/lib/api/errors";
import { canonicalJson, readJsonBody, readQuery, validate } from "@/lib/api/request";

const NOTHING = z.strictObject({});
type Nothing = typeof NOTHING;

/**
 * public: no credentials, no database, no input read (the OpenAPI document).
 * read: any token or session.
 * write: changes state; read tokens get 403, cookie sessions get the CSRF check.
 * admin: handled as read here; the domain function refuses members (403), as the access
 * tests check for every admin route.
 */
export type Auth = "public" | "read" | "write" | "admin";
/** Error statuses an operation can answer, each documented as #/components/responses/E<status>. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415;

/** One method of one route: what it takes, what it answers, who may call it. */
export type Operation<
  A extends Auth = Auth,
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType | undefined = z.ZodType | undefined,
> = {
  operationId: string;
  summary: string;
  description?: string;
  auth: A;
  /** Path parameters; a schema's `.meta()` may document more than it checks (see actions). */
  params?: P;
  query?: Q;
  body?: B;
  /** The body may be left out entirely (every field optional); it is then validated as `{}`. */
  bodyOptional?: true;
  /** The answer: status of a response with a body (default 200; a handler returning undefined answers 204). */
  response: { status?: 200 | 201 | 204; description: string; schema?: R };
  errors: ErrorStatus[];
  /** Honour the Idempotency-Key header (POST routes that start or change something). */
  idempotent?: boolean;
  /** false: served, but not part of the OpenAPI document (the document itself). */
  documented?: false;
};

export type HandlerContext<A extends Auth, P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = {
  req: NextRequest;
  actor: A extends "public" ? undefined : Actor;
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
};

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type Result<R> = R extends z.ZodType ? z.output<R> : void;

/** A route handler that carries its declaration, for lib/api/routes.ts to read. */
export type DeclaredHandler = ((req: NextRequest, context: RouteContext) => Promise<Response>) & { operation: Operation };

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function handle<
  A extends Auth,
  P extends z.ZodType = Nothing,
  Q extends z.ZodType = Nothing,
  B extends z.ZodType = Nothing,
  R extends z.ZodType | undefined = undefined,
>(operation: Operation<A, P, Q, B, R>, fn: (ctx: HandlerContext<A, P, Q, B>) => Promise<Result<R>>): DeclaredHandler {
  const handler = async (req: NextRequest, context: RouteContext): Promise<Response> => {
    const started = performance.now();
    let response: Response;
    try {
      response = await run(req, context, operation, fn as (ctx: HandlerContext<A, P, Q, B>) => Promise<unknown>);
    } catch (err) {
      response = toErrorResponse(err);
    }
    logger.info(
      { method: req.method, path: req.nextUrl.pathname, status: response.status, ms: Math.round(performance.now() - started) },
      "request",
    );
    return response;
  };
  return Object.assign(handler, { operation: operation as Operation });
}

async function run<A extends Auth, P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  req: NextRequest,
  context: RouteContext,
  options: Operation<A, P, Q, B, z.ZodType | undefined>,
  fn: (ctx: HandlerContext<A, P, Q, B>) => Promise<unknown>,
): Promise<Response> {
  const status = options.response.status ?? 200;
  if (options.auth === "public") {
    const ctx = { req, actor: undefined, params: {}, query: {}, body: {} } as HandlerContext<A, P, Q, B>;
    return toResponse(toStored(await fn(ctx), status));
  }
  await ensureDb();
  const actor = await resolveActor(req);
  if (options.auth === "write") {
    if (actor.scope === "session") assertSameOrigin(req);
    assertCanWrite(actor);
  }
  const params = validate(options.params ?? NOTHING, (await context?.params) ?? {}, "path") as z.output<P>;
  const query = validate(options.query ?? NOTHING, readQuery(req.nextUrl), "query") as z.output<Q>;
  // Every method that may carry a body (POST, PUT, PATCH, DELETE) has it read and checked
  // the same way; a route without a body schema still accepts none or `{}`.
  const rawBody = req.method === "GET" || req.method === "HEAD" ? undefined : await readJsonBody(req);
  if (options.body && !options.bodyOptional && rawBody === undefined)
    throw new AppError("validation_error", "A JSON request body is required.", { body: ["is required"] });
  const body = validate(options.body ?? NOTHING, rawBody === undefined ? {} : rawBody, "body") as z.output<B>;

  const ctx = { req, actor, params, query, body } as HandlerContext<A, P, Q, B>;
  const execute = async () => toStored(await fn(ctx), status);
  const key = options.idempotent ? req.headers.get("idempotency-key") : null;
  if (key === null) return toResponse(await execute());

  if (!IDEMPOTENCY_KEY.test(key))
    throw new AppError("validation_error", "Invalid Idempotency-Key header.", {
      "Idempotency-Key": ["must be 1-255 visible ASCII characters"],
    });
  const route = req.nextUrl.pathname.replace(/\/+$/, "");
  const requestHash = createHash("sha256")
    .update(canonicalJson(rawBody === undefined ? {} : rawBody))
    .digest("hex");
  const replay = await claimIdempotencyKey({ userId: actor.userId, key, route, requestHash });
  if (replay) return toResponse(replay, { "Idempotent-Replayed": "true" });
  let result;
  try {
    result = await execute();
  } catch (err) {
    await releaseIdempotencyKey(actor.userId, key);
    throw err;
  }
  await storeIdempotentResponse(actor.userId, key, result).catch((err) =>
    logger.error({ err }, "could not store idempotent response"),
  );
  return toResponse(result);
}

function toStored(body: unknown, status: number) {
  return body === undefined ? { status: 204, body: undefined } : { status, body };
}

function toResponse(stored: { status: number; body: unknown }, headers: Record<string, string> = {}): Response {
  if (stored.status === 204 || stored.body === undefined) return emptyResponse(stored.status === 200 ? 204 : stored.status);
  return jsonResponse(stored.body, stored.status, headers);
}

// The one route-handler helper: every API route reads as auth → parse → act → respond.
//
//   export const POST = handle({ auth: "write", body: createSnapshotSchema, status: 201, idempotent: true },
//     ({ actor, body }) => createSnapshot(actor, body));
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

type Options<P, Q, B> = {
  /** "write" routes change state: read tokens get 403, cookie sessions get the CSRF check. */
  auth: "read" | "write";
  params?: P;
  query?: Q;
  body?: B;
  /** The body may be left out entirely (every field optional); it is then validated as `{}`. */
  bodyOptional?: true;
  /** Status of a successful response with a body; a handler returning undefined answers 204. */
  status?: number;
  /** Honour the Idempotency-Key header (POST routes that start or change something). */
  idempotent?: boolean;
};

export type HandlerContext<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = {
  req: NextRequest;
  actor: Actor;
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
};

type RouteContext = { params: Promise<Record<string, string | string[]>> };

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function handle<P extends z.ZodType = Nothing, Q extends z.ZodType = Nothing, B extends z.ZodType = Nothing>(
  options: Options<P, Q, B>,
  fn: (ctx: HandlerContext<P, Q, B>) => Promise<unknown>,
) {
  return async (req: NextRequest, context: RouteContext): Promise<Response> => {
    const started = performance.now();
    let response: Response;
    try {
      response = await run(req, context, options, fn);
    } catch (err) {
      response = toErrorResponse(err);
    }
    logger.info(
      { method: req.method, path: req.nextUrl.pathname, status: response.status, ms: Math.round(performance.now() - started) },
      "request",
    );
    return response;
  };
}

async function run<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  req: NextRequest,
  context: RouteContext,
  options: Options<P, Q, B>,
  fn: (ctx: HandlerContext<P, Q, B>) => Promise<unknown>,
): Promise<Response> {
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

  const execute = async () => toStored(await fn({ req, actor, params, query, body }), options.status ?? 200);
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

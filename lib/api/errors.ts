// The one error envelope of the API and the one map from AppError codes to HTTP status.
// Domain code never knows about HTTP; this is the only place a code becomes a status.
import "server-only";
import { ZodError } from "zod";
import { AppError, type AppErrorCode } from "@/lib/server/errors";
import { config } from "@/lib/config";
import { logger } from "@/lib/server/logger";
import { isDatabaseUnavailable, isUniqueViolation } from "@/lib/server/db-errors";

export const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  validation_error: 400,
  invalid_json: 400,
  snapshot_limit_reached: 400,
  operation_in_progress: 400,
  invalid_server_state: 400,
  invalid_snapshot_state: 400,
  disk_too_small: 400,
  snapshot_in_use: 400,
  snapshot_protected: 400,
  name_taken: 400,
  idempotency_key_reused: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_request_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
};

export type ErrorBody = { detail: string; code: string; errors?: Record<string, string[]> };

/**
 * API responses are per-user and change with every operation: never cache them. The API
 * skips proxy.ts (no HTML, no CSP), so it sends Strict-Transport-Security itself. Read once
 * per process: the public URL does not change while it runs.
 */
let baseHeaders: Record<string, string> | undefined;
function apiHeaders(): Record<string, string> {
  return (baseHeaders ??= {
    "Cache-Control": "no-store",
    ...(config.secureCookies && { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" }),
  });
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...apiHeaders(), ...headers } });
}

export function emptyResponse(status = 204): Response {
  return new Response(null, { status, headers: apiHeaders() });
}

export function errorResponse(status: number, body: ErrorBody, headers: Record<string, string> = {}): Response {
  return jsonResponse(body, status, headers);
}

/** Turns zod issues into `{field: [messages]}`; issues about the whole input go under `root`. */
export function fieldErrors(error: ZodError, root: string): Record<string, string[]> {
  // No prototype: a field named "constructor" or "__proto__" must be just a field.
  const out: Record<string, string[]> = Object.create(null);
  const add = (field: string, message: string) => (out[field] ??= []).push(message);
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) add(key, "is not an accepted field");
      continue;
    }
    add(issue.path.length ? issue.path.map(String).join(".") : root, issue.message);
  }
  return out;
}

/** Maps anything thrown by a handler to a response. Unknown errors never leak details. */
export function toErrorResponse(err: unknown): Response {
  if (err instanceof AppError) {
    const status = STATUS_BY_CODE[err.code] ?? 500;
    const headers: Record<string, string> = status === 401 ? { "WWW-Authenticate": 'Bearer realm="snapdeck"' } : {};
    return errorResponse(status, { detail: err.message, code: err.code, ...(err.fields && { errors: err.fields }) }, headers);
  }
  // The database is restarting or unreachable: nothing was done; the pool reconnects by
  // itself, so the client should simply come back in a few seconds.
  if (isDatabaseUnavailable(err)) {
    logger.warn({ err: (err as Error).message }, "database unavailable");
    return errorResponse(
      503,
      { detail: "The database is unavailable right now; retry in a few seconds.", code: "database_unavailable" },
      { "Retry-After": "5" },
    );
  }
  // A unique constraint the domain code did not expect to race on: still a conflict of
  // the caller's request with existing data, not a server fault.
  if (isUniqueViolation(err))
    return errorResponse(409, { detail: "This conflicts with a concurrent change; reload and retry.", code: "conflict" });
  logger.error({ err }, "unhandled error in API route");
  return errorResponse(500, { detail: "Something went wrong on our side; the request may be retried.", code: "internal_error" });
}

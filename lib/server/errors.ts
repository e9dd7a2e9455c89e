// One transport-agnostic error type. Domain code throws AppError(code, detail); only
// lib/api maps a code to an HTTP status (see STATUS_BY_CODE there).
import "server-only";

export type AppErrorCode =
  | "validation_error"
  | "not_found"
  | "unauthenticated"
  | "forbidden"
  | "snapshot_limit_reached"
  | "operation_in_progress"
  | "invalid_server_state"
  | "invalid_snapshot_state"
  | "disk_too_small"
  | "snapshot_in_use"
  | "snapshot_protected"
  | "name_taken"
  | "idempotency_key_reused"
  | "idempotency_request_in_progress"
  | "invalid_json"
  | "csrf_failed"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "method_not_allowed";

export class AppError extends Error {
  constructor(
    public readonly code: AppErrorCode,
    message: string,
    public readonly fields?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

// The dashboard's only door to the REST API. Same-origin requests carry the session
// cookie, and the browser adds Origin / Sec-Fetch-Site, which the API checks on mutations.
// Failures become ApiError carrying the API's human `detail`, ready for a toast.

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors?: FieldErrors;

  constructor(status: number, detail: string, code: string, errors?: FieldErrors) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

type ErrorBody = { detail?: unknown; code?: unknown; errors?: unknown };

function fallbackDetail(status: number): string {
  if (status === 401) return "Your session has ended. Sign in again.";
  if (status === 403) return "You are not allowed to do that.";
  if (status === 404) return "Not found. It may have been deleted.";
  if (status >= 500) return "The server had a problem. Try again in a moment.";
  return `Request failed (HTTP ${status}).`;
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy error page, say): the status alone must do.
  }
  const detail = typeof body.detail === "string" && body.detail ? body.detail : fallbackDetail(res.status);
  const code = typeof body.code === "string" ? body.code : "http_error";
  const errors = body.errors && typeof body.errors === "object" ? (body.errors as FieldErrors) : undefined;
  return new ApiError(res.status, detail, code, errors);
}

export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method: init.method ?? "GET",
      headers:
        init.body === undefined
          ? { Accept: "application/json" }
          : { Accept: "application/json", "Content-Type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "Could not reach Snapdeck. Check your connection and try again.", "network_error");
  }
  if (res.status === 401 && typeof window !== "undefined" && !window.location.pathname.startsWith("/login")) {
    // An expired session cannot be fixed in place; send the operator to sign in and back.
    const back = encodeURIComponent(window.location.pathname + window.location.search);
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load: the server layout must re-check the session
    window.location.assign(`/login?callbackUrl=${back}&expired=1`);
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const STALE_STATE_CODES = new Set([
  "operation_in_progress",
  "snapshot_limit_reached",
  "invalid_server_state",
  "invalid_snapshot_state",
  "snapshot_in_use",
]);

/**
 * A refusal caused by state the page had not seen yet (work started in another tab, by a
 * colleague or through the API). The mutation hooks refetch the page's data on every
 * settle, so a dialog that gets one closes and lets the refreshed page show the reason.
 */
export function isStaleStateError(error: unknown): boolean {
  return error instanceof ApiError && STALE_STATE_CODES.has(error.code);
}

/** The message a toast shows for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}

// A tiny HTTP client for the API tests: every call returns status, headers and the
// parsed JSON (or the raw text when the body is not JSON, so a test can say so).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary fields of JSON bodies
export type ApiResponse<T = any> = { status: number; headers: Headers; body: T; text: string };

export type CallOptions = {
  token?: string | null;
  cookie?: string;
  /** A value to send as JSON. */
  json?: unknown;
  /** Bytes to send as they are (with `headers` choosing the Content-Type). */
  raw?: string | Blob;
  headers?: Record<string, string>;
};

export function createApi(baseUrl: string) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  return async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization ??= `Bearer ${options.token}`;
    if (options.cookie) headers.cookie = options.cookie;
    let body: string | Blob | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    } else if (options.raw !== undefined) body = options.raw;
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: "manual" });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
}
export type Api = ReturnType<typeof createApi>;

// Where sign-in may send the browser afterwards: a path on this site, nothing else.
// Browsers drop tabs and newlines from URLs and read "\" as "/", so "/\t/evil.example"
// becomes "//evil.example" (another host); control characters in a Location header make
// the server fail. Both are refused outright rather than cleaned up.
export const DEFAULT_CALLBACK = "/servers";

/** The request header through which proxy.ts tells a page which path (and query) was asked for. */
export const REQUESTED_PATH_HEADER = "x-snapdeck-path";

/** The sign-in page, coming back to `requested` afterwards when it is a safe path. */
export function signInPath(requested: unknown): string {
  const back = safeCallbackPath(requested);
  return back === DEFAULT_CALLBACK ? "/login" : `/login?callbackUrl=${encodeURIComponent(back)}`;
}

export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || value.length > 2048) return DEFAULT_CALLBACK;
  if (!value.startsWith("/") || value.startsWith("//") || /[\\\x00-\x1f\x7f]/.test(value)) return DEFAULT_CALLBACK;
  // Belt and braces: whatever a URL parser makes of it must stay on the same origin.
  return new URL(value, "http://snapdeck.invalid").origin === "http://snapdeck.invalid" ? value : DEFAULT_CALLBACK;
}

/** next-auth's redirect callback: same-origin URLs keep their path; anything else goes home. */
export function safeRedirectUrl(url: string, baseUrl: string): string {
  let candidate = url;
  if (url.startsWith(baseUrl + "/")) candidate = url.slice(baseUrl.length);
  return baseUrl + safeCallbackPath(candidate);
}

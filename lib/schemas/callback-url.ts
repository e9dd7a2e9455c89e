// Where sign-in may send the browser afterwards: a path on this site, nothing else.
// Browsers drop tabs and newlines from URLs and read "\" as "/", so "/\t/evil.example"
// becomes "//evil.example" (another host); control characters in a Location header make
// the server fail. Both are refused outright rather than cleaned up.
export const DEFAULT_CALLBACK = "/servers";

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

// Runs before every page and API route (Next.js 16 "proxy", formerly middleware).
//
// Content-Security-Policy with a fresh nonce per request: Next.js reads the nonce from
// the request's CSP header and puts it on its own bootstrap and chunk scripts, so no
// inline script without it runs ('strict-dynamic' lets those scripts load the rest).
// Nonces need per-request rendering; app/layout.tsx makes every page dynamic.
// Strict-Transport-Security only when the public URL is https (it would break plain http).
// It also tells the pages which path was asked for (x-snapdeck-path, always overwritten so a
// client cannot supply it), so a signed-out visit can be sent to sign in and back.
import { NextResponse, type NextRequest } from "next/server";
import { config as settings } from "@/lib/config";
import { REQUESTED_PATH_HEADER } from "@/lib/schemas/callback-url";

/** The page asked for, path and query, without Next's own RSC cache-busting parameter. */
function requestedPath(req: NextRequest): string {
  const url = req.nextUrl.clone();
  url.searchParams.delete("_rsc");
  return url.pathname + url.search;
}

function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'` + (process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

export function proxy(req: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  headers.set(REQUESTED_PATH_HEADER, requestedPath(req));
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("Content-Security-Policy", csp);
  if (settings.secureCookies) res.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  return res;
}

export const config = {
  // Static files carry no inline scripts and are the same for everyone. The JSON API
  // (/api/v1, and the benchmark's floor) renders no HTML, so it needs no CSP nonce: it skips
  // the proxy, which would cost every API request a second trip through Next's request
  // pipeline; lib/api/errors.ts sets its HSTS header itself.
  matcher: ["/((?!api/v1/|api/floor/|_next/static|_next/image|favicon.ico).*)"],
};

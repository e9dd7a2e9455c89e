import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_BUILD } from "next/constants";
import { writeRouteManifest } from "./scripts/route-manifest";

// Security headers for every page and route. Content-Security-Policy (with a per-request
// nonce) and Strict-Transport-Security are set per request in proxy.ts.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const nextConfig: NextConfig = {
  // Paths answer with and without a trailing slash, without redirecting (docs/SPEC.md §2).
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
  // `npm run typecheck` checks the whole project (tests included) as its own step of
  // `npm test`; the build that `npm start` runs for users need not repeat it.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ["better-sqlite3", "pino", "zstd-napi"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

// However `next build` or `next dev` is started (npm run build, npx next build, npm start's
// build), the route manifest the OpenAPI document reads follows app/api/v1 first.
export default function config(phase: string): NextConfig {
  if (phase === PHASE_PRODUCTION_BUILD || phase === PHASE_DEVELOPMENT_SERVER) writeRouteManifest();
  return nextConfig;
}

// The origin clients reach Snapdeck at, for absolute URLs in responses (pagination links,
// the OpenAPI `servers` entry). `req.nextUrl` names the address `next start` listens on
// (localhost:PORT), which is wrong behind a proxy or on another host name.
import "server-only";
import type { NextRequest } from "next/server";
import { config } from "@/lib/config";
import { forwardedHeadersChecked } from "@/lib/server/forwarded";

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** SNAPDECK_PUBLIC_URL when set; else the request's own Host (and proto, from a trusted proxy). */
export function publicOrigin(req: NextRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const checked = forwardedHeadersChecked();
  const first = (name: string) => req.headers.get(name)?.split(",")[0]?.trim();
  const host = (checked && first("x-forwarded-host")) || req.headers.get("host");
  const proto = (checked && first("x-forwarded-proto")) || req.nextUrl.protocol.replace(":", "");
  if (host && HOST.test(host) && (proto === "http" || proto === "https")) return `${proto}://${host}`;
  return req.nextUrl.origin;
}

// Who is calling: a bearer token (automation) or the dashboard's next-auth session.
// A request that carries an Authorization header is judged by it alone, so a bad token
// never silently falls back to a cookie.
import "server-only";
import { authenticateToken } from "@/lib/server/tokens";
import { getSessionUser } from "@/lib/server/session";
import { clientIp } from "@/lib/server/forwarded";
import { AppError } from "@/lib/server/errors";
import type { Actor } from "@/lib/server/actor";

export async function resolveActor(req: Request): Promise<Actor> {
  const ip = clientIp(req.headers);
  const authorization = req.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    const actor = match ? await authenticateToken(match[1]!, ip) : null;
    if (!actor) throw new AppError("unauthenticated", "The bearer token is malformed, unknown, revoked or expired.");
    return actor;
  }
  // The JWT may outlive the account, its role or a sign-out: the database decides.
  const user = await getSessionUser();
  if (!user) throw new AppError("unauthenticated", "Authentication required: send Authorization: Bearer <token> or sign in.");
  return {
    userId: user.id,
    email: user.email,
    role: user.role === "admin" ? "admin" : "member",
    scope: "session",
    tokenId: null,
    ip,
  };
}

/**
 * Cookie-authenticated mutations must come from our own pages. Browsers send
 * Sec-Fetch-Site (and Origin) on every cross-origin POST/DELETE, so a request with
 * neither is not a browser acting on a user's behalf; bearer tokens need no check.
 */
export function assertSameOrigin(req: Request): void {
  const refuse = () =>
    new AppError("csrf_failed", "Cross-site request refused: this action must come from the Snapdeck dashboard.");
  const site = req.headers.get("sec-fetch-site");
  if (site !== null) {
    if (site === "same-origin" || site === "none") return;
    throw refuse();
  }
  const origin = req.headers.get("origin");
  if (origin === null) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw refuse();
  }
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (originHost !== host) throw refuse();
}

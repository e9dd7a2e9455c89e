// Who is calling: resolved once per request (bearer token or dashboard session) and
// passed to every domain function, which scopes its queries by it.
import "server-only";
import { AppError } from "@/lib/server/errors";

export type Actor = {
  userId: number;
  email: string;
  role: "admin" | "member";
  /** "session" for the dashboard; a token's scope otherwise. */
  scope: "session" | "read" | "write";
  tokenId: number | null;
  ip: string | null;
};

/** The Prisma `where` fragment for servers this actor may see. Admins see all. */
export function ownedServers(actor: Actor): { ownerId?: number } {
  return actor.role === "admin" ? {} : { ownerId: actor.userId };
}

export function assertCanWrite(actor: Actor): void {
  if (actor.scope === "read") throw new AppError("forbidden", "This token has the read scope; this action needs a write token.");
}

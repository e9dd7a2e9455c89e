// The signed-in user of a dashboard request: the next-auth JWT names the user and the
// session version it was issued with; the database decides whether it still counts (the
// account may be gone, or the user signed out since).
import "server-only";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/server/auth-options";
import { ensureDb } from "@/lib/server/db";
import { findSessionUser } from "@/lib/server/users";
import type { Actor } from "@/lib/server/actor";

export async function getSessionUser() {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (typeof id !== "number") return null;
  await ensureDb();
  return findSessionUser(id, session!.user.sessionVersion);
}

/** The server-rendered pages act as the signed-in user, like the API does for a cookie session. */
export async function sessionActor(): Promise<Actor | null> {
  const user = await getSessionUser();
  if (!user) return null;
  return {
    userId: user.id,
    email: user.email,
    role: user.role === "admin" ? "admin" : "member",
    scope: "session",
    tokenId: null,
    ip: null,
  };
}

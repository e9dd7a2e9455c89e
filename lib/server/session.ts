// The signed-in user of a dashboard request: the next-auth JWT names the user and the
// session version it was issued with; the database decides whether it still counts.
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/server/auth-options";
import { ensureDb } from "@/lib/server/db";
import { findSessionUser } from "@/lib/server/users";

export async function getSessionUser() {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (typeof id !== "number") return null;
  await ensureDb();
  return findSessionUser(id, session!.user.sessionVersion);
}

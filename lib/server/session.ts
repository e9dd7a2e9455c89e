// The dashboard's server-rendered pages act as the signed-in user, like the API does for a
// cookie session: the JWT may outlive the account, so the database decides.
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/server/auth-options";
import { findUserById } from "@/lib/server/users";
import type { Actor } from "@/lib/server/actor";

export async function sessionActor(): Promise<Actor | null> {
  const session = await getServerSession(authOptions);
  const userId = session?.user?.id;
  const user = typeof userId === "number" ? await findUserById(userId) : null;
  if (!user) return null;
  return { userId: user.id, email: user.email, role: user.role === "admin" ? "admin" : "member", scope: "session", tokenId: null, ip: null };
}

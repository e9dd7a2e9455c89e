import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/server/auth-options";

export default async function HomePage() {
  const session = await getServerSession(authOptions);
  redirect(session ? "/servers" : "/login");
}

import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/server/auth-options";
import { AppFrame } from "@/components/layout/app-frame";

// Every dashboard page needs a session; the check runs on the server for each request, so
// no page content is ever sent to a visitor who is not signed in.
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await getServerSession(authOptions);
  if (!session?.user) redirect("/login");
  return <AppFrame email={session.user.email ?? "signed in"}>{children}</AppFrame>;
}

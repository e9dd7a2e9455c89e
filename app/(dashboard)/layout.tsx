import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/server/session";
import { AppFrame } from "@/components/layout/app-frame";

// Every dashboard page needs a session; the check runs on the server for each request, so
// no page content is ever sent to a visitor who is not signed in (or signed out).
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  return (
    <AppFrame email={user.email} admin={user.role === "admin"}>
      {children}
    </AppFrame>
  );
}

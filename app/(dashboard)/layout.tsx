import type { ReactNode } from "react";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { REQUESTED_PATH_HEADER, signInPath } from "@/lib/schemas/callback-url";
import { getSessionUser } from "@/lib/server/session";
import { AppFrame } from "@/components/layout/app-frame";

// Every dashboard page needs a session; the check runs on the server for each request, so
// no page content is ever sent to a visitor who is not signed in (or signed out). The sign-in
// page brings them back to the page they asked for (proxy.ts passes its path along).
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser();
  if (!user) redirect(signInPath((await headers()).get(REQUESTED_PATH_HEADER)));
  return (
    <AppFrame email={user.email} admin={user.role === "admin"}>
      {children}
    </AppFrame>
  );
}

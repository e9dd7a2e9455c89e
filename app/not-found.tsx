import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/server/auth-options";
import { AppFrame } from "@/components/layout/app-frame";
import { NotFoundContent } from "@/components/layout/not-found-content";

export const metadata: Metadata = { title: "Not found" };

// Any unknown path (HTTP 404): in the app's frame for a signed-in operator, alone otherwise.
export default async function NotFound() {
  const session = await getServerSession(authOptions);
  if (!session?.user) {
    return (
      <main id="main" className="grid min-h-screen place-items-center px-4 py-10">
        <NotFoundContent />
      </main>
    );
  }
  return (
    <AppFrame email={session.user.email ?? "signed in"}>
      <NotFoundContent />
    </AppFrame>
  );
}

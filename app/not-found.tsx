import type { Metadata } from "next";
import { getSessionUser } from "@/lib/server/session";
import { AppFrame } from "@/components/layout/app-frame";
import { NotFoundContent } from "@/components/layout/not-found-content";

export const metadata: Metadata = { title: "Not found" };

// Any unknown path (HTTP 404): in the app's frame for a signed-in operator, alone otherwise.
export default async function NotFound() {
  const user = await getSessionUser();
  if (!user) {
    return (
      <main id="main" className="grid min-h-screen place-items-center px-4 py-10">
        <NotFoundContent />
      </main>
    );
  }
  return (
    <AppFrame email={user.email}>
      <NotFoundContent />
    </AppFrame>
  );
}

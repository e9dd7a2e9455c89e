import type { ReactNode } from "react";
import { AppHeader } from "@/components/layout/app-header";
import { LiveUpdates } from "@/components/layout/live-updates";

/** Header, skip link and main column of every signed-in page (and of the 404 page). */
export function AppFrame({ email, admin = false, children }: { email: string; admin?: boolean; children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <AppHeader email={email} admin={admin} />
      <LiveUpdates />
      {/* pb-28 on a phone: room below the last action for the toasts, which span the width there (app/providers.tsx). */}
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 pt-6 pb-28 sm:px-6 sm:pb-6">
        {children}
      </main>
    </div>
  );
}

"use client";
// Client-side context for the whole app: one QueryClient per browser tab and the toaster.
// No next-auth SessionProvider: the dashboard layout reads the session on the server, and
// SessionProvider would add /api/auth/session requests to every focus and interval.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { Toaster, toast } from "sonner";
import { z } from "zod";

// The forms' zod schemas run here too. Without this, zod probes `new Function` once to
// decide whether to compile validators, which the CSP (no 'unsafe-eval') reports as a
// violation; interpreted validation is plenty for a few form fields.
z.config({ jitless: true });

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Polling is per query (refetchInterval functions in lib/client: fast while work
        // runs, every 30 s otherwise). A tab that becomes visible again refetches its stale
        // queries at once, so changes made while it was hidden show without waiting.
        refetchOnWindowFocus: true,
        refetchOnReconnect: true,
        refetchIntervalInBackground: false,
        staleTime: 5_000,
        retry: (failureCount, error) =>
          failureCount < 2 && !(error instanceof Error && "status" in error && Number(error.status) < 500),
      },
      mutations: { retry: false },
    },
  });
}

/** How long a toast shows; sonner pauses it while hovered, ToastDeadline ends it anyway. */
const TOAST_MS = 5_000;
/** The longest a toast stays on a visible page, hovered or not. */
const TOAST_MAX_MS = 8_000;

/**
 * sonner pauses a toast's timer while the pointer rests on it, so a toast under a resting
 * pointer stayed for good, over whatever was beneath. This ends each toast TOAST_MAX_MS
 * after it was first seen, counting only while the page is visible (a toast raised in a
 * hidden tab is still there when the operator comes back).
 */
function ToastDeadline() {
  useEffect(() => {
    const shownMs = new Map<string | number, number>();
    const STEP = 500;
    const timer = setInterval(() => {
      if (document.hidden) return;
      const live = toast.getToasts();
      const ids = new Set(live.map((t) => t.id));
      for (const id of shownMs.keys()) if (!ids.has(id)) shownMs.delete(id);
      for (const t of live) {
        if ("duration" in t && t.duration === Infinity) continue;
        const ms = (shownMs.get(t.id) ?? 0) + STEP;
        shownMs.set(t.id, ms);
        if (ms >= TOAST_MAX_MS) toast.dismiss(t.id);
      }
    }, STEP);
    return () => clearInterval(timer);
  }, []);
  return null;
}

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={client}>
      {children}
      {/* Bottom left: every action of the dashboard (row buttons, Run now, Create, power)
          is right-aligned from the sm breakpoint up, so a toast never sits over one; on a
          phone the main column ends with room for them (pb-28 in AppFrame). */}
      <Toaster position="bottom-left" offset={24} mobileOffset={12} richColors closeButton duration={TOAST_MS} />
      <ToastDeadline />
    </QueryClientProvider>
  );
}

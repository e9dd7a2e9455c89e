"use client";
// Client-side context for the whole app: one QueryClient per browser tab and the toaster.
// No next-auth SessionProvider: the dashboard layout reads the session on the server, and
// SessionProvider would add /api/auth/session requests to every focus and interval.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Toaster } from "sonner";
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

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={client}>
      {children}
      <Toaster position="bottom-right" richColors closeButton duration={6000} />
    </QueryClientProvider>
  );
}

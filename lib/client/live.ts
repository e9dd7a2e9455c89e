// Live updates (GET /api/live, server-sent events): while the tab is visible the dashboard
// holds one stream, and each message names a server that changed anywhere (the API, a
// schedule, another instance, a colleague); that server's queries refetch at once. While
// the stream is open, queries do not poll (lib/client/polling.ts); when it breaks, every
// query refetches and polling takes over until it is back (EventSource reconnects by
// itself). A hidden tab closes the stream and asks nothing; becoming visible reopens it,
// and react-query refetches what went stale meanwhile.
"use client";
import { useEffect } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { eventKeys, hostKeys, scheduleKeys, serverKeys, snapshotKeys } from "@/lib/client/query-keys";

let open = false;
/** True while the live stream is open: polling is then left to it. */
export const isLive = () => open;

function refetchServer(client: QueryClient, server: number) {
  for (const queryKey of [
    serverKeys.detail(server),
    serverKeys.list(),
    snapshotKeys.list(server),
    scheduleKeys.list(server),
    eventKeys.all,
    hostKeys.all,
  ])
    void client.invalidateQueries({ queryKey });
}

export function useLiveUpdates() {
  const client = useQueryClient();
  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    let source: EventSource | null = null;
    let broke = false; // the stream broke since it last opened: what changed meanwhile is unknown
    const mark = (state: "connecting" | "open" | "closed") => (document.documentElement.dataset.live = state); // for tests
    const connect = () => {
      if (source || document.visibilityState !== "visible") return;
      // Counted as live from the start: queries fetched meanwhile set no polling timer. If
      // the stream fails, they are refetched and poll (below).
      open = true;
      mark("connecting");
      source = new EventSource("/api/live");
      source.onopen = () => {
        open = true;
        mark("open");
        if (broke) void client.invalidateQueries(); // catch up on the gap; polling then stops
        broke = false;
      };
      source.onmessage = (event) => {
        const change = JSON.parse(String(event.data)) as { server?: number };
        if (typeof change.server === "number") refetchServer(client, change.server);
      };
      source.onerror = () => {
        // Polling until the stream is back (EventSource retries after 3 s by itself; a
        // refused one, e.g. signed out, is closed for good and polling stays).
        if (source?.readyState === EventSource.CLOSED) source = null;
        broke = true;
        mark("closed");
        if (!open) return;
        open = false;
        void client.invalidateQueries(); // each query re-reads its refetchInterval: polling resumes
      };
    };
    const disconnect = () => {
      source?.close();
      source = null;
      open = false; // hidden: nothing polls either (refetchIntervalInBackground is off)
      mark("closed");
    };
    const onVisibility = () => (document.visibilityState === "visible" ? connect() : disconnect());
    connect();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      disconnect();
    };
  }, [client]);
}

// When the dashboard polls. Only live work justifies network traffic: an idle page must
// stay silent, and react-query's refetchIntervalInBackground=false pauses hidden tabs.
import type { Server, Snapshot } from "@/lib/client/types";

export const POLL_INTERVAL_MS = 1_500;

export function isServerBusy(server: Server | undefined): boolean {
  return !!server && (server.status === "restoring" || server.operation !== null);
}

export function hasSnapshotInProgress(snapshots: Snapshot[] | undefined): boolean {
  return !!snapshots?.some((s) => s.status === "in_progress");
}

/** The refetchInterval for a query: poll while its own data or the rest of the page is busy. */
export function pollWhile(busy: boolean): number | false {
  return busy ? POLL_INTERVAL_MS : false;
}

// When the dashboard polls. While the live stream is open (lib/client/live.ts) it does not:
// the stream says when something changed. Without it (it broke, or is not yet open) live
// work is polled fast, and an idle visible page checks once every IDLE_REFRESH_MS for
// changes made elsewhere (another tab, a colleague, the API). A tab that becomes visible
// again refetches at once; react-query's refetchIntervalInBackground=false keeps a hidden
// tab silent.
import { isLive } from "@/lib/client/live";
import type { Server, Snapshot } from "@/lib/schemas/api-responses";

export const POLL_INTERVAL_MS = 1_500;
/** One request per 30 s per page: changes elsewhere show within 30 s, ≤ 2 requests/min idle. */
export const IDLE_REFRESH_MS = 30_000;

export function isServerBusy(server: Server | undefined): boolean {
  return !!server && (server.status === "restoring" || server.operation !== null);
}

export function hasSnapshotInProgress(snapshots: Snapshot[] | undefined): boolean {
  return !!snapshots?.some((s) => s.status === "in_progress");
}

/** For a page whose changes all come through the stream (activity): idle refresh without it. */
export function idleRefresh(): number | false {
  return isLive() ? false : IDLE_REFRESH_MS;
}

/** The refetchInterval for a page's lead query: fast while busy, otherwise the idle refresh. */
export function pollWhile(busy: boolean): number | false {
  if (isLive()) return false;
  return busy ? POLL_INTERVAL_MS : IDLE_REFRESH_MS;
}

/** For a query that follows a lead query: fast while busy, otherwise silent. */
export function pollOnlyWhile(busy: boolean): number | false {
  return busy && !isLive() ? POLL_INTERVAL_MS : false;
}

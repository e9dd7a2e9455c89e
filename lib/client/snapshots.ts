// Snapshots: the per-server list, and create / restore / delete. Every mutation touches the
// server too (its snapshot count, status or running operation), so both key trees are
// invalidated.
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { toast } from "sonner";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { expectedConsistency } from "@/lib/client/hypervisor";
import { POLL_INTERVAL_MS, hasSnapshotInProgress, isServerBusy, pollOnlyWhile } from "@/lib/client/polling";
import { eventKeys, serverKeys, snapshotKeys } from "@/lib/client/query-keys";
import type { CreatedSnapshot, Page, RestoreResult, Server, Snapshot } from "@/lib/schemas/api-responses";

export { snapshotKeys };

const SERVERS_ROOT = serverKeys.all;

/** Every snapshot mutation changes snapshot lists and the servers' counts and operations; a
 * refused one (400 operation_in_progress from a stale page) refetches them at once too. */
function invalidateSnapshotsAndServers(queryClient: QueryClient) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: snapshotKeys.all }),
    queryClient.invalidateQueries({ queryKey: SERVERS_ROOT }),
    queryClient.invalidateQueries({ queryKey: eventKeys.all }),
  ]);
}

/** What, in a server's JSON, changes when its snapshot list changes elsewhere. */
function snapshotFingerprint(server: Server | undefined): string | null {
  if (!server) return null;
  return [server.snapshot_count, server.latest_snapshot_at, server.operation?.id ?? ""].join("|");
}

/**
 * The limit is 5 by default and 100 is the API's maximum page size: one page holds them all.
 * Polls while a snapshot is in progress or the server is busy (a restore changes nothing
 * in the list, but its end must be seen together with the server's). When idle it makes no
 * requests of its own: it refetches when the server's own refresh (useServer, every 30 s)
 * shows a change made elsewhere, so an idle page costs one request per 30 s.
 * `labelSelector` (the server page's label filter) is sent as the API's label_selector.
 */
export function useServerSnapshots(server: Server, labelSelector = "") {
  const queryClient = useQueryClient();
  const fingerprint = snapshotFingerprint(server);
  const seen = useRef(fingerprint);
  const queryKey = snapshotKeys.list(server.id, labelSelector);
  useEffect(() => {
    if (seen.current === fingerprint) return;
    seen.current = fingerprint;
    // Exact: each list (unfiltered, filtered) is refetched once, by its own hook.
    void queryClient.invalidateQueries({ queryKey: snapshotKeys.list(server.id, labelSelector), exact: true });
  }, [fingerprint, queryClient, server.id, labelSelector]);
  // label_selector as the API parses it (a bad one is a 400 the label filter shows).
  const selectorParam = labelSelector ? `&label_selector=${encodeURIComponent(labelSelector)}` : "";
  return useQuery({
    queryKey,
    queryFn: () => apiFetch<Page<Snapshot>>(`/snapshots/?server_id=${server.id}&page_size=100${selectorParam}`),
    refetchInterval: (query) =>
      pollOnlyWhile(
        hasSnapshotInProgress(query.state.data?.results) ||
          isServerBusy(queryClient.getQueryData<Server>(serverKeys.detail(server.id))),
      ),
  });
}

/** The name of one of a server's snapshots, from the list the page already has (no extra request when it is cached). */
export function useSnapshotName(serverId: number, snapshotId: number | null | undefined): string | undefined {
  const { data } = useQuery({
    queryKey: snapshotKeys.list(serverId),
    queryFn: () => apiFetch<Page<Snapshot>>(`/snapshots/?server_id=${serverId}&page_size=100`),
    enabled: snapshotId != null,
    select: (page) => page.results.find((s) => s.id === snapshotId)?.name,
  });
  return data;
}

/** The longest a "stop first" waits for a guest's shutdown (ACPI, then forced off after SNAPDECK_SHUTDOWN_TIMEOUT_S). */
const STOP_WAIT_MS = 5 * 60_000;

/**
 * Waits until the stop operation `stopping.operation` has ended, reading the server through
 * the page's own query (a fetch the page's 1.5 s poll has just made is reused); throws when
 * the stop failed or the server did not end up stopped, so no snapshot is attempted.
 */
async function waitForStop(queryClient: QueryClient, stopping: Server): Promise<void> {
  const operationId = stopping.operation!.id;
  const deadline = Date.now() + STOP_WAIT_MS;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    const server = await queryClient.fetchQuery({
      queryKey: serverKeys.detail(stopping.id),
      queryFn: () => apiFetch<Server>(`/servers/${stopping.id}/`),
      staleTime: POLL_INTERVAL_MS - 250,
    });
    if (server.operation?.id === operationId) {
      if (Date.now() > deadline)
        throw new Error(`${server.name} has not stopped yet; no snapshot was taken. Create it once the server is stopped.`);
      continue;
    }
    const op = server.last_operation?.id === operationId ? server.last_operation : null;
    if (op?.status === "failed")
      throw new Error(`Stopping ${server.name} failed, so no snapshot was taken: ${op.error ?? "unknown error"}`);
    if (server.status !== "stopped")
      throw new Error(`${server.name} is ${server.status}, not stopped, so no snapshot was taken.`);
    return;
  }
}

export type CreateSnapshotVars = { server: Server; name: string; description?: string; stopFirst: boolean };

export function useCreateSnapshot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ server, name, description, stopFirst }: CreateSnapshotVars) => {
      // Stopping first gives a filesystem-consistent snapshot; if the stop fails, no
      // snapshot is attempted, so the operator never gets a silently inconsistent one.
      if (stopFirst && server.status === "active") {
        const stopping = await apiFetch<Server>(`/servers/${server.id}/actions/stop/`, { method: "POST" });
        // A libvirt guest stops through an operation of its host's agent (an ACPI shutdown,
        // forced off after a timeout): the snapshot waits for it to end.
        if (stopping.operation) {
          queryClient.setQueryData(serverKeys.detail(server.id), stopping);
          await waitForStop(queryClient, stopping);
        }
      }
      return apiFetch<CreatedSnapshot>("/snapshots/", { method: "POST", body: { server_id: server.id, name, description } });
    },
    // The API's message and warning speak to API clients ("poll the snapshot"); the
    // operator is told what happens next on this page.
    onSuccess: (snapshot, { server }) => {
      toast.success(`Taking snapshot ${snapshot.name}.`, {
        description: "This usually takes a few minutes. Its progress shows in the list; you can leave this page.",
      });
      // A running guest whose agent answers has its filesystems frozen: no inconsistency to warn of.
      if (snapshot.warning && expectedConsistency(server) !== "application")
        toast.warning("The server was running when the snapshot started, so its files may be inconsistent in the snapshot.");
    },
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => invalidateSnapshotsAndServers(queryClient),
  });
}

export function useRestoreSnapshot() {
  const queryClient = useQueryClient();
  return useMutation({
    // server_id only for another server; safety_snapshot as ticked in the dialog.
    mutationFn: ({ snapshot, serverId, safetySnapshot }: { snapshot: Snapshot; serverId: number; safetySnapshot: boolean }) =>
      apiFetch<RestoreResult>(`/snapshots/${snapshot.id}/restore/`, {
        method: "POST",
        body: { safety_snapshot: safetySnapshot, ...(serverId !== snapshot.server.id && { server_id: serverId }) },
      }),
    onSuccess: (result) =>
      toast.success(`Restoring ${result.server.name} from ${result.snapshot.name}.`, {
        description: result.safety_snapshot
          ? "A safety snapshot of the current disk is taken first; then the disk is overwritten. Undo restore brings it back."
          : "The server is stopped while its disk is overwritten; progress shows above the snapshots.",
      }),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => invalidateSnapshotsAndServers(queryClient),
  });
}

export function useDeleteSnapshot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (snapshot: Snapshot) => apiFetch<void>(`/snapshots/${snapshot.id}/`, { method: "DELETE" }),
    onSuccess: (_, snapshot) =>
      toast.success(`Snapshot ${snapshot.name} deleted.`, {
        description: "Its stored data is removed; the server is not touched.",
      }),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => invalidateSnapshotsAndServers(queryClient),
  });
}

export type UpdateSnapshotVars = {
  snapshot: Snapshot;
  changes: Partial<{ name: string; description: string; labels: Record<string, string>; protected: boolean }>;
};

export function useUpdateSnapshot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ snapshot, changes }: UpdateSnapshotVars) =>
      apiFetch<Snapshot>(`/snapshots/${snapshot.id}/`, { method: "PATCH", body: changes }),
    onSuccess: (updated, { snapshot, changes }) => {
      const keys = Object.keys(changes);
      if (keys.length === 1 && keys[0] === "protected")
        toast.success(
          updated.protected ? `Snapshot ${updated.name} is protected.` : `Snapshot ${updated.name} is no longer protected.`,
          {
            description: updated.protected ? "It cannot be deleted until you unprotect it." : undefined,
          },
        );
      else
        toast.success(`Snapshot ${snapshot.name === updated.name ? updated.name : `${snapshot.name} → ${updated.name}`} saved.`);
    },
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => invalidateSnapshotsAndServers(queryClient),
  });
}

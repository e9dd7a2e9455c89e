// Snapshots: the per-server list, and create / restore / delete. Every mutation touches the
// server too (its snapshot count, status or running operation), so both key trees are
// invalidated.
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { hasSnapshotInProgress, isServerBusy, pollWhile } from "@/lib/client/polling";
import { serverKeys, snapshotKeys } from "@/lib/client/query-keys";
import type { CreatedSnapshot, Page, RestoreResult, Server, Snapshot } from "@/lib/client/types";

export { snapshotKeys };

const SERVERS_ROOT = serverKeys.all;

/** Every snapshot mutation changes snapshot lists and the servers' counts and operations. */
function invalidateSnapshotsAndServers(queryClient: QueryClient) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: snapshotKeys.all }),
    queryClient.invalidateQueries({ queryKey: SERVERS_ROOT }),
  ]);
}

/**
 * The limit is 5 by default and 100 is the API's maximum page size: one page holds them all.
 * Polls while a snapshot is in progress or the server is busy (a restore changes nothing
 * in the list, but its end must be seen together with the server's).
 */
export function useServerSnapshots(serverId: number) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: snapshotKeys.list(serverId),
    queryFn: () => apiFetch<Page<Snapshot>>(`/snapshots/?server_id=${serverId}&page_size=100`),
    refetchInterval: (query) =>
      pollWhile(
        hasSnapshotInProgress(query.state.data?.results) ||
          isServerBusy(queryClient.getQueryData<Server>(serverKeys.detail(serverId))),
      ),
  });
}

export type CreateSnapshotVars = { server: Server; name: string; description?: string; stopFirst: boolean };

export function useCreateSnapshot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ server, name, description, stopFirst }: CreateSnapshotVars) => {
      // Stopping first gives a filesystem-consistent snapshot; if the stop fails, no
      // snapshot is attempted, so the operator never gets a silently inconsistent one.
      if (stopFirst && server.status === "active")
        await apiFetch<Server>(`/servers/${server.id}/actions/stop/`, { method: "POST" });
      return apiFetch<CreatedSnapshot>("/snapshots/", { method: "POST", body: { server_id: server.id, name, description } });
    },
    onSuccess: (snapshot) => {
      toast.success(`Snapshot ${snapshot.name} started.`, { description: snapshot.message });
      if (snapshot.warning) toast.warning(snapshot.warning);
    },
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => invalidateSnapshotsAndServers(queryClient),
  });
}

export function useRestoreSnapshot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (snapshot: Snapshot) => apiFetch<RestoreResult>(`/snapshots/${snapshot.id}/restore/`, { method: "POST" }),
    onSuccess: (result) => toast.success(result.message || `Restoring ${result.server.name} from ${result.snapshot.name}.`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => invalidateSnapshotsAndServers(queryClient),
  });
}

export function useDeleteSnapshot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (snapshot: Snapshot) => apiFetch<void>(`/snapshots/${snapshot.id}/`, { method: "DELETE" }),
    onSuccess: (_, snapshot) => toast.success(`Snapshot ${snapshot.name} deleted.`),
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => invalidateSnapshotsAndServers(queryClient),
  });
}

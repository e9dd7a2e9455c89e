// Servers: queries, the key factory, and the power actions.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { apiFetch, errorMessage } from "@/lib/client/api-fetch";
import { hasSnapshotInProgress, isServerBusy, pollWhile } from "@/lib/client/polling";
import { serverKeys, snapshotKeys } from "@/lib/client/query-keys";
import type { Page, Server, Snapshot } from "@/lib/schemas/api-responses";
import type { PowerAction } from "@/lib/schemas/servers";

export { serverKeys };

export function useServers() {
  return useQuery({
    queryKey: serverKeys.list(),
    queryFn: () => apiFetch<Page<Server>>("/servers/"),
    refetchInterval: (query) => pollWhile(!!query.state.data?.results.some(isServerBusy)),
  });
}

/**
 * The server page's lead query: polls fast while the server is busy or one of its snapshots
 * is in progress, otherwise every 30 s for changes made elsewhere (the snapshot list follows
 * it, see useServerSnapshots).
 */
export function useServer(id: number) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: serverKeys.detail(id),
    queryFn: () => apiFetch<Server>(`/servers/${id}/`),
    refetchInterval: (query) =>
      pollWhile(
        isServerBusy(query.state.data) ||
          // One of its snapshots being restored onto another server: its progress shows here too.
          !!query.state.data?.restoring_elsewhere.length ||
          hasSnapshotInProgress(queryClient.getQueryData<Page<Snapshot>>(snapshotKeys.list(id))?.results),
      ),
  });
}

const PAST: Record<PowerAction, string> = { stop: "stopped", start: "started" };
const UNDER_WAY: Record<PowerAction, string> = { stop: "Stopping", start: "Starting" };

export function useServerPower() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ server, action }: { server: Server; action: PowerAction }) =>
      apiFetch<Server>(`/servers/${server.id}/actions/${action}/`, { method: "POST" }),
    onSuccess: (updated, { action }) => {
      queryClient.setQueryData(serverKeys.detail(updated.id), updated);
      // A libvirt guest's power action is an operation its host's agent runs (the server
      // JSON shows it); its end gets its own toast (useOperationToasts).
      if (updated.operation) toast.success(`${UNDER_WAY[action]} server ${updated.name}.`);
      else toast.success(`Server ${updated.name} ${PAST[action]}.`);
    },
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: serverKeys.all }),
  });
}

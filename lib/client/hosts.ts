// Hosts (admins): presence of each hypervisor's agents, refreshed like every page.
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import { IDLE_REFRESH_MS } from "@/lib/client/polling";
import { hostKeys } from "@/lib/client/query-keys";
import type { Host } from "@/lib/schemas/api-responses";

export { hostKeys };

export function useHosts() {
  return useQuery({ queryKey: hostKeys.list(), queryFn: () => apiFetch<Host[]>("/hosts/"), refetchInterval: IDLE_REFRESH_MS });
}

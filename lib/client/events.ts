// Activity: a page of audit events, all of the caller's or one server's. Refreshed every
// 30 s like every page, and at once after the dashboard's own mutations (they invalidate
// eventKeys.all).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import { idleRefresh } from "@/lib/client/polling";
import { eventKeys } from "@/lib/client/query-keys";
import type { AuditEventView, Page } from "@/lib/schemas/api-responses";

export const EVENTS_PAGE_SIZE = 25;

export function useEvents(serverId: number | null, page: number) {
  const query = new URLSearchParams({ page: String(page), page_size: String(EVENTS_PAGE_SIZE) });
  if (serverId !== null) query.set("server_id", String(serverId));
  return useQuery({
    queryKey: eventKeys.list(serverId, page),
    queryFn: () => apiFetch<Page<AuditEventView>>(`/events/?${query}`),
    refetchInterval: idleRefresh,
    placeholderData: keepPreviousData,
  });
}

// Activity: a page of audit events, all of the caller's or one server's, optionally only
// one action or result. Refreshed every
// 30 s like every page, and at once after the dashboard's own mutations (they invalidate
// eventKeys.all).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import { idleRefresh } from "@/lib/client/polling";
import { eventKeys, type EventFilters } from "@/lib/client/query-keys";
import type { AuditEventView, Page } from "@/lib/schemas/api-responses";

export const EVENTS_PAGE_SIZE = 25;

export type { EventFilters };

export function useEvents(serverId: number | null, page: number, filters: EventFilters = {}) {
  const query = new URLSearchParams({ page: String(page), page_size: String(EVENTS_PAGE_SIZE) });
  if (serverId !== null) query.set("server_id", String(serverId));
  if (filters.action) query.set("action", filters.action);
  if (filters.result) query.set("result", filters.result);
  return useQuery({
    queryKey: eventKeys.list(serverId, page, filters),
    queryFn: () => apiFetch<Page<AuditEventView>>(`/events/?${query}`),
    refetchInterval: idleRefresh,
    placeholderData: keepPreviousData,
  });
}

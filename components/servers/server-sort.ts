// The servers list's order: by name, status or latest snapshot, kept in the URL query
// (?sort=status&order=desc) so a reload or a shared link shows the same order.
import type { Server } from "@/lib/schemas/api-responses";

export const SORT_KEYS = ["name", "status", "latest"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = "asc" | "desc";
export type ServerSort = { key: SortKey; order: SortOrder };

export const DEFAULT_SORT: ServerSort = { key: "name", order: "asc" };
// The first click on a column: names A to Z, statuses A to Z, the newest snapshot first.
const FIRST_ORDER: Record<SortKey, SortOrder> = { name: "asc", status: "asc", latest: "desc" };

export function parseSort(params: URLSearchParams): ServerSort {
  const key = SORT_KEYS.find((k) => k === params.get("sort")) ?? DEFAULT_SORT.key;
  const order = params.get("order");
  return { key, order: order === "asc" || order === "desc" ? order : FIRST_ORDER[key] };
}

/** The query string for `next` (empty for the default order), keeping any other parameters. */
export function sortQuery(params: URLSearchParams, next: ServerSort): string {
  const out = new URLSearchParams(params);
  out.delete("sort");
  out.delete("order");
  if (next.key !== DEFAULT_SORT.key || next.order !== DEFAULT_SORT.order) {
    out.set("sort", next.key);
    out.set("order", next.order);
  }
  const query = out.toString();
  return query ? `?${query}` : "";
}

/** Clicking a column: the same column flips its order, another starts at its first order. */
export function toggleSort(current: ServerSort, key: SortKey): ServerSort {
  if (current.key === key) return { key, order: current.order === "asc" ? "desc" : "asc" };
  return { key, order: FIRST_ORDER[key] };
}

const byName = (a: Server, b: Server) =>
  a.name.localeCompare(b.name, "en", { numeric: true, sensitivity: "base" }) || a.id - b.id;

export function sortServers(servers: Server[], { key, order }: ServerSort): Server[] {
  const sign = order === "asc" ? 1 : -1;
  return [...servers].sort((a, b) => {
    if (key === "latest") {
      // Servers without a snapshot come last in either order.
      if (!a.latest_snapshot_at || !b.latest_snapshot_at)
        return (a.latest_snapshot_at ? -1 : 0) + (b.latest_snapshot_at ? 1 : 0) || byName(a, b);
      return sign * (Date.parse(a.latest_snapshot_at) - Date.parse(b.latest_snapshot_at)) || byName(a, b);
    }
    if (key === "status") return sign * a.status.localeCompare(b.status) || byName(a, b);
    return sign * byName(a, b);
  });
}
